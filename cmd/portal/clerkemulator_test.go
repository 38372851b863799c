package main

import (
	"bufio"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/clerk/clerk-sdk-go/v2"
	"github.com/clerk/clerk-sdk-go/v2/jwks"
	"github.com/clerk/clerk-sdk-go/v2/user"
)

func TestRunClerkEmulator(t *testing.T) {
	hooks := make(chan string, 10)
	rc := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hooks <- r.Header.Get("svix-id")
	}))
	defer rc.Close()

	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		done <- runClerkEmulator(ctx, []string{"--webhook-url", rc.URL + ",", "--addr",
			"127.0.0.1:0"}, pw)
	}()

	env := readEnv(t, pr)
	for _, k := range []string{"CLERK_API_URL", "CLERK_SECRET_KEY", "CLERK_JWT_KEY",
		"CLERK_WEBHOOK_SECRET", "CLERK_PUBLISHABLE_KEY"} {
		if env[k] == "" {
			t.Errorf("%s missing from output", k)
		}
	}
	if _, err := clerk.JSONWebKeyFromPEM(env["CLERK_JWT_KEY"]); err != nil {
		t.Errorf("CLERK_JWT_KEY: %v", err)
	}

	url, key := env["CLERK_API_URL"], env["CLERK_SECRET_KEY"]
	cfg := &clerk.ClientConfig{BackendConfig: clerk.BackendConfig{URL: &url, Key: &key}}
	if set, err := jwks.NewClient(cfg).Get(ctx, &jwks.GetParams{}); err != nil ||
		len(set.Keys) != 1 {
		t.Errorf("jwks = %+v, %v", set, err)
	}
	if _, err := user.NewClient(cfg).Create(ctx, &user.CreateParams{
		EmailAddresses: &[]string{"cli@example.com"}}); err != nil {
		t.Fatal(err)
	}
	select {
	case id := <-hooks:
		if !strings.HasPrefix(id, "msg_") {
			t.Errorf("svix-id = %q", id)
		}
	case <-time.After(5 * time.Second):
		t.Error("no webhook delivered")
	}

	cancel()
	if err := <-done; err != nil {
		t.Errorf("runClerkEmulator: %v", err)
	}
}

// readEnv parses the printed KEY=value lines, joining the single-quoted
// multi-line PEM value.
func readEnv(t *testing.T, r io.Reader) map[string]string {
	t.Helper()
	env := map[string]string{}
	sc := bufio.NewScanner(r)
	var key, quoted string
	for sc.Scan() {
		line := sc.Text()
		if key != "" {
			quoted += "\n" + line
			if strings.HasSuffix(line, "'") {
				env[key], key = strings.Trim(quoted, "'"), ""
			}
			continue
		}
		k, v, _ := strings.Cut(line, "=")
		if strings.HasPrefix(v, "'") && !strings.HasSuffix(v, "'") {
			key, quoted = k, v
			continue
		}
		env[k] = v
		if k == "CLERK_PUBLISHABLE_KEY" {
			go func() { _, _ = io.Copy(io.Discard, r) }()
			return env
		}
	}
	t.Fatalf("output ended early: %v", sc.Err())
	return nil
}
