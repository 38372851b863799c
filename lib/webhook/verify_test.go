package webhook_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	svix "github.com/svix/svix-webhooks/go"
)

func TestSignatureRejections(t *testing.T) {
	e := newEnv(t)
	body := fixture(t, "user.created")
	stranger, err := svix.NewWebhook("whsec_" + "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		req  func() *http.Request
	}{
		{"tampered body", func() *http.Request {
			req := e.signedRequest(e.newID(), body)
			tampered := bytes.Replace(body, []byte(`"banned": false`), []byte(`"banned": true `), 1)
			req.Body, req.ContentLength = ioNopCloser(tampered), int64(len(tampered))
			return req
		}},
		{"wrong secret", func() *http.Request {
			return e.signedAt(e.newID(), body, time.Now(), stranger)
		}},
		{"stale timestamp", func() *http.Request {
			return e.signedAt(e.newID(), body, time.Now().Add(-6*time.Minute), e.signer)
		}},
		{"future timestamp", func() *http.Request {
			return e.signedAt(e.newID(), body, time.Now().Add(6*time.Minute), e.signer)
		}},
		{"non-numeric timestamp", func() *http.Request {
			req := e.signedRequest(e.newID(), body)
			req.Header.Set("svix-timestamp", "yesterday")
			return req
		}},
		{"signature for another id", func() *http.Request {
			req := e.signedRequest(e.newID(), body)
			req.Header.Set("svix-id", "msg_other")
			return req
		}},
		{"unknown signature version", func() *http.Request {
			req := e.signedRequest(e.newID(), body)
			req.Header.Set("svix-signature", strings.Replace(req.Header.Get("svix-signature"), "v1,", "v2,", 1))
			return req
		}},
	}
	for _, h := range []string{"svix-id", "svix-timestamp", "svix-signature"} {
		cases = append(cases, struct {
			name string
			req  func() *http.Request
		}{"missing " + h, func() *http.Request {
			req := e.signedRequest(e.newID(), body)
			req.Header.Del(h)
			return req
		}})
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			res := e.do(c.req())
			if res.status != http.StatusUnauthorized || res.body["error"] != "invalid_signature" {
				t.Errorf("got %d %v, want 401 invalid_signature", res.status, res.body)
			}
		})
	}
	if n := e.count(`SELECT count(*) FROM webhook_deliveries`); n != 0 {
		t.Errorf("%d deliveries stored from rejected requests", n)
	}
}

func TestSecretRotationAndWebhookHeaderFamily(t *testing.T) {
	e := newEnv(t)
	old, err := svix.NewWebhook(otherSecret)
	if err != nil {
		t.Fatal(err)
	}
	e.do(e.signedAt(e.newID(), fixture(t, "user.created"), time.Now(), old))
	if n := e.count(`SELECT count(*) FROM users`); n != 1 {
		t.Fatal("a delivery signed with the second configured secret was not applied")
	}

	req := e.signedRequest(e.newID(), fixture(t, "organization.created"))
	for _, h := range []string{"id", "timestamp", "signature"} {
		req.Header.Set("webhook-"+h, req.Header.Get("svix-"+h))
		req.Header.Del("svix-" + h)
	}
	if res := e.do(req); res.status != http.StatusOK {
		t.Errorf("webhook-* headers: got %d %v, want 200", res.status, res.body)
	}
}

func TestBodyLimitAndMethod(t *testing.T) {
	e := newEnv(t)
	big := bytes.Repeat([]byte(" "), 1<<20+1)
	if res := e.do(e.signedRequest(e.newID(), big)); res.status != http.StatusRequestEntityTooLarge {
		t.Errorf("1 MiB + 1: got %d, want 413", res.status)
	}
	exact := append([]byte(`{"type":"x.y","data":{}}`), bytes.Repeat([]byte(" "), 1<<20-24)...)
	if res := e.do(e.signedRequest(e.newID(), exact)); res.status != http.StatusOK {
		t.Errorf("exactly 1 MiB: got %d %v, want 200", res.status, res.body)
	}
	for _, method := range []string{http.MethodGet, http.MethodPut, http.MethodDelete} {
		req, _ := http.NewRequest(method, e.server.URL, nil)
		res := e.do(req)
		if res.status != http.StatusMethodNotAllowed || res.header.Get("Allow") != "POST" {
			t.Errorf("%s: got %d Allow=%q, want 405 POST", method, res.status, res.header.Get("Allow"))
		}
	}
}

func TestDatabaseOutageAnswers503ThenRedeliveryAppliesOnce(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	var dbName string
	if err := e.pool.QueryRow(ctx, `SELECT current_database()`).Scan(&dbName); err != nil {
		t.Fatal(err)
	}
	admin := adminConn(t)
	cut := func(allow bool) {
		t.Helper()
		if _, err := admin.Exec(ctx, fmt.Sprintf(`ALTER DATABASE %q ALLOW_CONNECTIONS %t`,
			dbName, allow)); err != nil {
			t.Fatal(err)
		}
		if !allow {
			if _, err := admin.Exec(ctx, `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
				WHERE datname = $1 AND pid <> pg_backend_pid()`, dbName); err != nil {
				t.Fatal(err)
			}
		}
	}

	body := fixture(t, "user.updated")
	id := e.newID()
	cut(false)
	res := e.do(e.signedRequest(id, body))
	cut(true)
	if res.status != http.StatusServiceUnavailable || res.header.Get("Retry-After") == "" {
		t.Fatalf("during the outage: got %d Retry-After=%q, want 503 with Retry-After",
			res.status, res.header.Get("Retry-After"))
	}
	if n := e.count(`SELECT count(*) FROM webhook_deliveries`); n != 0 {
		t.Fatalf("%d deliveries half-applied", n)
	}
	e.deliverAs(id, body, "processed")
	e.deliverAs(id, body, "duplicate")
	if n := e.count(`SELECT count(*) FROM audit_events WHERE svix_id = $1`, id); n != 1 {
		t.Errorf("audit rows = %d, want 1", n)
	}
}
