package devserver_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"testing"
	"time"

	"github.com/portal-auth/portal-auth/lib/clerkemu"
	"github.com/portal-auth/portal-auth/lib/devserver"
	"github.com/portal-auth/portal-auth/lib/pgtest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// TestDevServesFunctionsWithEmulatorWebhooks starts the dev server on a
// fresh database with the Clerk emulator, creates a user in the emulator and
// checks that its signed webhook reached the function and the database.
func TestDevServesFunctionsWithEmulatorWebhooks(t *testing.T) {
	dbURL := pgtest.NewURL(t)
	ctx, cancel := context.WithCancel(context.Background())
	ready := make(chan *devserver.Env, 1)
	done := make(chan error, 1)
	var out bytes.Buffer
	go func() {
		done <- devserver.Run(ctx, devserver.Options{
			Addr:   "127.0.0.1:0",
			Getenv: func(name string) string { return map[string]string{"DATABASE_URL": dbURL}[name] },
			Out:    &out,
			Logger: slog.New(slog.NewJSONHandler(io.Discard, nil)),
			Ready:  func(env *devserver.Env) { ready <- env },
		})
	}()
	var env *devserver.Env
	select {
	case env = <-ready:
	case err := <-done:
		t.Fatalf("dev server stopped: %v\n%s", err, out.String())
	case <-time.After(30 * time.Second):
		t.Fatal("dev server not ready in 30 s")
	}

	user, err := env.Emulator.CreateUser(clerkemu.UserParams{EmailAddresses: []string{"dev@example.com"}})
	if err != nil {
		t.Fatal(err)
	}
	waitCtx, stop := context.WithTimeout(ctx, 10*time.Second)
	defer stop()
	if err := env.Emulator.WaitIdle(waitCtx); err != nil {
		t.Fatal(err)
	}
	var n int
	if err := env.Deps.Pool.QueryRow(ctx, `SELECT count(*) FROM users WHERE id = $1`, user.ID).
		Scan(&n); err != nil || n != 1 {
		t.Errorf("user from the emulator's webhook: count %d, err %v", n, err)
	}
	res, err := http.Get(env.BaseURL + "/api/v1/webhooks/clerk")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("GET webhook: %d, want 405", res.StatusCode)
	}

	cancel()
	if err := <-done; err != nil {
		t.Errorf("dev server stop: %v", err)
	}
}
