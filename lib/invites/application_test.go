package invites_test

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/clerk/clerk-sdk-go/v2"
	"github.com/clerk/clerk-sdk-go/v2/invitation"

	"github.com/portal-auth/portal-auth/lib/clerkemu"
)

func TestApplicationInvitationsAreReadPageByPage(t *testing.T) {
	e := newEnv(t)
	stale := e.createAppInvitations(15, 10*24*time.Hour)
	fresh := e.createAppInvitations(10, 0)
	e.calls.calls = nil
	s := testSettings()
	s.PageSize = 10

	res := runOnce(t, e.cleaner(s, nil))

	if res.ApplicationSynced != 25 || res.Expired != 15 || res.Revoked != 15 || !res.Complete {
		t.Errorf("result = %+v, want 25 synced, 15 expired and revoked", res)
	}
	lists := 0
	for _, c := range e.calls.list() {
		if c.method == http.MethodGet && strings.HasSuffix(c.path, "/invitations") {
			lists++
		}
	}
	if lists != 3 {
		t.Errorf("%d list requests, want 3 pages of 10", lists)
	}
	if n := e.count(`SELECT count(*) FROM invitations
		WHERE kind = 'application' AND tenant_id IS NULL AND email LIKE 'app%'`); n != 25 {
		t.Errorf("%d application invitations stored, want 25", n)
	}
	if n := e.count(`SELECT count(*) FROM invitations
		WHERE kind = 'application' AND status = 'expired' AND id = ANY ($1)`, stale); n != 15 {
		t.Errorf("%d stale invitations expired, want 15", n)
	}
	if n := e.count(`SELECT count(*) FROM audit_events
		WHERE action = 'invitation.expired' AND tenant_id IS NULL
		  AND data->>'kind' = 'application'`); n != 15 {
		t.Errorf("%d audit rows, want 15", n)
	}
	if got := e.pendingAppInvitations(); !sameSet(got, fresh) {
		t.Errorf("pending in Clerk: %d invitations, want the %d fresh ones", len(got), len(fresh))
	}

	again := runOnce(t, e.cleaner(s, nil))
	if again.ApplicationSynced != 10 || again.Expired != 0 || again.Revoked != 0 {
		t.Errorf("second run = %+v, want 10 synced and nothing expired", again)
	}
}

// pendingAppInvitations lists the ids of Clerk's pending application
// invitations.
func (e *env) pendingAppInvitations() []string {
	e.t.Helper()
	list, err := invitation.NewClient(e.clerkConfig()).List(context.Background(),
		&invitation.ListParams{
			ListParams: clerk.ListParams{Limit: clerk.Int64(500)},
			Statuses:   []string{"pending"},
		})
	if err != nil {
		e.t.Fatalf("list application invitations: %v", err)
	}
	var ids []string
	for _, inv := range list.Invitations {
		ids = append(ids, inv.ID)
	}
	return ids
}

func sameSet(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}

func TestFailedListingLeavesTheRestOfTheRunAlone(t *testing.T) {
	e := newEnv(t)
	e.createAppInvitations(3, 10*24*time.Hour)
	e.createOrgInvitations(2)
	e.emu.SetFault("GET /invitations", clerkemu.Fault{Status: http.StatusInternalServerError, Times: 1})

	res := runOnce(t, e.cleaner(testSettings(), nil))

	if res.ApplicationSynced != 0 || res.Complete {
		t.Errorf("result = %+v, want nothing synced and the run incomplete", res)
	}
	if res.Expired != 2 || res.Revoked != 2 {
		t.Errorf("result = %+v, want the 2 organization invitations expired and revoked", res)
	}

	next := runOnce(t, e.cleaner(testSettings(), nil))
	if next.ApplicationSynced != 3 || next.Revoked != 3 || !next.Complete {
		t.Errorf("next run = %+v, want the 3 application invitations done", next)
	}
}
