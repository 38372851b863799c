package pglocal

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
)

// tempPrefix starts the name of every temporary directory Start creates.
const tempPrefix = "portal-pg-"

// ownerFile, inside a temporary directory, names the process that owns it.
const ownerFile = "owner.pid"

// process identifies a process: its pid and, where /proc tells it, its start
// time in clock ticks since boot, so a reused pid is not taken for the owner.
type process struct {
	pid   int
	start string
}

func (o process) String() string { return strconv.Itoa(o.pid) + " " + o.start + "\n" }

// self returns the current process.
func self() process {
	pid := os.Getpid()
	_, start, _ := procStat(pid)
	return process{pid: pid, start: start}
}

// procStat returns the state (field 3) and start time (field 22) of
// /proc/<pid>/stat; ok is false when the file cannot be read.
func procStat(pid int) (state, start string, ok bool) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return "", "", false
	}
	// The command name (field 2) may hold spaces; the fields after it do not.
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return "", "", false
	}
	fields := strings.Fields(string(b[i+1:]))
	const startField = 22 - 3 // fields[0] is field 3
	if len(fields) <= startField {
		return "", "", false
	}
	return fields[0], fields[startField], true
}

// alive reports whether o still runs. A zombie has stopped running, and a
// pid that started at another time belongs to another process.
func (o process) alive() bool {
	if o.pid <= 0 {
		return false
	}
	if err := syscall.Kill(o.pid, 0); err != nil && !errors.Is(err, syscall.EPERM) {
		return false
	}
	state, start, ok := procStat(o.pid)
	if !ok {
		return true // no /proc to tell more: the pid exists
	}
	return state != "Z" && (o.start == "" || start == o.start)
}

// readOwner reads the owner file of dir; ok is false when it is missing or
// unreadable.
func readOwner(dir string) (process, bool) {
	b, err := os.ReadFile(filepath.Join(dir, ownerFile))
	if err != nil {
		return process{}, false
	}
	fields := strings.Fields(string(b))
	if len(fields) == 0 {
		return process{}, false
	}
	pid, err := strconv.Atoi(fields[0])
	if err != nil {
		return process{}, false
	}
	o := process{pid: pid}
	if len(fields) > 1 {
		o.start = fields[1]
	}
	return o, true
}

// postmasterAlive reports whether the server recorded in dataDir's
// postmaster.pid still runs.
func postmasterAlive(dataDir string) bool {
	b, err := os.ReadFile(filepath.Join(dataDir, "postmaster.pid"))
	if err != nil {
		return false
	}
	line, _, _ := strings.Cut(string(b), "\n")
	pid, err := strconv.Atoi(strings.TrimSpace(line))
	if err != nil {
		return false
	}
	return process{pid: pid}.alive()
}

// makeTempDir creates a temporary directory under parent with the current
// process recorded as its owner. Until the owner file is written a sweep
// leaves the directory alone, as it does every directory without one.
func makeTempDir(parent string) (string, error) {
	dir, err := os.MkdirTemp(parent, tempPrefix)
	if err != nil {
		return "", fmt.Errorf("create postgres temp dir: %w", err)
	}
	err = os.WriteFile(filepath.Join(dir, ownerFile), []byte(self().String()), 0o644)
	if err != nil {
		_ = os.RemoveAll(dir)
		return "", fmt.Errorf("record postgres temp dir owner: %w", err)
	}
	return dir, nil
}

// sweepStale removes the temporary directories under parent left behind by
// processes that are gone (a crash skips Stop). A directory is kept when its
// owner runs, when it has no owner file (made by an older version, or not
// ours) or when its server still runs. It returns the directories removed.
func sweepStale(parent string) []string {
	dirs, _ := filepath.Glob(filepath.Join(parent, tempPrefix+"*"))
	var removed []string
	for _, dir := range dirs {
		if info, err := os.Lstat(dir); err != nil || !info.IsDir() {
			continue
		}
		o, ok := readOwner(dir)
		if !ok || o.alive() || postmasterAlive(filepath.Join(dir, "data")) {
			continue
		}
		if err := os.RemoveAll(dir); err == nil || errors.Is(err, fs.ErrNotExist) {
			removed = append(removed, dir)
		}
	}
	return removed
}
