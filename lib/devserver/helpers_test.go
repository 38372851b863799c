package devserver_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/portal-auth/portal-auth/lib/devserver"
)

// running is a dev server started by startDev.
type running struct {
	env  *devserver.Env
	out  *bytes.Buffer
	stop func()
}

// startDev runs the dev server on a free port with the variables in vars
// until the returned stop is called (or the test ends).
func startDev(t *testing.T, vars map[string]string, opts devserver.Options) *running {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	ready := make(chan *devserver.Env, 1)
	done := make(chan error, 1)
	out := &bytes.Buffer{}
	opts.Addr = "127.0.0.1:0"
	if vars == nil {
		vars = map[string]string{}
	}
	opts.Getenv = func(name string) string { return vars[name] }
	opts.Out = out
	opts.Logger = slog.New(slog.NewJSONHandler(io.Discard, nil))
	opts.Ready = func(env *devserver.Env) { ready <- env }
	go func() { done <- devserver.Run(ctx, opts) }()

	r := &running{out: out}
	select {
	case r.env = <-ready:
	case err := <-done:
		cancel()
		t.Fatalf("dev server stopped: %v\n%s", err, out.String())
	case <-time.After(60 * time.Second):
		cancel()
		t.Fatal("dev server not ready in 60 s")
	}
	var stopped bool
	r.stop = func() {
		if stopped {
			return
		}
		stopped = true
		cancel()
		if err := <-done; err != nil {
			t.Errorf("dev server stop: %v", err)
		}
	}
	t.Cleanup(r.stop)
	return r
}

// sharedDir returns a fresh directory the postgres OS user can use too.
func sharedDir(t *testing.T) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "devserver-test-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.RemoveAll(dir) })
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// check calls the session check with token and returns the answer.
func check(t *testing.T, baseURL, token string) *http.Response {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, baseURL+"/api/v1/session/check", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, res.Body)
	res.Body.Close()
	return res
}

// curlRequest turns a printed curl line (flags -i, -s, -X, -H, -d and a
// URL, arguments in single quotes) into a request.
func curlRequest(t *testing.T, line string) *http.Request {
	t.Helper()
	args := shellWords(strings.TrimSpace(line))
	if len(args) == 0 || args[0] != "curl" {
		t.Fatalf("not a curl line: %q", line)
	}
	method, body, url := http.MethodGet, "", ""
	header := http.Header{}
	for i := 1; i < len(args); i++ {
		switch args[i] {
		case "-i", "-s":
		case "-X":
			i++
			method = args[i]
		case "-H":
			i++
			name, value, _ := strings.Cut(args[i], ":")
			header.Set(name, strings.TrimSpace(value))
		case "-d":
			i++
			body = args[i]
		default:
			url = args[i]
		}
	}
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatalf("curl line %q: %v", line, err)
	}
	req.Header = header
	return req
}

// shellWords splits s at spaces outside single quotes.
func shellWords(s string) []string {
	var words []string
	var cur strings.Builder
	quoted, inWord := false, false
	for _, r := range s {
		switch {
		case r == '\'':
			quoted, inWord = !quoted, true
		case r == ' ' && !quoted:
			if inWord {
				words = append(words, cur.String())
				cur.Reset()
			}
			inWord = false
		default:
			cur.WriteRune(r)
			inWord = true
		}
	}
	if inWord {
		words = append(words, cur.String())
	}
	return words
}

// curlLines returns the printed lines that start with "curl".
func curlLines(out string) []string {
	var lines []string
	for _, line := range strings.Split(out, "\n") {
		if strings.HasPrefix(strings.TrimSpace(line), "curl ") {
			lines = append(lines, strings.TrimSpace(line))
		}
	}
	return lines
}
