package main

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	svix "github.com/svix/svix-webhooks/go"

	"github.com/portal-auth/portal-auth/lib/clerkemu"
)

// TestSeedCommandIsIdempotent runs `portal seed` twice against the emulator:
// the first run creates the repository's seed accounts, the second none.
func TestSeedCommandIsIdempotent(t *testing.T) {
	emu, err := clerkemu.Start("", clerkemu.Options{RateLimit: -1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { emu.Close() })
	t.Setenv("CLERK_API_URL", emu.URL())
	t.Setenv("CLERK_SECRET_KEY", emu.SecretKey())
	file := filepath.Join("..", "..", "seeds", "dev.yaml")

	var first, second bytes.Buffer
	if err := run(context.Background(), []string{"seed", "--file", file}, &first, io.Discard); err != nil {
		t.Fatalf("first seed: %v\n%s", err, first.String())
	}
	if err := run(context.Background(), []string{"seed", "--file", file}, &second, io.Discard); err != nil {
		t.Fatalf("second seed: %v\n%s", err, second.String())
	}
	if !strings.Contains(first.String(), "created") {
		t.Errorf("first run created nothing:\n%s", first.String())
	}
	for _, line := range strings.Split(second.String(), "\n") {
		if strings.HasPrefix(line, "created") {
			t.Errorf("second run created again: %q", line)
		}
	}
}

func TestSeedCommandRefusesLiveKey(t *testing.T) {
	t.Setenv("CLERK_API_URL", "http://127.0.0.1:1/v1")
	t.Setenv("CLERK_SECRET_KEY", "sk_live_notreallyalivekey")
	err := run(context.Background(), []string{"seed", "--file",
		filepath.Join("..", "..", "seeds", "dev.yaml")}, io.Discard, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "--allow-live") {
		t.Errorf("err = %v, want a refusal naming --allow-live", err)
	}
}

// TestReplayFileSignsAndSends checks `portal replay --file` delivers the
// file's exact bytes with a Svix signature the receiver verifies.
func TestReplayFileSignsAndSends(t *testing.T) {
	const secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
	event := []byte(`{"type":"user.created","data":{"id":"user_1"}}`)
	hook, _ := svix.NewWebhook(secret)
	got := make(chan error, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		err := hook.Verify(body, r.Header)
		if err == nil && !bytes.Equal(body, event) {
			err = io.ErrUnexpectedEOF
		}
		got <- err
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"status":"processed"}`))
	}))
	defer srv.Close()
	path := filepath.Join(t.TempDir(), "event.json")
	if err := os.WriteFile(path, event, 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("CLERK_WEBHOOK_SECRET", "")

	var out bytes.Buffer
	err := run(context.Background(), []string{"replay", "--file", path, "--url", srv.URL,
		"--secret", secret}, &out, io.Discard)
	if err != nil {
		t.Fatalf("replay --file: %v\n%s", err, out.String())
	}
	if err := <-got; err != nil {
		t.Errorf("the receiver could not verify the delivery: %v", err)
	}
}
