// Package pglocal starts a disposable PostgreSQL server on loopback for tests
// and offline development.
//
// The server runs from the PostgreSQL binaries installed on the machine. Its
// data lives in a temporary directory (on /dev/shm when available) that Stop
// removes. When the current process runs as root, the server runs as the
// postgres OS user, since PostgreSQL refuses to run as root. The server is
// tied to the process that started it: if that process dies, the kernel
// sends the server SIGQUIT, so a crash leaves no PostgreSQL behind. The
// temporary directory records its owner's pid, and the next Start removes
// the directories of owners that are gone.
package pglocal

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
)

// ErrNoBinaries is returned when no PostgreSQL server binaries can be found.
var ErrNoBinaries = errors.New("no PostgreSQL server binaries found " +
	"(install postgresql, or set PG_BIN to the directory holding pg_ctl)")

// Options configure Start. The zero value is ready to use.
type Options struct {
	// Dir is the data directory's parent. Empty means a fresh temporary
	// directory that Stop removes; a given Dir is kept and reused.
	Dir string
	// TempRoot is where the temporary directory is made: default /dev/shm
	// when it exists, else the system's temporary directory. Start first
	// removes the temporary directories there whose owner process is gone.
	TempRoot string
	// BinDir holds initdb and postgres. Empty means $PG_BIN, then the newest
	// /usr/lib/postgresql/*/bin, then $PATH.
	BinDir string
	// Settings are extra server settings (name to value).
	Settings map[string]string
}

// Server is a running PostgreSQL server.
type Server struct {
	// URL connects to the postgres database as the superuser postgres.
	URL string
	// Port is the TCP port on 127.0.0.1.
	Port int
	// Dir is the directory holding the data directory and the log.
	Dir string

	cmd       *exec.Cmd
	exited    chan struct{}
	temporary bool
}

// Start initialises (when needed) and starts a server, and waits until it
// accepts connections.
func Start(ctx context.Context, opts Options) (*Server, error) {
	bin, err := findBinaries(opts.BinDir)
	if err != nil {
		return nil, err
	}
	dir, temporary, err := prepareDir(opts.Dir, opts.TempRoot)
	if err != nil {
		return nil, err
	}
	s := &Server{Dir: dir, temporary: temporary}
	if err := s.start(ctx, bin, opts.Settings); err != nil {
		s.removeTemporary()
		return nil, err
	}
	return s, nil
}

func (s *Server) start(ctx context.Context, bin string, settings map[string]string) error {
	owner, err := serverOwner()
	if err != nil {
		return err
	}
	if err := chownTree(s.Dir, owner); err != nil {
		return err
	}
	dataDir := filepath.Join(s.Dir, "data")
	if err := initDB(ctx, bin, dataDir, owner); err != nil {
		return err
	}
	for attempt := 0; attempt < 5; attempt++ {
		port, err := freePort()
		if err != nil {
			return err
		}
		s.Port = port
		s.URL = fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres?sslmode=disable", port)
		err = s.launch(ctx, bin, dataDir, owner, settings)
		if err == nil {
			return nil
		}
		if !errors.Is(err, errExited) {
			return err
		}
	}
	return fmt.Errorf("start postgres: gave up after repeated exits (see %s)", s.logPath())
}

// Stop shuts the server down and removes its directory when it was temporary.
func (s *Server) Stop() error {
	if s.cmd == nil || s.cmd.Process == nil {
		s.removeTemporary()
		return nil
	}
	_ = s.cmd.Process.Signal(syscall.SIGINT) // fast shutdown
	select {
	case <-s.exited:
	case <-time.After(10 * time.Second):
		_ = s.cmd.Process.Signal(syscall.SIGQUIT)
		<-s.exited
	}
	s.cmd = nil
	s.removeTemporary()
	return nil
}

// PID returns the postmaster's process id, or 0 once stopped.
func (s *Server) PID() int {
	if s.cmd == nil || s.cmd.Process == nil {
		return 0
	}
	return s.cmd.Process.Pid
}

func (s *Server) removeTemporary() {
	if s.temporary {
		_ = os.RemoveAll(s.Dir)
	}
}

func (s *Server) logPath() string { return filepath.Join(s.Dir, "postgres.log") }

var errExited = errors.New("postgres exited during start")

func (s *Server) launch(ctx context.Context, bin, dataDir string, owner *account,
	settings map[string]string) error {
	logFile, err := os.OpenFile(s.logPath(), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return fmt.Errorf("open postgres log: %w", err)
	}
	defer logFile.Close()

	args := []string{"-D", dataDir}
	for name, value := range serverSettings(s.Port, dataDir, settings) {
		args = append(args, "-c", name+"="+value)
	}
	cmd := exec.Command(filepath.Join(bin, "postgres"), args...)
	cmd.Stdout, cmd.Stderr = logFile, logFile
	cmd.SysProcAttr = owner.procAttr()
	cmd.SysProcAttr.Pdeathsig = syscall.SIGQUIT
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start postgres: %w", err)
	}
	s.cmd, s.exited = cmd, make(chan struct{})
	go func() { _ = cmd.Wait(); close(s.exited) }()
	return s.waitReady(ctx)
}

func (s *Server) waitReady(ctx context.Context) error {
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case <-s.exited:
			s.cmd = nil
			return errExited
		case <-ctx.Done():
			_ = s.Stop()
			return fmt.Errorf("wait for postgres: %w", ctx.Err())
		case <-time.After(20 * time.Millisecond):
		}
		if s.ping(ctx) == nil {
			return nil
		}
	}
	_ = s.Stop()
	return fmt.Errorf("postgres did not accept connections within 30s (see %s)", s.logPath())
}

func (s *Server) ping(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, s.URL)
	if err != nil {
		return err
	}
	return conn.Close(ctx)
}

func serverSettings(port int, dataDir string, extra map[string]string) map[string]string {
	settings := map[string]string{
		"listen_addresses":        "127.0.0.1",
		"port":                    strconv.Itoa(port),
		"unix_socket_directories": dataDir,
		"fsync":                   "off",
		"synchronous_commit":      "off",
		"full_page_writes":        "off",
		"max_connections":         "300",
		"shared_buffers":          "128MB",
		"log_min_messages":        "warning",
	}
	for name, value := range extra {
		settings[name] = value
	}
	return settings
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("find free port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

func findBinaries(dir string) (string, error) {
	candidates := []string{dir, os.Getenv("PG_BIN")}
	installed, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Slice(installed, func(i, j int) bool { return versionOf(installed[i]) > versionOf(installed[j]) })
	candidates = append(candidates, installed...)
	if path, err := exec.LookPath("postgres"); err == nil {
		candidates = append(candidates, filepath.Dir(path))
	}
	for _, c := range candidates {
		if c == "" {
			continue
		}
		if _, err := os.Stat(filepath.Join(c, "initdb")); err == nil {
			return c, nil
		}
	}
	return "", ErrNoBinaries
}

func versionOf(binDir string) int {
	v, _ := strconv.Atoi(filepath.Base(filepath.Dir(binDir)))
	return v
}
