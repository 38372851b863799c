package invites_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/clerk/clerk-sdk-go/v2/invitation"
)

// TestUnlistedApplicationInvitationsTakeClerksStatus accepts one invitation
// and revokes another in Clerk (no webhook exists for these); the next run
// records both statuses, audits them and leaves the still pending one alone.
func TestUnlistedApplicationInvitationsTakeClerksStatus(t *testing.T) {
	e := newEnv(t)
	ids := e.createAppInvitations(3, 0)
	runOnce(t, e.cleaner(testSettings(), nil))
	accepted, revoked, pending := ids[0], ids[1], ids[2]

	e.acceptAppInvitation(accepted)
	if _, err := invitation.NewClient(e.clerkConfig()).Revoke(context.Background(), revoked); err != nil {
		t.Fatal(err)
	}
	res := runOnce(t, e.cleaner(testSettings(), nil))

	if res.Reconciled != 2 {
		t.Errorf("reconciled %d, want 2 (result %+v)", res.Reconciled, res)
	}
	for id, want := range map[string]string{accepted: "accepted", revoked: "revoked", pending: "pending"} {
		if n := e.count(`SELECT count(*) FROM invitations WHERE id = $1 AND status = $2`, id, want); n != 1 {
			t.Errorf("%s: status is not %s", id, want)
		}
	}
	if n := e.count(`SELECT count(*) FROM audit_events WHERE action = 'invitation.reconciled'`); n != 2 {
		t.Errorf("%d reconciliation audit rows, want 2", n)
	}
}

// acceptAppInvitation stands for the invitee signing up through the link.
func (e *env) acceptAppInvitation(id string) {
	e.t.Helper()
	req, err := http.NewRequest(http.MethodPost, e.emu.URL()+"/invitations/"+id+"/accept", nil)
	if err != nil {
		e.t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+e.emu.SecretKey())
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		e.t.Fatalf("accept invitation: %d", res.StatusCode)
	}
}
