package webhook_test

import (
	"bytes"
	"math/rand/v2"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
)

const (
	jane = "user_2E71Lhfe8L6HLVy5Br215dewC1z"
	sam  = "user_2cJjpGFnsVxs7fe4l1BzeBe04JE"
	acme = "org_2Q2Pkph4dWYAUJkdFvpUWFt9g8f"
)

func TestEveryFixtureIsApplied(t *testing.T) {
	e := newEnv(t)
	names := []string{
		"user.created", "user.updated", "user.deleted",
		"session.created", "session.ended", "session.removed", "session.revoked",
		"organization.created", "organization.updated", "organization.deleted",
		"organizationMembership.created", "organizationMembership.updated",
		"organizationMembership.deleted",
		"organizationInvitation.created", "organizationInvitation.accepted",
		"organizationInvitation.revoked",
	}
	for _, name := range names {
		t.Run(name, func(t *testing.T) {
			id := e.deliver(fixture(t, name), "processed")
			if n := e.count(`SELECT count(*) FROM audit_events WHERE svix_id = $1 AND action = $2`,
				id, name); n != 1 {
				t.Errorf("audit rows for %s = %d, want 1", name, n)
			}
			if n := e.count(`SELECT count(*) FROM webhook_deliveries
				WHERE svix_id = $1 AND status = 'processed' AND event_type = $2`, id, name); n != 1 {
				t.Errorf("delivery rows for %s = %d, want 1", name, n)
			}
		})
	}
}

func TestStoryInOrderGivesExpectedState(t *testing.T) {
	e := newEnv(t)
	for _, body := range allFixtures(t) {
		e.deliver(body, "processed")
	}
	checks := []struct {
		name, sql string
		want      int
	}{
		{"jane live with primary email", `SELECT count(*) FROM users WHERE id = $1
			AND email = 'JANE.DOE@example.com' AND deleted_at IS NULL`, 1},
		{"sam is a tombstone without personal data", `SELECT count(*) FROM users WHERE id = $2
			AND deleted_at IS NOT NULL AND email IS NULL AND first_name IS NULL`, 1},
		{"tenant deleted", `SELECT count(*) FROM tenants WHERE id = $3 AND deleted_at IS NOT NULL`, 1},
		{"no live membership left", `SELECT count(*) FROM memberships WHERE deleted_at IS NULL`, 0},
		{"accepted invitation", `SELECT count(*) FROM invitations
			WHERE status = 'accepted' AND kind = 'organization' AND tenant_id = $3`, 1},
		{"revoked invitation", `SELECT count(*) FROM invitations WHERE status = 'revoked'`, 1},
		{"every session ended", `SELECT count(*) FROM sessions WHERE ended_at IS NULL`, 0},
		{"revocations queued for sam", `SELECT count(*) FROM clerk_actions
			WHERE kind = 'revoke_user_sessions' AND target_id = $2`, 1},
	}
	for _, c := range checks {
		sql := c.sql + ` AND $1::text IS NOT NULL AND $2::text IS NOT NULL AND $3::text IS NOT NULL`
		if got := e.count(sql, jane, sam, acme); got != c.want {
			t.Errorf("%s: got %d, want %d", c.name, got, c.want)
		}
	}
}

func TestShuffledStoriesReachTheSameState(t *testing.T) {
	bodies := allFixtures(t)
	inOrder := newEnv(t)
	for _, body := range bodies {
		inOrder.deliver(body, "processed")
	}
	want := inOrder.snapshot()

	for seed := uint64(1); seed <= 6; seed++ {
		e := newEnv(t)
		shuffled := append([][]byte(nil), bodies...)
		r := rand.New(rand.NewPCG(seed, seed*7919))
		r.Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
		for _, body := range shuffled {
			e.deliver(body, "processed")
		}
		if diff := cmp.Diff(want, e.snapshot()); diff != "" {
			t.Errorf("seed %d: final state differs (-in order +shuffled):\n%s", seed, diff)
		}
	}
}

func TestDuplicateDeliveryChangesNothing(t *testing.T) {
	e := newEnv(t)
	body := fixture(t, "user.created")
	id := e.deliver(body, "processed")
	before := e.snapshot()
	e.deliverAs(id, body, "duplicate")
	e.deliverAs(id, body, "duplicate")
	if diff := cmp.Diff(before, e.snapshot()); diff != "" {
		t.Errorf("state changed (-before +after):\n%s", diff)
	}
	if n := e.count(`SELECT count(*) FROM audit_events WHERE svix_id = $1`, id); n != 1 {
		t.Errorf("audit rows = %d, want 1", n)
	}
}

func TestConcurrentCopiesApplyOnce(t *testing.T) {
	e := newEnv(t)
	body := fixture(t, "organizationMembership.deleted")
	id := e.newID()
	const copies = 8
	statuses := make([]string, copies)
	var wg sync.WaitGroup
	for i := range copies {
		wg.Add(1)
		go func() {
			defer wg.Done()
			res := e.do(e.signedRequest(id, body))
			statuses[i] = res.body["status"]
		}()
	}
	wg.Wait()
	processed, duplicate := 0, 0
	for _, s := range statuses {
		switch s {
		case "processed":
			processed++
		case "duplicate":
			duplicate++
		}
	}
	if processed != 1 || duplicate != copies-1 {
		t.Errorf("statuses %v: want 1 processed and %d duplicate", statuses, copies-1)
	}
	if n := e.count(`SELECT count(*) FROM audit_events WHERE svix_id = $1`, id); n != 1 {
		t.Errorf("audit rows = %d, want 1", n)
	}
	if n := e.count(`SELECT count(*) FROM clerk_actions`); n != 1 {
		t.Errorf("clerk actions = %d, want 1", n)
	}
}

func TestStaleUpdateChangesNothing(t *testing.T) {
	e := newEnv(t)
	newer := fixture(t, "user.created")
	older := bytes.Replace(newer, []byte(`"updated_at": 1759741200025`),
		[]byte(`"updated_at": 1759741100000`), 1)
	older = bytes.Replace(older, []byte(`"first_name": "Jane"`), []byte(`"first_name": "Old"`), 1)
	e.deliver(newer, "processed")
	id := e.deliver(older, "processed")
	if n := e.count(`SELECT count(*) FROM users WHERE first_name = 'Jane'`); n != 1 {
		t.Error("an older event overwrote a newer state")
	}
	if n := e.count(`SELECT count(*) FROM audit_events WHERE svix_id = $1
		AND data->>'applied' = 'false'`, id); n != 1 {
		t.Error("the stale event's audit row does not say it was not applied")
	}
}

func TestLateCreateAfterDeleteStaysDeleted(t *testing.T) {
	e := newEnv(t)
	created := bytes.ReplaceAll(fixture(t, "user.created"), []byte(jane), []byte(sam))
	created = bytes.Replace(created, []byte("jane.doe@"), []byte("sam.lee@"), 1)
	e.deliver(fixture(t, "user.deleted"), "processed")
	e.deliver(created, "processed")
	if n := e.count(`SELECT count(*) FROM users WHERE id = $1 AND deleted_at IS NOT NULL
		AND email IS NULL AND first_name IS NULL`, sam); n != 1 {
		t.Error("a late user.created brought a deleted user back")
	}
}

func TestDeletedUserNeverSeenIsTombstoned(t *testing.T) {
	e := newEnv(t)
	e.deliver(fixture(t, "user.deleted"), "processed")
	if n := e.count(`SELECT count(*) FROM users WHERE id = $1 AND deleted_at IS NOT NULL`, sam); n != 1 {
		t.Error("no tombstone for an unseen user")
	}
}

func TestMembershipBeforeParentsCreatesMinimalRows(t *testing.T) {
	e := newEnv(t)
	e.deliver(fixture(t, "organizationMembership.updated"), "processed")
	if n := e.count(`SELECT count(*) FROM memberships WHERE tenant_id = $1 AND user_id = $2
		AND role = 'org:admin' AND deleted_at IS NULL`, acme, sam); n != 1 {
		t.Error("membership not stored")
	}
	e.deliver(fixture(t, "organization.created"), "processed")
	if n := e.count(`SELECT count(*) FROM tenants WHERE id = $1 AND slug = 'acme-logistics'`,
		acme); n != 1 {
		t.Error("the tenant's own event did not fill in the minimal row")
	}
}

func TestUnknownFieldsAndMissingOptionalFields(t *testing.T) {
	e := newEnv(t)
	body := []byte(`{"type":"user.created","object":"event","timestamp":1759741200041,
		"brand_new_field":{"x":[1,2]},
		"data":{"id":"user_minimal","object":"user","primary_email_address_id":null,
			"email_addresses":[],"updated_at":1759741200025,"surprise":true}}`)
	e.deliver(body, "processed")
	if n := e.count(`SELECT count(*) FROM users WHERE id = 'user_minimal' AND email IS NULL
		AND first_name IS NULL AND NOT banned`); n != 1 {
		t.Error("minimal user not stored")
	}
}

func TestUnknownEventTypeIsIgnoredAndRecorded(t *testing.T) {
	e := newEnv(t)
	id := e.deliver([]byte(`{"type":"email.created","object":"event","data":{"id":"ema_1"}}`),
		"ignored")
	if n := e.count(`SELECT count(*) FROM webhook_deliveries WHERE svix_id = $1
		AND status = 'ignored' AND event_type = 'email.created'`, id); n != 1 {
		t.Error("ignored delivery not recorded")
	}
}

func TestUndecodableSignedBodyIsKeptAsRejected(t *testing.T) {
	e := newEnv(t)
	cases := map[string][]byte{
		"not json":        []byte(`{"type": "user.created", "data": `),
		"data wrong type": []byte(`{"type":"user.created","data":{"id":42}}`),
		"no id":           []byte(`{"type":"organization.created","data":{"name":"x"}}`),
	}
	for name, body := range cases {
		t.Run(name, func(t *testing.T) {
			id := e.deliver(body, "rejected")
			var stored []byte
			if err := e.pool.QueryRow(t.Context(), `SELECT payload FROM webhook_deliveries
				WHERE svix_id = $1 AND status = 'rejected' AND error IS NOT NULL`, id).
				Scan(&stored); err != nil {
				t.Fatalf("rejected delivery not stored: %v", err)
			}
			if !bytes.Equal(stored, body) {
				t.Error("stored payload differs from the body")
			}
		})
	}
}

func TestAuditDataHoldsNoPersonalData(t *testing.T) {
	e := newEnv(t)
	for _, body := range allFixtures(t) {
		e.deliver(body, "processed")
	}
	for _, needle := range []string{"@example.com", "Jane", "Sam", "Doe", "Lee"} {
		if n := e.count(`SELECT count(*) FROM audit_events WHERE data::text LIKE '%' || $1 || '%'`,
			needle); n != 0 {
			t.Errorf("audit data contains %q in %d rows", needle, n)
		}
	}
	if n := e.count(`SELECT count(*) FROM audit_events WHERE client_ip IS NOT NULL
		AND user_agent IS NOT NULL`); n == 0 {
		t.Error("audit rows lack the client IP and user agent")
	}
}
