package invites_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/portal-auth/portal-auth/lib/config"
	"github.com/portal-auth/portal-auth/lib/httpx"
	"github.com/portal-auth/portal-auth/lib/invites"
)

const goodSecret = "cron-secret-0123456789abcdef"

// serve starts the cron endpoint over loopback HTTP and returns its URL.
func serve(t *testing.T, c *invites.Cleaner, secret string, logs *bytes.Buffer) string {
	t.Helper()
	logger := slog.New(slog.NewJSONHandler(logs, nil))
	cfg := &config.Config{CronSecret: secret}
	h := httpx.Adapter{Logger: logger}.Handle("invite-cleanup", invites.Handler(c, cfg, logger))
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv.URL + "/api/v1/cron/invite-cleanup"
}

func TestCronAuthorization(t *testing.T) {
	e := newEnv(t)
	c := e.cleaner(testSettings(), nil)
	tests := []struct {
		name          string
		secret        string // configured CRON_SECRET
		method        string
		authorization string
		want          int
		misconfigured bool
	}{
		{"no header", goodSecret, "GET", "", 401, false},
		{"wrong secret", goodSecret, "GET", "Bearer wrong-secret-0123456789abc", 401, false},
		{"secret with a suffix", goodSecret, "GET", "Bearer " + goodSecret + "x", 401, false},
		{"secret without scheme", goodSecret, "GET", goodSecret, 401, false},
		{"basic scheme", goodSecret, "GET", "Basic " + goodSecret, 401, false},
		{"empty bearer, empty secret", "", "GET", "Bearer ", 401, true},
		{"empty bearer", goodSecret, "GET", "Bearer ", 401, false},
		{"short secret presented", "short-secret", "GET", "Bearer short-secret", 401, true},
		{"lowercase scheme accepted", goodSecret, "GET", "bearer " + goodSecret, 200, false},
		{"right secret", goodSecret, "GET", "Bearer " + goodSecret, 200, false},
		{"post", goodSecret, "POST", "Bearer " + goodSecret, 405, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var logs bytes.Buffer
			url := serve(t, c, tt.secret, &logs)
			req, _ := http.NewRequest(tt.method, url, nil)
			if tt.authorization != "" {
				req.Header.Set("Authorization", tt.authorization)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			var body map[string]any
			if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
				t.Fatalf("decode body: %v", err)
			}

			if resp.StatusCode != tt.want {
				t.Errorf("status = %d, want %d (body %v)", resp.StatusCode, tt.want, body)
			}
			misconfigured := strings.Contains(logs.String(), "cron secret misconfigured")
			if misconfigured != tt.misconfigured {
				t.Errorf("configuration error logged = %v, want %v", misconfigured, tt.misconfigured)
			}
			if tt.secret != "" && strings.Contains(logs.String(), tt.secret) {
				t.Errorf("the secret appears in the logs:\n%s", logs.String())
			}
			checkBody(t, resp, body, tt.want)
		})
	}
}

func checkBody(t *testing.T, resp *http.Response, body map[string]any, status int) {
	t.Helper()
	switch status {
	case 200:
		for _, key := range []string{"expired", "revoked", "actions_done", "actions_rescheduled",
			"actions_dead", "payloads_purged", "sessions_purged", "remaining", "duration_ms"} {
			if _, ok := body[key]; !ok {
				t.Errorf("body lacks %q: %v", key, body)
			}
		}
	case 401:
		if body["error"] != "unauthorized" || resp.Header.Get("WWW-Authenticate") != "Bearer" {
			t.Errorf("401 body %v, WWW-Authenticate %q", body, resp.Header.Get("WWW-Authenticate"))
		}
	case 405:
		if resp.Header.Get("Allow") != "GET" {
			t.Errorf("Allow = %q, want GET", resp.Header.Get("Allow"))
		}
	}
}

func TestDatabaseUnavailableIs503(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // nothing listens there any more
	pool, err := pgxpool.New(context.Background(),
		fmt.Sprintf("postgres://nobody@%s/none?sslmode=disable&connect_timeout=2", addr))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	c := invites.New(pool, invites.Clerk{APIURL: "http://" + addr + "/v1"}, nil, nil, testSettings())
	var logs bytes.Buffer
	url := serve(t, c, goodSecret, &logs)

	req, _ := http.NewRequest("GET", url, nil)
	req.Header.Set("Authorization", "Bearer "+goodSecret)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()

	if resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") != "60" {
		t.Errorf("status %d, Retry-After %q; want 503 with 60",
			resp.StatusCode, resp.Header.Get("Retry-After"))
	}
}
