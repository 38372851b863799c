package main

import (
	"bufio"
	"context"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/portal-auth/portal-auth/lib/pglocal"
)

// portalBinary builds the portal command into a temporary directory.
func portalBinary(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "portal")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// devProcess is a running `portal dev` and what it printed about its
// PostgreSQL.
type devProcess struct {
	cmd       *exec.Cmd
	pgPID     int
	pgDir     string
	stateFile string
	output    strings.Builder
}

var postgresLine = regexp.MustCompile(
	`^postgres .*\(local, pid (\d+), data in (\S+), removed on exit\)`)

// startPortalDev runs `portal dev` on a free port and waits until ready.
func startPortalDev(t *testing.T) *devProcess {
	t.Helper()
	d := &devProcess{stateFile: filepath.Join(t.TempDir(), "dev.json")}
	d.cmd = exec.Command(portalBinary(t), "dev", "--addr", "127.0.0.1:0",
		"--state-file", d.stateFile)
	d.cmd.Env = cleanEnv()
	stdout, err := d.cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := d.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = d.cmd.Process.Kill(); _ = d.cmd.Wait() })

	ready := make(chan bool, 1)
	go d.scan(stdout, ready)
	select {
	case ok := <-ready:
		if !ok {
			t.Fatalf("portal dev ended before ready:\n%s", d.output.String())
		}
	case <-time.After(60 * time.Second):
		t.Fatal("portal dev not ready in 60 s")
	}
	if d.pgPID == 0 || !running(d.pgPID) {
		t.Fatalf("no running postgres pid printed:\n%s", d.output.String())
	}
	if pid := postmasterPID(t, d.pgDir); pid != d.pgPID {
		t.Fatalf("printed postgres pid %d, postmaster.pid says %d", d.pgPID, pid)
	}
	return d
}

// scan reads the output, noting the postgres line, until "ready" (true) or
// the end (false); it keeps draining so the process never blocks.
func (d *devProcess) scan(r io.Reader, ready chan<- bool) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	sent := false
	for sc.Scan() {
		line := sc.Text()
		if !sent {
			d.output.WriteString(line + "\n")
		}
		if m := postgresLine.FindStringSubmatch(line); m != nil {
			d.pgPID, _ = strconv.Atoi(m[1])
			d.pgDir = m[2]
		}
		if strings.HasPrefix(line, "ready ") && !sent {
			sent = true
			ready <- true
		}
	}
	if !sent {
		ready <- false
	}
}

// cleanEnv is the environment without the variables that would make
// portal dev use real services.
func cleanEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		if name == "DATABASE_URL" || strings.HasPrefix(name, "CLERK_") {
			continue
		}
		env = append(env, kv)
	}
	return env
}

// postmasterPID reads the first line of dir/data/postmaster.pid.
func postmasterPID(t *testing.T, dir string) int {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, "data", "postmaster.pid"))
	if err != nil {
		t.Fatal(err)
	}
	line, _, _ := strings.Cut(string(b), "\n")
	pid, err := strconv.Atoi(strings.TrimSpace(line))
	if err != nil {
		t.Fatal(err)
	}
	return pid
}

// running reports whether pid runs; a zombie does not.
func running(pid int) bool {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return false
	}
	i := strings.LastIndexByte(string(b), ')')
	return i < 0 || !strings.HasPrefix(strings.TrimSpace(string(b[i+1:])), "Z")
}

// waitNotRunning waits up to 15 s for pid to stop running.
func waitNotRunning(t *testing.T, pid int, what string) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for running(pid) {
		if time.Now().After(deadline) {
			t.Fatalf("%s (pid %d) still runs", what, pid)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

// TestDevSIGTERMLeavesNothing stops portal dev with SIGTERM and checks that
// its PostgreSQL, its temporary directory and its state file are gone.
func TestDevSIGTERMLeavesNothing(t *testing.T) {
	d := startPortalDev(t)
	if !exists(d.stateFile) {
		t.Errorf("no state file %s while running", d.stateFile)
	}
	if err := d.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	waitExit(t, d.cmd)

	if running(d.pgPID) {
		t.Errorf("postgres (pid %d) still runs after SIGTERM", d.pgPID)
	}
	for _, path := range []string{d.pgDir, d.stateFile} {
		if exists(path) {
			t.Errorf("%s left after SIGTERM", path)
		}
	}
}

// TestDevSIGKILLLeavesNoPostgres kills portal dev with SIGKILL: its
// PostgreSQL dies with it, and the next pglocal.Start sweeps the directory
// it could not remove.
func TestDevSIGKILLLeavesNoPostgres(t *testing.T) {
	d := startPortalDev(t)
	if err := d.cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	_ = d.cmd.Wait()
	waitNotRunning(t, d.pgPID, "postgres after its parent was killed")
	if !exists(d.pgDir) {
		t.Fatalf("%s already gone: nothing for the sweep to do", d.pgDir)
	}

	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	srv, err := pglocal.Start(ctx, pglocal.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Stop()
	if exists(d.pgDir) {
		t.Errorf("the next Start left %s behind", d.pgDir)
	}
}

// waitExit waits up to 30 s for cmd to exit and requires a clean exit.
func waitExit(t *testing.T, cmd *exec.Cmd) {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("portal dev exit after SIGTERM: %v", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("portal dev did not exit within 30 s of SIGTERM")
	}
}

// TestDemoBinaryPasses runs `portal demo` self-contained, as CI would.
func TestDemoBinaryPasses(t *testing.T) {
	cmd := exec.Command(portalBinary(t), "demo")
	cmd.Env = cleanEnv()
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "demo passed") {
		t.Fatalf("portal demo: %v\n%s", err, out)
	}
}
