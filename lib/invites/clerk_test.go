package invites_test

import (
	"bytes"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/portal-auth/portal-auth/lib/clerkemu"
)

func TestClerkFailureReschedulesOnlyThatAction(t *testing.T) {
	tests := []struct {
		name  string
		fault clerkemu.Fault
	}{
		{"server error", clerkemu.Fault{Status: http.StatusInternalServerError, Times: 1}},
		{"timeout", clerkemu.Fault{Delay: time.Second, Times: 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			org := e.createOrgInvitations(5)
			e.emu.SetFault(revokeOrgRoute, tt.fault)
			s := testSettings()
			s.CallTimeout = 300 * time.Millisecond

			res := runOnce(t, e.cleaner(s, nil))

			if res.Expired != 5 || res.Revoked != 4 || res.ActionsRescheduled != 1 {
				t.Errorf("result = %+v, want 5 expired, 4 revoked, 1 rescheduled", res)
			}
			if res.DurationMS > 2000 {
				t.Errorf("run took %d ms; a failing call should cost one call timeout", res.DurationMS)
			}
			n := e.count(`SELECT count(*) FROM clerk_actions
				WHERE status = 'pending' AND attempts = 1 AND last_error <> ''
				  AND next_attempt_at > now() + interval '50 minutes'`)
			if n != 1 {
				t.Errorf("%d actions rescheduled with the backoff, want 1", n)
			}
			revoked := 0
			for _, status := range e.orgInvitationStatuses(org) {
				if status == "revoked" {
					revoked++
				}
			}
			if revoked != 4 {
				t.Errorf("%d invitations revoked in Clerk, want 4", revoked)
			}
		})
	}
}

func TestRateLimitStopsClerkCallsForRetryAfter(t *testing.T) {
	e := newEnv(t)
	e.createOrgInvitations(10)
	e.emu.SetRateLimit(4, 30*time.Second) // the fifth call gets 429, Retry-After: 30
	e.calls.calls = nil
	s := testSettings()
	s.Budget = 2 * time.Second

	start := time.Now()
	res := runOnce(t, e.cleaner(s, nil))

	if elapsed := time.Since(start); elapsed > s.Budget+time.Second {
		t.Errorf("run took %v; a Retry-After past the budget should end Clerk work", elapsed)
	}
	if !res.RateLimited || res.Complete || res.Remaining == 0 {
		t.Errorf("result = %+v, want rate limited and work remaining", res)
	}
	calls := e.calls.list()
	for i, c := range calls {
		if c.status == http.StatusTooManyRequests && i != len(calls)-1 {
			t.Errorf("%d calls sent after a 429 asking to wait 30 s", len(calls)-1-i)
			break
		}
	}
	if got := e.count(`SELECT count(*) FROM clerk_actions WHERE status = 'done'`); got != res.Revoked {
		t.Errorf("%d actions done, result says %d revoked", got, res.Revoked)
	}
}

func TestShortRetryAfterIsWaitedOut(t *testing.T) {
	e := newEnv(t)
	e.createOrgInvitations(10)
	e.emu.SetRateLimit(4, time.Second)
	e.calls.calls = nil
	s := testSettings()
	s.BaseBackoff = 10 * time.Millisecond

	res := runOnce(t, e.cleaner(s, nil))

	if res.Revoked != 10 || !res.RateLimited || !res.Complete {
		t.Errorf("result = %+v, want all 10 revoked in one rate-limited run", res)
	}
	calls := e.calls.list()
	limited := 0
	for i, c := range calls {
		if c.status != http.StatusTooManyRequests || i == len(calls)-1 {
			continue
		}
		limited++
		secs, _ := strconv.Atoi(c.retryAfter)
		if gap := calls[i+1].sent.Sub(c.done); gap < time.Duration(secs)*time.Second-50*time.Millisecond {
			t.Errorf("call %d sent %v after a 429 with Retry-After %s", i+1, gap, c.retryAfter)
		}
	}
	if limited == 0 {
		t.Error("no 429 seen; the test needs the emulator's rate limit")
	}
}

func TestPacerKeepsUnderClerkRateLimit(t *testing.T) {
	e := newEnv(t)
	e.createOrgInvitations(30)
	e.emu.SetRateLimit(10, time.Second)
	e.calls.calls = nil
	s := testSettings()
	s.ClerkRequests, s.ClerkWindow = 9, time.Second // a margin for network jitter

	res := runOnce(t, e.cleaner(s, nil))

	if res.Revoked != 30 || res.RateLimited {
		t.Errorf("result = %+v, want 30 revoked without a 429", res)
	}
	for _, c := range e.calls.list() {
		if c.status == http.StatusTooManyRequests {
			t.Errorf("%s %s answered 429 despite the pacer", c.method, c.path)
		}
	}
}

func TestFailingActionGoesDeadAfterMaxAttempts(t *testing.T) {
	e := newEnv(t)
	e.createOrgInvitations(1)
	e.emu.SetFault(revokeOrgRoute, clerkemu.Fault{Status: http.StatusBadGateway})
	var logs bytes.Buffer
	logger := slog.New(slog.NewJSONHandler(&logs, nil))
	s := testSettings()
	s.MaxAttempts, s.BaseBackoff = 3, time.Millisecond
	c := e.cleaner(s, logger)

	dead := 0
	for i := 0; i < 20 && dead == 0; i++ {
		time.Sleep(5 * time.Millisecond)
		dead += runOnce(t, c).ActionsDead
	}

	if dead != 1 {
		t.Fatalf("actions_dead = %d, want 1", dead)
	}
	n := e.count(`SELECT count(*) FROM clerk_actions WHERE status = 'dead' AND attempts = 3`)
	if n != 1 {
		t.Errorf("%d dead actions after 3 attempts, want 1", n)
	}
	for id, n := range e.calls.revocations() {
		if n != 3 {
			t.Errorf("invitation %s: %d revoke requests, want 3", id, n)
		}
	}
	if !strings.Contains(logs.String(), `"level":"ERROR","msg":"clerk action dead"`) {
		t.Errorf("no error log for the dead action:\n%s", logs.String())
	}
}
