package clerkemu

import (
	"context"
	"net/http"
	"testing"

	"github.com/clerk/clerk-sdk-go/v2"
	"github.com/clerk/clerk-sdk-go/v2/invitation"
)

func TestApplicationInvitationsThroughSDK(t *testing.T) {
	ctx := context.Background()
	s := startEmu(t, Options{})
	invs := invitation.NewClient(config(s))

	var ids []string
	for _, email := range []string{"a@example.com", "b@example.com", "c@example.com"} {
		inv, err := invs.Create(ctx, &invitation.CreateParams{EmailAddress: email})
		if err != nil {
			t.Fatalf("Create: %v", err)
		}
		if inv.Status != InvitationPending || inv.Object != "invitation" || inv.ExpiresAt == nil {
			t.Errorf("created = %+v", inv)
		}
		ids = append(ids, inv.ID)
	}
	_, err := invs.Create(ctx, &invitation.CreateParams{EmailAddress: "a@example.com"})
	apiErr(t, err, http.StatusBadRequest, "duplicate_record")

	revoked, err := invs.Revoke(ctx, ids[0])
	if err != nil || revoked.Status != InvitationRevoked || !revoked.Revoked {
		t.Errorf("Revoke = %+v, %v", revoked, err)
	}
	_, err = invs.Revoke(ctx, ids[0])
	apiErr(t, err, http.StatusBadRequest, codeNotPending)
	_, err = invs.Revoke(ctx, "inv_nope")
	apiErr(t, err, http.StatusNotFound, codeNotFound)

	pending, err := invs.List(ctx, &invitation.ListParams{
		Statuses:   []string{InvitationPending},
		ListParams: clerk.ListParams{Limit: clerk.Int64(1)},
	})
	if err != nil || pending.TotalCount != 2 || len(pending.Invitations) != 1 ||
		pending.Invitations[0].ID != ids[2] {
		t.Errorf("List pending = %+v, %v", pending, err)
	}
}
