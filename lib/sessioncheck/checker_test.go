package sessioncheck

import (
	"context"
	"encoding/json"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/portal-auth/portal-auth/lib/config"
	"github.com/portal-auth/portal-auth/lib/pgtest"
)

// TestGrant answers 200 with the headers and body of the contract.
func TestGrant(t *testing.T) {
	e := newEnv(t)
	e.seed()
	w := e.serve(bearerRequest(e.mint(params())))

	gotHeader := map[string]string{}
	names := []string{"X-User-Id", "X-Tenant-Id", "X-Role", "Cache-Control", "Content-Type"}
	for _, k := range names {
		gotHeader[k] = w.Header().Get(k)
	}
	wantHeader := map[string]string{"X-User-Id": userID, "X-Tenant-Id": orgID, "X-Role": "admin",
		"Cache-Control": "no-store", "Content-Type": "application/json"}
	if diff := cmp.Diff(wantHeader, gotHeader); diff != "" {
		t.Errorf("headers (-want +got):\n%s", diff)
	}
	var body map[string]string
	if err := json.Unmarshal(w.Body.Bytes(), &body); err != nil {
		t.Fatalf("decode body %q: %v", w.Body.String(), err)
	}
	wantBody := map[string]string{"user_id": userID, "tenant_id": orgID, "role": "admin",
		"session_id": sessionID}
	if diff := cmp.Diff(wantBody, body); diff != "" {
		t.Errorf("body (-want +got):\n%s", diff)
	}
}

// TestMethods serves GET and HEAD and refuses the rest with 405, no-store.
func TestMethods(t *testing.T) {
	e := newEnv(t)
	tok := e.mint(params())

	head := bearerRequest(tok)
	head.Method = http.MethodHead
	w := e.serve(head)
	if w.Code != http.StatusOK || w.Body.Len() != 0 || w.Header().Get("X-User-Id") != userID {
		t.Errorf("HEAD = %d, body %q, x-user-id %q",
			w.Code, w.Body.String(), w.Header().Get("X-User-Id"))
	}

	others := []string{http.MethodPost, http.MethodPut, http.MethodDelete, http.MethodOptions}
	for _, m := range others {
		r := bearerRequest(tok)
		r.Method = m
		w := e.serve(r)
		if w.Code != http.StatusMethodNotAllowed || w.Header().Get("Allow") != "GET, HEAD" ||
			w.Header().Get("Cache-Control") != "no-store" {
			t.Errorf("%s = %d, Allow %q, Cache-Control %q", m, w.Code,
				w.Header().Get("Allow"), w.Header().Get("Cache-Control"))
		}
	}
}

// TestLogs records the reason and ids of a refusal, and never the token.
func TestLogs(t *testing.T) {
	e := newEnv(t)
	e.seed()
	e.exec(`UPDATE users SET banned = true`)
	tok := e.mint(params())
	wantStatus(t, e.check(bearerRequest(tok)), 403, "user_disabled")
	wantStatus(t, e.check(request("Cookie", "__session="+tok[:len(tok)-4]+"AAAA")), 401,
		"token_invalid_signature")

	expired := params()
	expired.ClockOffset = -2 * time.Minute
	wantStatus(t, e.check(bearerRequest(e.mint(expired))), 401, "token_expired")

	logs := e.logs.String()
	if !has(logs, `"reason":"user_disabled"`, `"user_id":"`+userID+`"`, `"tenant_id":"`+orgID+`"`,
		`"reason":"token_invalid_signature"`, `"user_id":"`+userID+`","reason":"token_expired"`) {
		t.Errorf("logs lack the reasons and ids:\n%s", logs)
	}
	for _, line := range strings.Split(logs, "\n") {
		if has(line, `"reason":"token_invalid_signature"`, "user_id") {
			t.Errorf("unverified claims logged: %s", line)
		}
	}
	for i, part := range strings.Split(tok, ".") {
		if strings.Contains(logs, part[:16]) {
			t.Errorf("logs contain token segment %d:\n%s", i, logs)
		}
	}
	if strings.Contains(logs, "alice@example.com") {
		t.Errorf("logs contain an e-mail address:\n%s", logs)
	}
}

// TestDatabaseUnavailable answers 503 with Retry-After when the database
// cannot be reached.
func TestDatabaseUnavailable(t *testing.T) {
	e := newEnvWithPool(t, deadPool(t))
	w := e.serve(bearerRequest(e.mint(params())))
	if w.Code != http.StatusServiceUnavailable || w.Header().Get("Retry-After") == "" ||
		w.Header().Get("Cache-Control") != "no-store" {
		t.Fatalf("answer = %d, Retry-After %q, Cache-Control %q; want 503, a delay, no-store",
			w.Code, w.Header().Get("Retry-After"), w.Header().Get("Cache-Control"))
	}
}

// deadPool returns a pool whose server, on loopback, hangs up on every
// connection.
func deadPool(t *testing.T) *pgxpool.Pool {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("listen: %v", err)
	}
	t.Cleanup(func() { _ = ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			_ = c.Close()
		}
	}()
	pool, err := pgxpool.New(context.Background(),
		"postgres://nobody@"+ln.Addr().String()+"/none?sslmode=disable&connect_timeout=2")
	if err != nil {
		t.Fatalf("pool: %v", err)
	}
	t.Cleanup(pool.Close)
	return pool
}

// TestOneRoundTrip costs exactly one database round trip per warm check,
// granted or refused by the database state.
func TestOneRoundTrip(t *testing.T) {
	pool, trips := pgtest.NewCountingPool(t, 1)
	e := newEnvWithPool(t, pool)
	e.seed()
	tok := e.mint(params())
	wantStatus(t, e.check(bearerRequest(tok)), 200, "")

	trips.Reset()
	for range 10 {
		wantStatus(t, e.check(bearerRequest(tok)), 200, "")
	}
	if n := trips.Count(); n != 10 {
		t.Fatalf("%d round trips for 10 granted checks, want 10", n)
	}
	e.exec(`UPDATE memberships SET deleted_at = now()`)
	trips.Reset()
	wantStatus(t, e.check(bearerRequest(tok)), 403, "not_a_member")
	if n := trips.Count(); n != 1 {
		t.Fatalf("%d round trips for a refused check, want 1", n)
	}
}

// TestNewRefusesUnusableConfig fails loudly when no token could pass.
func TestNewRefusesUnusableConfig(t *testing.T) {
	pool := &pgxpool.Pool{}
	tests := map[string]*config.Config{
		"no key source":         {AuthorizedParties: []string{origin}},
		"no authorized parties": {ClerkSecretKey: "sk_test_x"},
	}
	for name, cfg := range tests {
		if _, err := New(Options{Config: cfg, DB: pool}); err == nil {
			t.Errorf("%s: New accepted the configuration", name)
		}
	}
}
