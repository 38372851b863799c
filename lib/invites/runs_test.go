package invites_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/portal-auth/portal-auth/lib/invites"
)

func TestTenThousandStaleInvitationsFinishAcrossRuns(t *testing.T) {
	e := newEnv(t)
	for _, tenant := range []string{"org_1", "org_2", "org_3", "org_4"} {
		e.seedStaleOrgInvitations(tenant, 2500)
	}
	s := testSettings()
	s.Budget = 300 * time.Millisecond
	c := e.cleaner(s, nil)

	var total invites.Result
	runs := 0
	for ; runs < 200; runs++ {
		res := runOnce(t, c)
		// One Clerk call in flight and the final count may pass the budget.
		took := time.Duration(res.DurationMS) * time.Millisecond
		if took > s.Budget+700*time.Millisecond {
			t.Errorf("run %d took %d ms, over the budget of %v", runs, res.DurationMS, s.Budget)
		}
		total.Expired += res.Expired
		total.Revoked += res.Revoked
		total.ActionsDone += res.ActionsDone
		if res.Complete {
			if res.Remaining != 0 {
				t.Errorf("last run: complete with %d remaining", res.Remaining)
			}
			break
		}
		if res.Remaining == 0 {
			t.Errorf("run %d: incomplete but 0 remaining: %+v", runs, res)
		}
	}
	runs++

	if runs < 3 {
		t.Errorf("finished in %d runs; the budget should have needed several", runs)
	}
	if total.Expired != 10000 || total.Revoked != 10000 || total.ActionsDone != 10000 {
		t.Errorf("totals over %d runs = %+v, want 10000 expired, revoked and done", runs, total)
	}
	checkOncePerInvitation(t, e, 10000)
	t.Logf("%d runs", runs)
}

func TestOverlappingRunsProcessEachInvitationOnce(t *testing.T) {
	e := newEnv(t)
	org := e.createOrgInvitations(300)
	e.seedStaleOrgInvitations("org_db_only", 1700)
	s := testSettings()
	s.BatchSize, s.ActionBatch = 50, 10

	results := make([]invites.Result, 2)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range results {
		c := e.cleaner(s, nil) // two instances, as Vercel may start
		wg.Go(func() {
			<-start
			var err error
			results[i], err = c.Run(context.Background())
			if err != nil {
				t.Errorf("run %d: %v", i, err)
			}
		})
	}
	close(start)
	wg.Wait()

	t.Logf("results: %+v", results)
	if got := results[0].Expired + results[1].Expired; got != 2000 {
		t.Errorf("expired %d in total, want 2000: %+v", got, results)
	}
	if got := results[0].Revoked + results[1].Revoked; got != 2000 {
		t.Errorf("revoked %d in total, want 2000: %+v", got, results)
	}
	checkOncePerInvitation(t, e, 2000)
	for id, n := range e.calls.revocations() {
		if n != 1 {
			t.Errorf("invitation %s: %d revoke requests, want 1", id, n)
		}
	}
	for id, status := range e.orgInvitationStatuses(org) {
		if status != "revoked" {
			t.Errorf("invitation %s is %s in Clerk, want revoked", id, status)
		}
	}

	again := runOnce(t, e.cleaner(s, nil))
	if again.Expired != 0 || again.Revoked != 0 || again.ActionsDone != 0 || !again.Complete {
		t.Errorf("duplicate run = %+v, want nothing done", again)
	}
}

// checkOncePerInvitation checks that n invitations are expired, each with
// exactly one audit row and one done revocation.
func checkOncePerInvitation(t *testing.T, e *env, n int) {
	t.Helper()
	if got := e.count(`SELECT count(*) FROM invitations WHERE status = 'expired'`); got != n {
		t.Errorf("%d invitations expired, want %d", got, n)
	}
	got := e.count(`SELECT count(*) FROM audit_events WHERE action = 'invitation.expired'`)
	if got != n {
		t.Errorf("%d audit rows, want %d", got, n)
	}
	if got := e.count(`SELECT count(DISTINCT subject_id) FROM audit_events`); got != n {
		t.Errorf("%d invitations audited, want %d", got, n)
	}
	if got := e.count(`SELECT count(*) FROM clerk_actions WHERE status = 'done'`); got != n {
		t.Errorf("%d done clerk actions, want %d", got, n)
	}
	if got := e.count(`SELECT count(*) FROM clerk_actions WHERE attempts <> 1`); got != 0 {
		t.Errorf("%d clerk actions attempted other than once", got)
	}
}
