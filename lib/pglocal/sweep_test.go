package pglocal_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/portal-auth/portal-auth/lib/pglocal"
)

// testRoot returns a fresh directory for temporary server directories,
// readable by the postgres OS user the server may run as.
func testRoot(t *testing.T) string {
	t.Helper()
	root, err := os.MkdirTemp("", "pglocal-test-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.RemoveAll(root) })
	if err := os.Chmod(root, 0o755); err != nil {
		t.Fatal(err)
	}
	return root
}

// deadPID returns the pid of a process that has exited and been reaped.
func deadPID(t *testing.T) int {
	t.Helper()
	cmd := exec.Command("true")
	if err := cmd.Run(); err != nil {
		t.Fatal(err)
	}
	return cmd.Process.Pid
}

// fakeDir makes root/name holding an owner file with content owner ("" for
// none).
func fakeDir(t *testing.T, root, name, owner string) string {
	t.Helper()
	dir := filepath.Join(root, name)
	if err := os.MkdirAll(filepath.Join(dir, "data"), 0o700); err != nil {
		t.Fatal(err)
	}
	if owner != "" {
		if err := os.WriteFile(filepath.Join(dir, "owner.pid"), []byte(owner), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

// TestStartSweepsStaleTempDirs checks that Start removes the temporary
// directories of owners that are gone, and only those.
func TestStartSweepsStaleTempDirs(t *testing.T) {
	root := testRoot(t)
	me := strconv.Itoa(os.Getpid())
	dead := strconv.Itoa(deadPID(t))
	live := fakeDir(t, root, "portal-pg-live", me+"\n")
	running := fakeDir(t, root, "portal-pg-running", dead+"\n")
	err := os.WriteFile(filepath.Join(running, "data", "postmaster.pid"), []byte(me+"\n"), 0o644)
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		dir  string
		kept bool
	}{
		{fakeDir(t, root, "portal-pg-dead", dead+" 12345\n"), false},
		{fakeDir(t, root, "portal-pg-reused", me+" 1\n"), false},
		{live, true},
		{running, true},
		{fakeDir(t, root, "portal-pg-legacy", ""), true},
		{fakeDir(t, root, "other-dead", dead+"\n"), true},
	}

	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	srv, err := pglocal.Start(ctx, pglocal.Options{TempRoot: root})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cases {
		if exists(c.dir) != c.kept {
			t.Errorf("%s: kept %v, want %v", filepath.Base(c.dir), !c.kept, c.kept)
		}
	}

	owner, err := os.ReadFile(filepath.Join(srv.Dir, "owner.pid"))
	if err != nil || !strings.HasPrefix(string(owner), me+" ") {
		t.Errorf("owner file of %s: %q, %v; want our pid %s first", srv.Dir, owner, err, me)
	}
	if err := srv.Stop(); err != nil {
		t.Fatal(err)
	}
	if exists(srv.Dir) {
		t.Errorf("Stop left %s", srv.Dir)
	}
}

const helperEnv = "PGLOCAL_TEST_CRASH_ROOT"

// TestCrashLeavesNoServer kills a process running a server with SIGKILL and
// checks that the server dies with it (Pdeathsig) and that the next Start
// removes the directory it left.
func TestCrashLeavesNoServer(t *testing.T) {
	root := testRoot(t)
	cmd := exec.Command(os.Args[0], "-test.run=^TestCrashHelper$")
	cmd.Env = append(os.Environ(), helperEnv+"="+root)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var dir string
	var pid int
	if _, err := fmt.Fscanf(out, "%s %d\n", &dir, &pid); err != nil {
		_ = cmd.Process.Kill()
		t.Fatalf("read helper output: %v", err)
	}

	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait()
	waitGone(t, pid)
	if !exists(dir) {
		t.Fatalf("%s is already gone: nothing left for the sweep to test", dir)
	}

	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	srv, err := pglocal.Start(ctx, pglocal.Options{TempRoot: root})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Stop()
	if exists(dir) {
		t.Errorf("Start did not sweep %s left by the killed process", dir)
	}
}

// TestCrashHelper is the process TestCrashLeavesNoServer kills: it starts a
// server, prints its directory and pid, and waits.
func TestCrashHelper(t *testing.T) {
	root := os.Getenv(helperEnv)
	if root == "" {
		t.Skip("helper process for TestCrashLeavesNoServer")
	}
	srv, err := pglocal.Start(context.Background(), pglocal.Options{TempRoot: root})
	if err != nil {
		t.Fatal(err)
	}
	fmt.Printf("%s %d\n", srv.Dir, srv.PID())
	time.Sleep(time.Minute)
}

// waitGone waits until pid no longer runs (a zombie counts as gone).
func waitGone(t *testing.T, pid int) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
		if err != nil {
			return
		}
		if i := strings.LastIndexByte(string(b), ')'); i > 0 &&
			strings.HasPrefix(strings.TrimSpace(string(b[i+1:])), "Z") {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("postgres (pid %d) still runs after its parent was killed", pid)
}
