package webhook_test

import (
	"fmt"
	"testing"
)

// userEvent is a minimal user.updated body.
func userEvent(id, email string, updatedAt int64) []byte {
	return fmt.Appendf(nil, `{"type":"user.updated","object":"event","data":{"id":%q,
		"object":"user","primary_email_address_id":"idn_%s",
		"email_addresses":[{"id":"idn_%s","email_address":%q}],"updated_at":%d}}`,
		id, id, id, email, updatedAt)
}

func TestEmailMovesBetweenUsersInAnyOrder(t *testing.T) {
	// A holds the address at t1, gives it up at t2; B takes it at t3 with
	// other letter case. Every order ends with B holding it and A on its new one.
	events := map[string][]byte{
		"a1": userEvent("user_a", "Shared@Example.com", 1000),
		"a2": userEvent("user_a", "a.new@example.com", 2000),
		"b3": userEvent("user_b", "shared@example.com", 3000),
	}
	orders := [][]string{
		{"a1", "a2", "b3"}, {"a1", "b3", "a2"}, {"b3", "a1", "a2"},
		{"b3", "a2", "a1"}, {"a2", "b3", "a1"}, {"a2", "a1", "b3"},
	}
	for _, order := range orders {
		t.Run(fmt.Sprint(order), func(t *testing.T) {
			e := newEnv(t)
			for _, name := range order {
				e.deliver(events[name], "processed")
			}
			if n := e.count(`SELECT count(*) FROM users WHERE id = 'user_b'
				AND email = 'SHARED@example.com'`); n != 1 {
				t.Error("B does not hold the shared address (compared case-insensitively)")
			}
			if n := e.count(`SELECT count(*) FROM users WHERE id = 'user_a'
				AND email = 'a.new@example.com'`); n != 1 {
				t.Error("A is not on its new address")
			}
		})
	}
}

func TestDeletedUserFreesItsAddress(t *testing.T) {
	e := newEnv(t)
	e.deliver(userEvent("user_a", "x@example.com", 1000), "processed")
	e.deliver([]byte(`{"type":"user.deleted","data":{"id":"user_a","deleted":true}}`), "processed")
	e.deliver(userEvent("user_b", "x@example.com", 500), "processed")
	if n := e.count(`SELECT count(*) FROM users WHERE id = 'user_b' AND email = 'x@example.com'`); n != 1 {
		t.Error("an address held only by a deleted user was not given to a live one")
	}
}
