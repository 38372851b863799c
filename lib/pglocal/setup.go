package pglocal

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"syscall"
)

// account is the OS user the server runs as; nil fields mean "as we are".
type account struct {
	uid, gid uint32
	switchTo bool
}

// serverOwner picks the postgres OS user when running as root.
func serverOwner() (*account, error) {
	if os.Geteuid() != 0 {
		return &account{}, nil
	}
	u, err := user.Lookup("postgres")
	if err != nil {
		return nil, fmt.Errorf("running as root needs the postgres OS user: %w", err)
	}
	uid, _ := strconv.ParseUint(u.Uid, 10, 32)
	gid, _ := strconv.ParseUint(u.Gid, 10, 32)
	return &account{uid: uint32(uid), gid: uint32(gid), switchTo: true}, nil
}

func (a *account) procAttr() *syscall.SysProcAttr {
	attr := &syscall.SysProcAttr{}
	if a.switchTo {
		attr.Credential = &syscall.Credential{Uid: a.uid, Gid: a.gid}
	}
	return attr
}

func chownTree(dir string, a *account) error {
	if !a.switchTo {
		return nil
	}
	return filepath.Walk(dir, func(path string, _ os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		return os.Lchown(path, int(a.uid), int(a.gid))
	})
}

// prepareDir returns the server's directory and whether it is temporary. It
// first sweeps the stale temporary directories under root (default /dev/shm
// when it exists, else the system's temporary directory), where a temporary
// one is made.
func prepareDir(dir, root string) (string, bool, error) {
	if root == "" {
		root = defaultTempRoot()
	}
	sweepStale(root)
	if dir != "" {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return "", false, fmt.Errorf("create postgres dir: %w", err)
		}
		return dir, false, nil
	}
	tmp, err := makeTempDir(root)
	if err != nil {
		return "", false, err
	}
	return tmp, true, nil
}

func defaultTempRoot() string {
	if info, err := os.Stat("/dev/shm"); err == nil && info.IsDir() {
		return "/dev/shm"
	}
	return os.TempDir()
}

// initDB creates the data directory unless it already holds a cluster.
func initDB(ctx context.Context, bin, dataDir string, owner *account) error {
	if _, err := os.Stat(filepath.Join(dataDir, "PG_VERSION")); err == nil {
		return nil
	}
	cmd := exec.CommandContext(ctx, filepath.Join(bin, "initdb"),
		"-D", dataDir, "-U", "postgres", "-A", "trust", "-E", "UTF8",
		"--locale=C", "--no-sync")
	cmd.SysProcAttr = owner.procAttr()
	cmd.Dir = "/"
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("initdb: %w: %s", err, out)
	}
	return nil
}
