package invites_test

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestExpiresOnlyStalePendingInvitations(t *testing.T) {
	e := newEnv(t)
	e.exec(`INSERT INTO tenants (id, name) VALUES ('org_a', 'A')`)
	e.exec(`
		INSERT INTO invitations (id, kind, tenant_id, email, status, expires_at, clerk_created_at)
		VALUES ('past_expiry', 'organization', 'org_a', 'a@example.com', 'pending',
		        now() - interval '1 minute', now() - interval '1 day'),
		       ('too_old', 'organization', 'org_a', 'b@example.com', 'pending',
		        now() + interval '1 day', now() - interval '8 days'),
		       ('fresh', 'organization', 'org_a', 'c@example.com', 'pending',
		        now() + interval '1 day', now() - interval '1 day'),
		       ('accepted', 'organization', 'org_a', 'd@example.com', 'accepted',
		        now() - interval '1 day', now() - interval '30 days')`)

	res := runOnce(t, e.cleaner(testSettings(), nil))

	if res.Expired != 2 || res.Revoked != 2 || res.Remaining != 0 || !res.Complete {
		t.Errorf("result = %+v, want 2 expired and revoked, nothing remaining", res)
	}
	rows, err := e.pool.Query(context.Background(),
		`SELECT id, status FROM invitations ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for rows.Next() {
		var id, status string
		if err := rows.Scan(&id, &status); err != nil {
			t.Fatal(err)
		}
		got[id] = status
	}
	want := map[string]string{"past_expiry": "expired", "too_old": "expired",
		"fresh": "pending", "accepted": "accepted"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("statuses (-want +got):\n%s", diff)
	}
	checkAudit(t, e, "past_expiry", "org_a", "expires_at")
	checkAudit(t, e, "too_old", "org_a", "max_age")
	if n := e.count(`SELECT count(*) FROM clerk_actions
		WHERE kind = 'revoke_organization_invitation' AND parent_id = 'org_a'
		  AND status = 'done'`); n != 2 {
		t.Errorf("done revocations = %d, want 2", n)
	}
}

// checkAudit checks the one invitation.expired row of an invitation.
func checkAudit(t *testing.T, e *env, id, tenant, reason string) {
	t.Helper()
	var action, source, gotTenant string
	var data []byte
	err := e.pool.QueryRow(context.Background(), `
		SELECT action, source, tenant_id, data FROM audit_events
		 WHERE subject_type = 'invitation' AND subject_id = $1`, id).
		Scan(&action, &source, &gotTenant, &data)
	if err != nil {
		t.Fatalf("audit row of %s: %v", id, err)
	}
	var got map[string]any
	if err := json.Unmarshal(data, &got); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"invitation_id": id, "kind": "organization", "reason": reason,
		"changed": []any{"status"}}
	if diff := cmp.Diff(want, got); diff != "" || action != "invitation.expired" ||
		source != "cron" || gotTenant != tenant {
		t.Errorf("audit of %s: %s %s %s, data (-want +got):\n%s",
			id, action, source, gotTenant, diff)
	}
}
