package sessioncheck

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/portal-auth/portal-auth/lib/clerkemu"
	"github.com/portal-auth/portal-auth/lib/config"
	"github.com/portal-auth/portal-auth/lib/httpx"
	"github.com/portal-auth/portal-auth/lib/pgtest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// Fixture ids; the rows exist only when a test inserts them.
const (
	userID    = "user_alice"
	sessionID = "sess_alice1"
	orgID     = "org_acme"
	otherOrg  = "org_other"
	origin    = "http://localhost:3000"
)

// start is the fake clock's first reading.
var start = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

// clock is a settable clock shared by the emulator and the checker.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// env is one checker wired to an emulator served on loopback and a fresh
// database, behind the production adapter.
type env struct {
	t       testing.TB
	clock   *clock
	emu     *clerkemu.Emulator
	jwks    *atomic.Int64 // JWKS requests served
	pool    *pgxpool.Pool
	cfg     *config.Config
	checker *Checker
	handler http.Handler
	logs    *syncBuffer
}

// envOption adjusts the configuration before the checker is built.
type envOption func(*config.Config)

func newEnv(t testing.TB, opts ...envOption) *env {
	t.Helper()
	return newEnvWithPool(t, pgtest.NewPool(t), opts...)
}

func newEnvWithPool(t testing.TB, pool *pgxpool.Pool, opts ...envOption) *env {
	t.Helper()
	e := &env{t: t, clock: &clock{t: start}, jwks: &atomic.Int64{}, pool: pool,
		logs: &syncBuffer{}}
	emu, err := clerkemu.New(clerkemu.Options{Now: e.clock.Now, RateLimit: -1,
		AuthorizedParty: origin, SigningKey: testKey(t)})
	if err != nil {
		t.Fatalf("start emulator: %v", err)
	}
	t.Cleanup(func() { _ = emu.Close() })
	e.emu = emu
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/v1/jwks" {
			e.jwks.Add(1)
		}
		emu.Handler().ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)

	e.cfg = &config.Config{
		ClerkSecretKey:     emu.SecretKey(),
		ClerkAPIURL:        srv.URL + "/v1",
		PublishableKey:     emu.PublishableKey(),
		Issuer:             emu.Issuer(),
		AuthorizedParties:  []string{origin},
		ClockLeeway:        5 * time.Second,
		SessionIdleTimeout: 12 * time.Hour,
		SessionMaxAge:      30 * 24 * time.Hour,
	}
	for _, opt := range opts {
		opt(e.cfg)
	}
	e.build()
	return e
}

// build (re)builds the checker and handler from e.cfg.
func (e *env) build() {
	e.t.Helper()
	c, err := New(Options{Config: e.cfg, DB: e.pool, Now: e.clock.Now})
	if err != nil {
		e.t.Fatalf("New: %v", err)
	}
	e.checker = c
	logger := slog.New(slog.NewJSONHandler(e.logs, nil))
	e.handler = httpx.Adapter{Logger: logger, Now: e.clock.Now}.Handle("session-check", c.Serve)
}

// withPEM configures the emulator's current key as CLERK_JWT_KEY and
// rebuilds the checker.
func (e *env) withPEM() {
	e.t.Helper()
	block, _ := pem.Decode([]byte(e.emu.PublicKeyPEM()))
	pub, err := x509.ParsePKIXPublicKey(block.Bytes)
	if err != nil {
		e.t.Fatalf("parse emulator key: %v", err)
	}
	e.cfg.JWTKey = pub.(*rsa.PublicKey)
	e.build()
}

// keys are generated once per test binary: RSA generation is slow.
var (
	keysOnce        sync.Once
	ownKey, evilKey *rsa.PrivateKey
)

func testKey(t testing.TB) *rsa.PrivateKey {
	t.Helper()
	genKeys(t)
	return ownKey
}

func attackerKey(t testing.TB) *rsa.PrivateKey {
	t.Helper()
	genKeys(t)
	return evilKey
}

func genKeys(t testing.TB) {
	keysOnce.Do(func() {
		var err error
		if ownKey, err = rsa.GenerateKey(rand.Reader, 2048); err != nil {
			panic(err)
		}
		if evilKey, err = rsa.GenerateKey(rand.Reader, 2048); err != nil {
			panic(err)
		}
	})
}

// params returns token parameters for the fixture user and session, active
// in the fixture organization as an admin.
func params() clerkemu.TokenParams {
	return clerkemu.TokenParams{SessionID: sessionID, UserID: userID, OrgID: orgID,
		OrgRole: "org:admin", OrgSlug: "acme"}
}

// mint signs a token with the emulator's current key.
func (e *env) mint(p clerkemu.TokenParams) string {
	e.t.Helper()
	tok, err := e.emu.MintSessionToken(p)
	if err != nil {
		e.t.Fatalf("mint token: %v", err)
	}
	return tok
}

// request builds a GET of the check; header pairs are name, value, ...
func request(header ...string) *http.Request {
	r := httptest.NewRequest(http.MethodGet, "/api/v1/session/check", nil)
	for i := 0; i+1 < len(header); i += 2 {
		r.Header.Add(header[i], header[i+1])
	}
	return r
}

// bearer builds a GET carrying tok as a bearer token.
func bearerRequest(tok string, header ...string) *http.Request {
	return request(append([]string{"Authorization", "Bearer " + tok}, header...)...)
}

// serve runs r through the handler.
func (e *env) serve(r *http.Request) *httptest.ResponseRecorder {
	w := httptest.NewRecorder()
	e.handler.ServeHTTP(w, r)
	return w
}

// answer is a decoded response.
type answer struct {
	Status int
	Error  string `json:"error"`
	UserID string `json:"user_id"`
	Tenant string `json:"tenant_id"`
	Role   string `json:"role"`
	SessID string `json:"session_id"`
}

func (e *env) check(r *http.Request) answer {
	e.t.Helper()
	w := e.serve(r)
	var a answer
	if err := json.Unmarshal(w.Body.Bytes(), &a); err != nil {
		e.t.Fatalf("decode %d answer %q: %v", w.Code, w.Body.String(), err)
	}
	a.Status = w.Code
	if got := w.Header().Get("Cache-Control"); got != "no-store" {
		e.t.Errorf("Cache-Control = %q, want no-store", got)
	}
	return a
}

// wantStatus checks the status and the error code ("" for a 200).
func wantStatus(t testing.TB, got answer, status int, code string) {
	t.Helper()
	if got.Status != status || got.Error != code {
		t.Fatalf("answer = %d %q, want %d %q", got.Status, got.Error, status, code)
	}
}

// exec runs SQL on the test database.
func (e *env) exec(sql string, args ...any) {
	e.t.Helper()
	if _, err := e.pool.Exec(context.Background(), sql, args...); err != nil {
		e.t.Fatalf("exec %q: %v", sql, err)
	}
}

// seed inserts the fixture user, organization, admin membership and an
// active session, as the webhooks would have.
func (e *env) seed() {
	e.t.Helper()
	e.exec(`INSERT INTO users (id, email) VALUES ($1, 'alice@example.com')`, userID)
	e.exec(`INSERT INTO tenants (id, name, slug) VALUES ($1, 'Acme', 'acme')`, orgID)
	e.exec(`INSERT INTO memberships (tenant_id, user_id, role) VALUES ($1, $2, 'org:admin')`,
		orgID, userID)
	now := e.clock.Now()
	e.exec(`INSERT INTO sessions (id, user_id, status, last_active_at, clerk_created_at,
		expire_at) VALUES ($1, $2, 'active', $3, $4, $5)`,
		sessionID, userID, now.Add(-time.Minute), now.Add(-time.Hour), now.Add(7*24*time.Hour))
}

// syncBuffer is a bytes.Buffer safe for the adapter's concurrent writes.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// has reports whether s contains every one of subs.
func has(s string, subs ...string) bool {
	for _, sub := range subs {
		if !strings.Contains(s, sub) {
			return false
		}
	}
	return true
}
