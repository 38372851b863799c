package demo_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/portal-auth/portal-auth/lib/demo"
	"github.com/portal-auth/portal-auth/lib/devserver"
	"github.com/portal-auth/portal-auth/lib/pgtest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// TestSelfContainedDemoPasses plays the whole lifecycle against the demo's
// own dev server and checks the answers it printed.
func TestSelfContainedDemoPasses(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	var out bytes.Buffer
	dbURL := pgtest.NewURL(t)
	err := demo.RunSelfContained(ctx, demo.Options{
		Out:    &out,
		Getenv: func(name string) string { return map[string]string{"DATABASE_URL": dbURL}[name] },
	})
	if err != nil {
		t.Fatalf("demo: %v\n%s", err, out.String())
	}
	for _, want := range []string{
		"GET /api/v1/session/check → 200  x-role: member",
		"GET /api/v1/session/check → 200  x-role: admin",
		"organizationMembership.deleted",
		"GET /api/v1/session/check → 401  session_revoked",
		"invitation.expired",
		"organizationInvitation.revoked",
		"chain intact",
		"demo passed: 15 steps",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
}

// TestDemoStopsAtFirstUnexpectedAnswer plays the demo with a wrong cron
// secret: it fails at the cron step and plays nothing after it.
func TestDemoStopsAtFirstUnexpectedAnswer(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	vars := map[string]string{"DATABASE_URL": pgtest.NewURL(t), "INVITE_MAX_AGE": "1s"}
	ready := make(chan *devserver.Env, 1)
	done := make(chan error, 1)
	go func() {
		done <- devserver.Run(ctx, devserver.Options{
			Addr: "127.0.0.1:0", Getenv: func(name string) string { return vars[name] },
			Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
			Ready:  func(env *devserver.Env) { ready <- env },
		})
	}()
	var env *devserver.Env
	select {
	case env = <-ready:
	case err := <-done:
		t.Fatalf("dev server: %v", err)
	}
	target, err := demo.TargetFromState(env.State())
	if err != nil {
		t.Fatal(err)
	}
	target.CronSecret = "not-the-cron-secret-at-all"

	var out bytes.Buffer
	err = demo.Run(ctx, target, &out)
	if err == nil || !strings.Contains(err.Error(), "step 13") ||
		!strings.Contains(err.Error(), "answered 401, want 200") {
		t.Errorf("demo error: %v; want step 13 answered 401\n%s", err, out.String())
	}
	if strings.Contains(out.String(), "14  ") {
		t.Errorf("the demo went on after the failed step:\n%s", out.String())
	}
	cancel()
	<-done
}
