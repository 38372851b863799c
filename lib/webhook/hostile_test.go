package webhook_test

import (
	"bytes"
	"net/http"
	"testing"
)

// A NUL in any text field of a signed event must not make the delivery fail
// forever: its change (here a removal and a ban) must still be applied.
func TestNULInTextFieldsIsStrippedAndTheEventApplied(t *testing.T) {
	e := newEnv(t)
	e.deliver(fixture(t, "organizationMembership.updated"), "processed")

	removal := bytes.Replace(fixture(t, "organizationMembership.deleted"),
		[]byte(`"name": "Acme Logistics"`), []byte(`"name": "Acme\u0000Logistics"`), 1)
	removal = bytes.Replace(removal, []byte(`"role": "org:admin"`), []byte(`"role": "org:ad\u0000min"`), 1)
	removal = bytes.Replace(removal, []byte(`"client_ip": "203.0.113.24"`),
		[]byte(`"client_ip": "203.0.113.24\u0000"`), 1)
	e.deliver(removal, "processed")
	if n := e.count(`SELECT count(*) FROM memberships WHERE user_id = $1 AND deleted_at IS NOT NULL
		AND role = 'org:admin'`, sam); n != 1 {
		t.Error("the removal with NULs in its text was not applied")
	}

	ban := bytes.Replace(fixture(t, "user.updated"), []byte(`"first_name": "Sam"`),
		[]byte(`"first_name": "S\u0000am"`), 1)
	e.deliver(ban, "processed")
	if n := e.count(`SELECT count(*) FROM users WHERE id = $1 AND banned AND first_name = 'Sam'`,
		sam); n != 1 {
		t.Error("the ban with a NUL in the name was not applied")
	}

	odd := []byte(`{"type":"user.upd\u0000ated","data":{"id":"user_x"}}`)
	e.deliver(odd, "ignored")
}

func TestNonASCIIMessageIDIsRefused(t *testing.T) {
	e := newEnv(t)
	for _, id := range []string{"msg_\xff\xfe", "msg with space", "msg_é"} {
		res := e.do(e.signedRequest(id, fixture(t, "user.created")))
		if res.status != http.StatusUnauthorized {
			t.Errorf("id %q: got %d %v, want 401", id, res.status, res.body)
		}
	}
}

// Two states of a user stamped with the same updated_at must end the same
// whatever their order: the more restrictive one wins.
func TestEqualTimestampsResolveToTheRestrictiveState(t *testing.T) {
	banned := fixture(t, "user.updated") // banned: true
	unbanned := bytes.Replace(banned, []byte(`"banned": true`), []byte(`"banned": false`), 1)
	for name, order := range map[string][][]byte{
		"ban first": {banned, unbanned}, "ban last": {unbanned, banned},
	} {
		t.Run(name, func(t *testing.T) {
			e := newEnv(t)
			for _, body := range order {
				e.deliver(body, "processed")
			}
			if n := e.count(`SELECT count(*) FROM users WHERE id = $1 AND banned`, sam); n != 1 {
				t.Error("the ban was lost to an unbanned state with the same updated_at")
			}
		})
	}
}
