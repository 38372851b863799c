package demo

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"github.com/portal-auth/portal-auth/lib/clock"
)

// inviteStale invites someone who will not answer before INVITE_MAX_AGE.
func (p *player) inviteStale(ctx context.Context) (*exchange, string, error) {
	var inv struct {
		ID        string
		CreatedAt int64 `json:"created_at"`
	}
	x, err := p.clerk(ctx, http.MethodPost, "/organizations/"+p.tenantID+"/invitations",
		map[string]any{"email_address": p.email("silent"), "role": "org:member",
			"inviter_user_id": p.adminID}, &inv)
	p.staleID, p.staleCreated = inv.ID, time.UnixMilli(inv.CreatedAt)
	return x, inv.ID, err
}

// runCron waits until the invitation is older than INVITE_MAX_AGE, then
// calls the cron as Vercel does and expects it to expire and revoke it.
func (p *player) runCron(ctx context.Context) (*exchange, string, error) {
	stale := p.staleCreated.Add(p.t.InviteMaxAge + time.Second)
	if wait := time.Until(stale); wait > 0 {
		fmt.Fprintf(p.out, "      (waiting %s for the invitation to pass INVITE_MAX_AGE=%s)\n",
			wait.Round(100*time.Millisecond), p.t.InviteMaxAge)
		if err := clock.Sleep(ctx, wait); err != nil {
			return nil, "", err
		}
	}
	x, err := p.call(ctx, http.MethodGet, p.t.BaseURL, "/api/v1/cron/invite-cleanup",
		p.t.CronSecret, nil)
	if err != nil {
		return nil, "", err
	}
	if err := x.expect(http.StatusOK); err != nil {
		return x, "", err
	}
	var res struct{ Expired, Revoked int }
	if err := json.Unmarshal(x.body, &res); err != nil {
		return x, "", fmt.Errorf("decode cron result: %w", err)
	}
	note := fmt.Sprintf("expired %d, revoked %d", res.Expired, res.Revoked)
	if res.Expired < 1 || res.Revoked < 1 {
		return x, note, fmt.Errorf("the cron %s, want at least one of each", note)
	}
	return x, note, nil
}

// staleRevoked checks, in the emulator, that the cron's revocation reached
// Clerk.
func (p *player) staleRevoked(ctx context.Context) (*exchange, string, error) {
	var inv struct{ Status string }
	x, err := p.clerk(ctx, http.MethodGet,
		"/organizations/"+p.tenantID+"/invitations/"+p.staleID, nil, &inv)
	if err == nil && inv.Status != "revoked" {
		err = fmt.Errorf("invitation %s is %q in Clerk, want revoked", p.staleID, inv.Status)
	}
	return x, "status " + inv.Status, err
}
