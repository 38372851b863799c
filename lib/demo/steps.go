package demo

import (
	"context"
	"fmt"
	"net/http"
)

// steps lists the lifecycle in order.
func (p *player) steps() []step {
	return []step{
		{"an admin signs up", p.adminSignsUp},
		{`the admin creates tenant "Acme"`, p.createTenant},
		{"the admin invites a member", p.inviteMember},
		{"the member accepts the invitation", p.acceptInvitation},
		{"the member signs in to Acme", p.signIn},
		{"session check: the member's role", p.expectRole("member")},
		{"the admin promotes the member", p.promote},
		{"session check: the promoted role", p.expectRole("admin")},
		{"the admin removes the member from Acme", p.removeMember},
		{"the webhook revoked the member's sessions", p.sessionRevoked},
		{"session check: the same token, still valid", p.expectRefused},
		{"the admin invites someone who never answers", p.inviteStale},
		{"the cron expires and revokes the stale invite", p.runCron},
		{"Clerk shows the stale invitation revoked", p.staleRevoked},
		{"the audit chain verifies", p.verifyChain},
	}
}

func (p *player) email(who string) string { return who + "-" + p.run + "@example.com" }

func (p *player) adminSignsUp(ctx context.Context) (*exchange, string, error) {
	var u struct{ ID string }
	x, err := p.clerk(ctx, http.MethodPost, "/users", map[string]any{
		"email_address": []string{p.email("admin")}, "first_name": "Ada", "last_name": "Admin",
	}, &u)
	p.adminID = u.ID
	return x, u.ID, err
}

func (p *player) createTenant(ctx context.Context) (*exchange, string, error) {
	var org struct{ ID string }
	x, err := p.clerk(ctx, http.MethodPost, "/organizations", map[string]any{
		"name": "Acme", "slug": "acme-" + p.run, "created_by": p.adminID,
	}, &org)
	p.tenantID = org.ID
	return x, org.ID, err
}

func (p *player) inviteMember(ctx context.Context) (*exchange, string, error) {
	var inv struct{ ID string }
	x, err := p.clerk(ctx, http.MethodPost, "/organizations/"+p.tenantID+"/invitations",
		map[string]any{"email_address": p.email("member"), "role": "org:member",
			"inviter_user_id": p.adminID}, &inv)
	p.invitationID = inv.ID
	return x, inv.ID, err
}

// acceptInvitation uses the emulator's stand-in for the invitee following
// the link: the user signs up from the invitation and becomes a member.
func (p *player) acceptInvitation(ctx context.Context) (*exchange, string, error) {
	var inv struct {
		Status string
		UserID string `json:"user_id"`
	}
	x, err := p.clerk(ctx, http.MethodPost,
		"/organizations/"+p.tenantID+"/invitations/"+p.invitationID+"/accept", nil, &inv)
	p.memberID = inv.UserID
	if err == nil && (inv.Status != "accepted" || inv.UserID == "") {
		err = fmt.Errorf("invitation is %q with user %q, want accepted", inv.Status, inv.UserID)
	}
	return x, "user " + inv.UserID, err
}

func (p *player) promote(ctx context.Context) (*exchange, string, error) {
	x, err := p.clerk(ctx, http.MethodPatch,
		"/organizations/"+p.tenantID+"/memberships/"+p.memberID,
		map[string]string{"role": "org:admin"}, nil)
	return x, "role org:admin", err
}

func (p *player) removeMember(ctx context.Context) (*exchange, string, error) {
	x, err := p.clerk(ctx, http.MethodDelete,
		"/organizations/"+p.tenantID+"/memberships/"+p.memberID, nil, nil)
	return x, "", err
}

// sessionRevoked checks, in the emulator, that the webhook's forced logout
// reached Clerk.
func (p *player) sessionRevoked(ctx context.Context) (*exchange, string, error) {
	var s struct{ Status string }
	x, err := p.clerk(ctx, http.MethodGet, "/sessions/"+p.sessionID, nil, &s)
	if err == nil && s.Status != "revoked" {
		err = fmt.Errorf("session %s is %q in Clerk, want revoked", p.sessionID, s.Status)
	}
	return x, "status " + s.Status, err
}
