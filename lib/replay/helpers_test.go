package replay_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/portal-auth/portal-auth/lib/httpx"
	"github.com/portal-auth/portal-auth/lib/pgtest"
	"github.com/portal-auth/portal-auth/lib/replay"
	"github.com/portal-auth/portal-auth/lib/webhook"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

const testSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"

// env is the real webhook function served over HTTP on a fresh database.
type env struct {
	t        *testing.T
	pool     *pgxpool.Pool
	url      string
	requests atomic.Int64
	// racer, when set, makes the function see every request twice, as if
	// another replay had sent the same message just before: the caller
	// gets the answer to the second copy.
	racer atomic.Bool
}

func newEnv(t *testing.T) *env {
	t.Helper()
	e := &env{t: t, pool: pgtest.NewPool(t)}
	verifier, err := webhook.NewVerifier([]string{testSecret}, time.Now)
	if err != nil {
		t.Fatal(err)
	}
	logger := slog.New(slog.NewJSONHandler(io.Discard, nil))
	h, err := webhook.New(webhook.Options{Pool: e.pool, Verifier: verifier, Logger: logger})
	if err != nil {
		t.Fatal(err)
	}
	fn := httpx.Adapter{Logger: logger}.Handle("webhook", h.Serve)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		e.requests.Add(1)
		if e.racer.Load() {
			body, _ := io.ReadAll(r.Body)
			first := r.Clone(r.Context())
			first.Body = io.NopCloser(bytes.NewReader(body))
			fn.ServeHTTP(httptest.NewRecorder(), first)
			r.Body = io.NopCloser(bytes.NewReader(body))
		}
		fn.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	e.url = srv.URL + "/api/v1/webhooks/clerk"
	return e
}

func (e *env) replayer() *replay.Replayer {
	e.t.Helper()
	sender, err := replay.NewSender(e.url, testSecret, nil)
	if err != nil {
		e.t.Fatal(err)
	}
	return replay.New(e.pool, sender, nil)
}

// storeRejected records a delivery as the webhook function does for a
// signed body it could not decode.
func (e *env) storeRejected(id string, body []byte, receivedAt time.Time) {
	e.t.Helper()
	_, err := e.pool.Exec(context.Background(), `INSERT INTO webhook_deliveries
		(svix_id, event_type, status, received_at, svix_timestamp, error, payload)
		VALUES ($1, 'user.created', 'rejected', $2, $2, 'decode data: simulated', $3)`,
		id, receivedAt, body)
	if err != nil {
		e.t.Fatal(err)
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

func (e *env) status(svixID string) string {
	e.t.Helper()
	var s string
	err := e.pool.QueryRow(context.Background(),
		`SELECT status FROM webhook_deliveries WHERE svix_id = $1`, svixID).Scan(&s)
	if err != nil {
		e.t.Fatalf("status of %s: %v", svixID, err)
	}
	return s
}

// applications counts the audit rows of events applied to a user.
func (e *env) applications(userID string) int {
	return e.count(`SELECT count(*) FROM audit_events
		WHERE subject_type = 'user' AND subject_id = $1`, userID)
}

// userCreated is a decodable user.created body for an invented user.
func userCreated(userID string) []byte {
	return fmt.Appendf(nil, `{"type": "user.created", "object": "event",
		"timestamp": 1759741200041, "instance_id": "ins_test",
		"data": {"id": %q, "object": "user", "first_name": "Rae", "last_name": "Replay",
			"primary_email_address_id": "idn_1",
			"email_addresses": [{"id": "idn_1", "email_address": "%s@example.com"}],
			"banned": false, "locked": false, "updated_at": 1759741200025}}`, userID, userID)
}

// undecodable is a signed body the decoder refuses (no data.id).
func undecodable() []byte {
	return []byte(`{"type": "user.created", "object": "event",
		"data": {"object": "user", "first_name": "Nobody"}}`)
}

// one expects a run to report on exactly one delivery and returns it.
func (e *env) one(results []replay.Result, err error) replay.Result {
	e.t.Helper()
	if err != nil {
		e.t.Fatalf("run: %v", err)
	}
	if len(results) != 1 {
		e.t.Fatalf("got %d results, want 1: %+v", len(results), results)
	}
	return results[0]
}
