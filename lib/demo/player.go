package demo

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/portal-auth/portal-auth/lib/clock"
)

// settleTimeout bounds the wait for the webhooks of one step.
const settleTimeout = 15 * time.Second

// player plays the steps and remembers what they created.
type player struct {
	t    Target
	out  io.Writer
	pool *pgxpool.Pool
	http *http.Client
	emu  string // the emulator's admin base URL
	run  string

	n         int   // steps played
	lastAudit int64 // the newest audit row printed
	messages  int   // webhook messages queued before the demo began

	adminID, tenantID, invitationID, memberID string
	sessionID, token                          string
	tokenExpiry                               time.Time
	staleID                                   string
	staleCreated                              time.Time
}

// step is one line of the demo: it makes a request and says what the
// answer showed, or why it was not the expected one.
type step struct {
	name string
	do   func(ctx context.Context) (*exchange, string, error)
}

// exchange is one HTTP request and its answer.
type exchange struct {
	method, path string
	status       int
	header       http.Header
	body         []byte
}

// begin notes where the audit log and the emulator's messages stand, so
// only what the demo causes is shown and waited for.
func (p *player) begin(ctx context.Context) error {
	err := p.pool.QueryRow(ctx, `SELECT coalesce(max(id), 0) FROM audit_events`).Scan(&p.lastAudit)
	if err != nil {
		return fmt.Errorf("read audit log: %w", err)
	}
	states, err := p.messageStates(ctx)
	if err != nil {
		return err
	}
	p.messages = len(states)
	fmt.Fprintf(p.out, "demo against %s (run %s)\n\n", p.t.BaseURL, p.run)
	return nil
}

// play runs s, waits for the webhooks it caused and prints its audit rows.
func (p *player) play(ctx context.Context, s step) error {
	p.n++
	fmt.Fprintf(p.out, "%2d  %s\n", p.n, s.name)
	x, note, err := s.do(ctx)
	line := note
	if x != nil {
		line = strings.TrimSpace(fmt.Sprintf("%s %s → %d  %s", x.method, x.path, x.status, note))
	}
	if line != "" {
		fmt.Fprintf(p.out, "      %s\n", line)
	}
	if err == nil {
		err = p.settle(ctx)
	}
	if err == nil {
		err = p.printAudit(ctx)
	}
	if err != nil {
		fmt.Fprintf(p.out, "      FAILED: %v\n", err)
		return fmt.Errorf("step %d (%s): %w", p.n, s.name, err)
	}
	return nil
}

// call sends a request to base+path with a bearer token and JSON body.
func (p *player) call(ctx context.Context, method, base, path, bearer string,
	body any) (*exchange, error) {
	var r io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return nil, fmt.Errorf("encode request: %w", err)
		}
		r = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, base+path, r)
	if err != nil {
		return nil, fmt.Errorf("build request: %w", err)
	}
	req.Header.Set("Authorization", "Bearer "+bearer)
	req.Header.Set("Content-Type", "application/json")
	res, err := p.http.Do(req)
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", method, path, err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(io.LimitReader(res.Body, 4<<20))
	if err != nil {
		return nil, fmt.Errorf("%s %s: read answer: %w", method, path, err)
	}
	return &exchange{method: method, path: req.URL.Path, status: res.StatusCode,
		header: res.Header, body: b}, nil
}

// clerk calls the emulator's Backend API, expects 200 and decodes the
// answer into out (when not nil).
func (p *player) clerk(ctx context.Context, method, path string, body, out any) (*exchange, error) {
	x, err := p.call(ctx, method, p.t.ClerkAPIURL, path, p.t.ClerkSecretKey, body)
	if err != nil {
		return nil, err
	}
	if err := x.expect(http.StatusOK); err != nil {
		return x, err
	}
	if out != nil {
		if err := json.Unmarshal(x.body, out); err != nil {
			return x, fmt.Errorf("decode %s %s: %w", method, path, err)
		}
	}
	return x, nil
}

// expect returns an error unless the answer has the given status.
func (x *exchange) expect(status int) error {
	if x.status == status {
		return nil
	}
	return fmt.Errorf("%s %s answered %d, want %d: %s", x.method, x.path, x.status, status,
		snippet(x.body))
}

func snippet(b []byte) string {
	const max = 300
	if len(b) > max {
		return string(b[:max]) + "…"
	}
	return string(b)
}

// messageStates returns the state of every webhook message the emulator
// has queued, oldest first.
func (p *player) messageStates(ctx context.Context) ([]string, error) {
	x, err := p.call(ctx, http.MethodGet, p.emu, "/messages", p.t.ClerkSecretKey, nil)
	if err != nil {
		return nil, err
	}
	if err := x.expect(http.StatusOK); err != nil {
		return nil, fmt.Errorf("list webhook messages: %w", err)
	}
	var msgs []struct{ State string }
	if err := json.Unmarshal(x.body, &msgs); err != nil {
		return nil, fmt.Errorf("decode webhook messages: %w", err)
	}
	states := make([]string, len(msgs))
	for i, m := range msgs {
		states[i] = m.State
	}
	return states, nil
}

// settle waits until every webhook message queued since the demo began
// has been delivered, and fails on one that was not.
func (p *player) settle(ctx context.Context) error {
	deadline := time.Now().Add(settleTimeout)
	for {
		states, err := p.messageStates(ctx)
		if err != nil {
			return err
		}
		pending, problem := 0, ""
		for _, s := range states[min(p.messages, len(states)):] {
			switch s {
			case "pending":
				pending++
			case "delivered":
			default:
				problem = s
			}
		}
		switch {
		case problem != "":
			return fmt.Errorf("a webhook message ended %s", problem)
		case pending == 0:
			return nil
		case time.Now().After(deadline):
			return fmt.Errorf("%d webhook messages still pending after %s (see the dev "+
				"server's log)", pending, settleTimeout)
		}
		if err := clock.Sleep(ctx, 50*time.Millisecond); err != nil {
			return err
		}
	}
}
