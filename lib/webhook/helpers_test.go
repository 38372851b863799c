package webhook_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	svix "github.com/svix/svix-webhooks/go"

	"github.com/portal-auth/portal-auth/lib/httpx"
	"github.com/portal-auth/portal-auth/lib/outbox"
	"github.com/portal-auth/portal-auth/lib/pgtest"
	"github.com/portal-auth/portal-auth/lib/webhook"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

const (
	testSecret  = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
	otherSecret = "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD"
)

// env is a webhook function served over real HTTP on a fresh database.
type env struct {
	t      *testing.T
	pool   *pgxpool.Pool
	server *httptest.Server
	signer *svix.Webhook
	seq    atomic.Int64
}

type envOption func(*webhook.Options)

func newEnv(t *testing.T, opts ...envOption) *env {
	t.Helper()
	pool := pgtest.NewPool(t)
	return newEnvOn(t, pool, opts...)
}

func newEnvOn(t *testing.T, pool *pgxpool.Pool, opts ...envOption) *env {
	t.Helper()
	verifier, err := webhook.NewVerifier([]string{otherSecret, testSecret}, time.Now)
	if err != nil {
		t.Fatal(err)
	}
	logger := slog.New(slog.NewJSONHandler(io.Discard, nil))
	o := webhook.Options{Pool: pool, Verifier: verifier, Logger: logger}
	for _, opt := range opts {
		opt(&o)
	}
	h, err := webhook.New(o)
	if err != nil {
		t.Fatal(err)
	}
	adapter := httpx.Adapter{Logger: logger}
	server := httptest.NewServer(adapter.Handle("webhook", h.Serve))
	t.Cleanup(server.Close)
	signer, err := svix.NewWebhook(testSecret)
	if err != nil {
		t.Fatal(err)
	}
	return &env{t: t, pool: pool, server: server, signer: signer}
}

func withRunner(r *outbox.Runner) envOption {
	return func(o *webhook.Options) { o.Runner = r }
}

// fixture reads a Clerk event body from testdata.
func fixture(t testing.TB, name string) []byte {
	t.Helper()
	body, err := os.ReadFile(filepath.Join("testdata", "clerk-events", name+".json"))
	if err != nil {
		t.Fatal(err)
	}
	return body
}

// allFixtures returns every fixture body, in the story's order (by timestamp).
func allFixtures(t testing.TB) [][]byte {
	t.Helper()
	paths, err := filepath.Glob(filepath.Join("testdata", "clerk-events", "*.json"))
	if err != nil || len(paths) == 0 {
		t.Fatalf("no fixtures: %v", err)
	}
	type item struct {
		ts   int64
		body []byte
	}
	var items []item
	for _, p := range paths {
		body, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		var e struct{ Timestamp int64 }
		if err := json.Unmarshal(body, &e); err != nil {
			t.Fatal(err)
		}
		items = append(items, item{e.Timestamp, body})
	}
	sort.Slice(items, func(i, j int) bool { return items[i].ts < items[j].ts })
	out := make([][]byte, len(items))
	for i, it := range items {
		out[i] = it.body
	}
	return out
}

// newID returns a fresh svix message id.
func (e *env) newID() string {
	return fmt.Sprintf("msg_test_%d_%d", time.Now().UnixNano(), e.seq.Add(1))
}

// signedRequest builds a delivery signed now with the test secret.
func (e *env) signedRequest(id string, body []byte) *http.Request {
	return e.signedAt(id, body, time.Now(), e.signer)
}

func (e *env) signedAt(id string, body []byte, at time.Time, signer *svix.Webhook) *http.Request {
	e.t.Helper()
	sig, err := signer.Sign(id, at, body)
	if err != nil {
		e.t.Fatal(err)
	}
	req, err := http.NewRequest(http.MethodPost, e.server.URL, bytes.NewReader(body))
	if err != nil {
		e.t.Fatal(err)
	}
	req.Header.Set("svix-id", id)
	req.Header.Set("svix-timestamp", fmt.Sprint(at.Unix()))
	req.Header.Set("svix-signature", sig)
	req.Header.Set("content-type", "application/json")
	return req
}

// response is a decoded answer.
type response struct {
	status int
	body   map[string]string
	header http.Header
}

func (e *env) do(req *http.Request) response {
	e.t.Helper()
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer res.Body.Close()
	out := response{status: res.StatusCode, header: res.Header, body: map[string]string{}}
	raw, _ := io.ReadAll(res.Body)
	_ = json.Unmarshal(raw, &out.body)
	return out
}

// deliver sends body once under a fresh id and expects 200 with want.
func (e *env) deliver(body []byte, want string) string {
	e.t.Helper()
	id := e.newID()
	e.deliverAs(id, body, want)
	return id
}

func (e *env) deliverAs(id string, body []byte, want string) {
	e.t.Helper()
	res := e.do(e.signedRequest(id, body))
	if res.status != http.StatusOK || res.body["status"] != want {
		e.t.Fatalf("delivery %s: got %d %v, want 200 %q", id, res.status, res.body, want)
	}
}

func (e *env) count(sql string, args ...any) int {
	e.t.Helper()
	var n int
	if err := e.pool.QueryRow(context.Background(), sql, args...).Scan(&n); err != nil {
		e.t.Fatalf("%s: %v", sql, err)
	}
	return n
}

// snapshot renders the identity tables without timestamps, for comparing
// final states.
func (e *env) snapshot() string {
	e.t.Helper()
	queries := []string{
		`SELECT id, coalesce(email::text, '-'), coalesce(first_name, '-'), coalesce(last_name, '-'),
			banned, locked, deleted_at IS NOT NULL FROM users ORDER BY id`,
		`SELECT id, name, coalesce(slug::text, '-'), deleted_at IS NOT NULL FROM tenants ORDER BY id`,
		`SELECT tenant_id, user_id, role, deleted_at IS NOT NULL FROM memberships ORDER BY 1, 2`,
		`SELECT id, kind, tenant_id, coalesce(email::text, '-'), role, status FROM invitations ORDER BY id`,
		`SELECT id, user_id, status, ended_at IS NOT NULL FROM sessions ORDER BY id`,
	}
	var b strings.Builder
	for _, q := range queries {
		rows, err := e.pool.Query(context.Background(), q)
		if err != nil {
			e.t.Fatalf("snapshot: %v", err)
		}
		for rows.Next() {
			vals, err := rows.Values()
			if err != nil {
				e.t.Fatal(err)
			}
			fmt.Fprintln(&b, vals...)
		}
		rows.Close()
		b.WriteString("--\n")
	}
	return b.String()
}

func ioNopCloser(b []byte) io.ReadCloser { return io.NopCloser(bytes.NewReader(b)) }

// adminConn connects to the test server as its superuser.
func adminConn(t *testing.T) *pgx.Conn {
	t.Helper()
	conn, err := pgx.Connect(context.Background(), pgtest.ServerURL(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close(context.Background()) })
	return conn
}

func discardLogger() *slog.Logger { return slog.New(slog.NewJSONHandler(io.Discard, nil)) }
