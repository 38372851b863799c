package sessioncheck_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/portal-auth/portal-auth/lib/app"
	"github.com/portal-auth/portal-auth/lib/clerkemu"
	"github.com/portal-auth/portal-auth/lib/config"
	"github.com/portal-auth/portal-auth/lib/pgtest"
)

// TestAppWiring serves a check through the deployed function, built from
// the dependency set, against an emulator on loopback and a fresh database.
func TestAppWiring(t *testing.T) {
	emu, err := clerkemu.Start("127.0.0.1:0", clerkemu.Options{RateLimit: -1})
	if err != nil {
		t.Fatalf("start emulator: %v", err)
	}
	t.Cleanup(func() { _ = emu.Close() })

	env := map[string]string{
		"DATABASE_URL":             pgtest.NewURL(t),
		"CLERK_SECRET_KEY":         emu.SecretKey(),
		"CLERK_API_URL":            emu.URL(),
		"CLERK_PUBLISHABLE_KEY":    emu.PublishableKey(),
		"CLERK_AUTHORIZED_PARTIES": clerkemu.DefaultAuthorizedParty,
	}
	cfg, err := config.Load(func(k string) string { return env[k] })
	if err != nil {
		t.Fatalf("load config: %v", err)
	}
	d, err := app.New(context.Background(), cfg, slog.New(slog.NewJSONHandler(io.Discard, nil)))
	if err != nil {
		t.Fatalf("build deps: %v", err)
	}
	t.Cleanup(d.Close)
	h, err := app.SessionCheck.Handler(d)
	if err != nil {
		t.Fatalf("build handler: %v", err)
	}

	tok, err := emu.MintSessionToken(clerkemu.TokenParams{SessionID: "sess_1", UserID: "user_1",
		OrgID: "org_1", OrgRole: "org:member", Lifetime: time.Minute})
	if err != nil {
		t.Fatalf("mint: %v", err)
	}
	r := httptest.NewRequest(http.MethodGet, "/api/v1/session/check", nil)
	r.Header.Set("Authorization", "Bearer "+tok)
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	if w.Code != http.StatusOK || w.Header().Get("X-Role") != "member" ||
		w.Header().Get("X-Request-Id") == "" {
		t.Fatalf("answer = %d %s (x-role %q)", w.Code, w.Body.String(), w.Header().Get("X-Role"))
	}
}
