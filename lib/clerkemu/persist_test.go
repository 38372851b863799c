package clerkemu

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/clerk/clerk-sdk-go/v2/organization"
	"github.com/clerk/clerk-sdk-go/v2/user"
)

func TestStateReloads(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "clerk.json")
	first, err := Start("", Options{StatePath: path, RateLimit: -1})
	must(t, err)
	u, err := first.CreateUser(UserParams{EmailAddresses: []string{"p@example.com"}})
	must(t, err)
	org, err := first.CreateOrganization(OrganizationParams{Name: "Kept", CreatedBy: u.ID})
	must(t, err)
	identity := []string{first.SecretKey(), first.WebhookSecret(), first.PublishableKey(),
		first.PublicKeyPEM(), first.KeyID(), first.InstanceID()}
	must(t, first.Close())

	second, err := Start("", Options{StatePath: path, RateLimit: -1})
	must(t, err)
	t.Cleanup(func() { must(t, second.Close()) })
	got := []string{second.SecretKey(), second.WebhookSecret(), second.PublishableKey(),
		second.PublicKeyPEM(), second.KeyID(), second.InstanceID()}
	for i := range identity {
		if got[i] != identity[i] {
			t.Errorf("identity field %d changed: %q → %q", i, identity[i], got[i])
		}
	}
	if _, err := user.NewClient(config(second)).Get(ctx, u.ID); err != nil {
		t.Errorf("user after reload: %v", err)
	}
	if o, err := organization.NewClient(config(second)).Get(ctx, org.ID); err != nil ||
		o.Name != "Kept" {
		t.Errorf("organization after reload: %+v, %v", o, err)
	}
}
