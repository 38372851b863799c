package sessioncheck

import (
	"net/http"
	"testing"
	"time"
)

// TestRevocationIsImmediate denies the same still-valid token once the
// webhooks have recorded a ban, a removal or a revocation.
func TestRevocationIsImmediate(t *testing.T) {
	tests := []struct {
		name   string
		sql    string
		status int
		code   string
	}{
		{"user banned", `UPDATE users SET banned = true`, 403, "user_disabled"},
		{"user deleted", `UPDATE users SET deleted_at = now()`, 403, "user_disabled"},
		{"membership removed", `UPDATE memberships SET deleted_at = now()`, 403, "not_a_member"},
		{"organization deleted", `UPDATE tenants SET deleted_at = now()`, 403, "not_a_member"},
		{"session revoked", `UPDATE sessions SET status = 'revoked'`, 401, "session_revoked"},
		{"session ended", `UPDATE sessions SET status = 'ended'`, 401, "session_revoked"},
		{"session removed", `UPDATE sessions SET status = 'removed'`, 401, "session_revoked"},
		{"session ended_at set", `UPDATE sessions SET ended_at = now()`, 401, "session_revoked"},
		{"session expired", `UPDATE sessions SET status = 'expired'`, 401, "session_expired"},
		{"session of another user", `INSERT INTO users (id) VALUES ('user_bob');
			UPDATE sessions SET user_id = 'user_bob'`, 401, "session_revoked"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			e.seed()
			tok := e.mint(params())
			wantStatus(t, e.check(bearerRequest(tok)), http.StatusOK, "")

			e.exec(tt.sql)
			wantStatus(t, e.check(bearerRequest(tok)), tt.status, tt.code)
		})
	}
}

// TestSessionLimits expires a known session idle or older than configured,
// or past its expire_at, whatever the token says.
func TestSessionLimits(t *testing.T) {
	tests := []struct {
		name   string
		column string
		ago    time.Duration
		code   string
	}{
		{"active 11h ago", "last_active_at", 11 * time.Hour, ""},
		{"idle 13h", "last_active_at", 13 * time.Hour, "session_expired"},
		{"created 29 days ago", "clerk_created_at", 29 * 24 * time.Hour, ""},
		{"created 31 days ago", "clerk_created_at", 31 * 24 * time.Hour, "session_expired"},
		{"expire_at in a minute", "expire_at", -time.Minute, ""},
		{"expire_at passed", "expire_at", time.Second, "session_expired"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			e.seed()
			e.exec(`UPDATE sessions SET `+tt.column+` = $1`, e.clock.Now().Add(-tt.ago))
			got := e.check(bearerRequest(e.mint(params())))
			if tt.code == "" {
				wantStatus(t, got, http.StatusOK, "")
				return
			}
			wantStatus(t, got, http.StatusUnauthorized, tt.code)
		})
	}
}

// TestMembershipRoleWins takes the role from the membership row, not from
// the token, once the webhook has recorded it.
func TestMembershipRoleWins(t *testing.T) {
	e := newEnv(t)
	e.seed()
	e.exec(`UPDATE memberships SET role = 'org:viewer'`)
	got := e.check(bearerRequest(e.mint(params())))
	wantStatus(t, got, http.StatusOK, "")
	if got.Role != "viewer" {
		t.Fatalf("role = %q, want viewer from the membership row", got.Role)
	}
}

// TestWebhookInFlight trusts the token's organization claims while nothing
// is recorded about the user in the tenant, but only for the token's active
// organization.
func TestWebhookInFlight(t *testing.T) {
	noOrg := params()
	noOrg.NoOrg = true
	noRole := params()
	noRole.OrgRole = ""

	tests := []struct {
		name   string
		seed   string
		tenant string
		noOrg  bool
		status int
		code   string
		role   string
	}{
		{name: "nothing recorded, active org", status: 200, role: "admin"},
		{name: "nothing recorded, header names the active org", tenant: orgID,
			status: 200, role: "admin"},
		{name: "nothing recorded, another tenant", tenant: otherOrg,
			status: 403, code: "not_a_member"},
		{name: "user recorded, membership not yet",
			seed:   `INSERT INTO users (id) VALUES ('user_alice')`,
			status: 200, role: "admin"},
		{name: "member of another tenant by row", tenant: otherOrg, seed: `
			INSERT INTO users (id) VALUES ('user_alice');
			INSERT INTO tenants (id) VALUES ('org_other');
			INSERT INTO memberships (tenant_id, user_id, role)
				VALUES ('org_other', 'user_alice', 'org:viewer')`,
			status: 200, role: "viewer"},
		{name: "removed from the active org", seed: `
			INSERT INTO users (id) VALUES ('user_alice');
			INSERT INTO tenants (id) VALUES ('org_acme');
			INSERT INTO memberships (tenant_id, user_id, role, deleted_at)
				VALUES ('org_acme', 'user_alice', 'org:admin', now())`,
			status: 403, code: "not_a_member"},
		{name: "active org deleted",
			seed:   `INSERT INTO tenants (id, deleted_at) VALUES ('org_acme', now())`,
			status: 403, code: "not_a_member"},
		{name: "no org and no header", noOrg: true, status: 403, code: "no_tenant"},
		{name: "no org, header, no row", noOrg: true, tenant: orgID,
			status: 403, code: "not_a_member"},
		{name: "malformed tenant header", tenant: "org_acme\x7f",
			status: 403, code: "not_a_member"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			if tt.seed != "" {
				e.exec(tt.seed)
			}
			p := params()
			if tt.noOrg {
				p = noOrg
			}
			var header []string
			if tt.tenant != "" {
				header = []string{"X-Tenant-Id", tt.tenant}
			}
			got := e.check(bearerRequest(e.mint(p), header...))
			wantStatus(t, got, tt.status, tt.code)
			if got.Role != tt.role {
				t.Fatalf("role = %q, want %q", got.Role, tt.role)
			}
		})
	}

	t.Run("token org without a role", func(t *testing.T) {
		e := newEnv(t)
		wantStatus(t, e.check(bearerRequest(e.mint(noRole))), 403, "not_a_member")
	})
}
