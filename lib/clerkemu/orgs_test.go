package clerkemu

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"testing"

	"github.com/clerk/clerk-sdk-go/v2"
	"github.com/clerk/clerk-sdk-go/v2/organization"
	"github.com/clerk/clerk-sdk-go/v2/organizationinvitation"
	"github.com/clerk/clerk-sdk-go/v2/organizationmembership"
)

func TestOrganizationsThroughSDK(t *testing.T) {
	ctx := context.Background()
	s := startEmu(t, Options{})
	orgs := organization.NewClient(config(s))
	jane, _ := s.CreateUser(UserParams{EmailAddresses: []string{"jane@example.com"}})

	org, err := orgs.Create(ctx, &organization.CreateParams{
		Name: clerk.String("Acme Logistics"), CreatedBy: clerk.String(jane.ID),
	})
	if err != nil {
		t.Fatalf("Create: %v", err)
	}
	if org.Slug != "acme-logistics" || org.CreatedBy != jane.ID || org.Object != "organization" {
		t.Errorf("created = %+v", org)
	}

	updated, err := orgs.Update(ctx, org.ID, &organization.UpdateParams{Name: clerk.String("Acme")})
	if err != nil || updated.Name != "Acme" || updated.Slug != "acme-logistics" {
		t.Errorf("Update = %+v, %v", updated, err)
	}
	bySlug, err := orgs.GetWithParams(ctx, "acme-logistics",
		&organization.GetParams{IncludeMembersCount: clerk.Bool(true)})
	if err != nil || bySlug.ID != org.ID || *bySlug.MembersCount != 1 {
		t.Errorf("Get by slug = %+v, %v", bySlug, err)
	}

	del, err := orgs.Delete(ctx, org.ID)
	if err != nil || !del.Deleted || del.ID != org.ID || del.Object != "organization" {
		t.Errorf("Delete = %+v, %v", del, err)
	}
	_, err = orgs.Get(ctx, org.ID)
	apiErr(t, err, http.StatusNotFound, codeNotFound)
}

func TestMembershipsThroughSDK(t *testing.T) {
	ctx := context.Background()
	s := startEmu(t, Options{})
	members := organizationmembership.NewClient(config(s))
	jane, _ := s.CreateUser(UserParams{EmailAddresses: []string{"jane@example.com"}})
	sam, _ := s.CreateUser(UserParams{EmailAddresses: []string{"sam@example.com"},
		FirstName: "Sam"})
	org, _ := s.CreateOrganization(OrganizationParams{Name: "Acme", CreatedBy: jane.ID})

	m, err := members.Create(ctx, &organizationmembership.CreateParams{
		OrganizationID: org.ID, UserID: clerk.String(sam.ID), Role: clerk.String("org:member"),
	})
	if err != nil {
		t.Fatalf("Create: %v", err)
	}
	if m.Role != "org:member" || m.RoleName != "Member" || m.Organization.ID != org.ID ||
		m.PublicUserData.UserID != sam.ID || m.PublicUserData.Identifier != "sam@example.com" ||
		*m.Organization.MembersCount != 2 {
		t.Errorf("created = %+v", m)
	}

	up, err := members.Update(ctx, &organizationmembership.UpdateParams{
		OrganizationID: org.ID, UserID: sam.ID, Role: clerk.String("org:admin"),
	})
	if err != nil || up.Role != "org:admin" || up.ID != m.ID {
		t.Errorf("Update = %+v, %v", up, err)
	}

	list, err := members.List(ctx, &organizationmembership.ListParams{OrganizationID: org.ID})
	if err != nil || list.TotalCount != 2 {
		t.Errorf("List = %+v, %v", list, err)
	}

	gone, err := members.Delete(ctx, &organizationmembership.DeleteParams{
		OrganizationID: org.ID, UserID: sam.ID,
	})
	if err != nil || gone.ID != m.ID {
		t.Errorf("Delete = %+v, %v", gone, err)
	}

	_, err = members.Create(ctx, &organizationmembership.CreateParams{
		OrganizationID: org.ID, UserID: clerk.String(jane.ID), Role: clerk.String("org:member"),
	})
	apiErr(t, err, http.StatusBadRequest, codeAlreadyMember)
	_, err = members.Delete(ctx, &organizationmembership.DeleteParams{OrganizationID: org.ID,
		UserID: sam.ID})
	apiErr(t, err, http.StatusNotFound, codeNotFound)
}

func TestOrganizationInvitationsThroughSDK(t *testing.T) {
	ctx := context.Background()
	s := startEmu(t, Options{})
	invs := organizationinvitation.NewClient(config(s))
	jane, _ := s.CreateUser(UserParams{EmailAddresses: []string{"jane@example.com"}})
	org, _ := s.CreateOrganization(OrganizationParams{Name: "Acme", CreatedBy: jane.ID})

	create := func(email string) *clerk.OrganizationInvitation {
		inv, err := invs.Create(ctx, &organizationinvitation.CreateParams{
			OrganizationID: org.ID, EmailAddress: clerk.String(email),
			Role: clerk.String("org:member"), InviterUserID: clerk.String(jane.ID),
		})
		if err != nil {
			t.Fatalf("Create: %v", err)
		}
		return inv
	}
	sam, alex := create("sam@example.com"), create("alex@example.com")
	if sam.Status != InvitationPending || sam.URL == "" || sam.ExpiresAt == nil ||
		sam.RoleName != "Member" {
		t.Errorf("created = %+v", sam)
	}

	revoked, err := invs.Revoke(ctx,
		&organizationinvitation.RevokeParams{OrganizationID: org.ID, ID: alex.ID})
	if err != nil || revoked.Status != InvitationRevoked {
		t.Errorf("Revoke = %+v, %v", revoked, err)
	}
	_, err = invs.Revoke(ctx, &organizationinvitation.RevokeParams{OrganizationID: org.ID,
		ID: alex.ID})
	apiErr(t, err, http.StatusBadRequest, codeNotPending)

	pending, err := invs.List(ctx, &organizationinvitation.ListParams{
		OrganizationID: org.ID, Statuses: &[]string{InvitationPending},
	})
	if err != nil || pending.TotalCount != 1 || pending.OrganizationInvitations[0].ID != sam.ID {
		t.Errorf("List pending = %+v, %v", pending, err)
	}

	accepted := acceptOverHTTP(t, s, org.ID, sam.ID)
	if accepted.Status != InvitationAccepted {
		t.Errorf("accepted = %+v", accepted)
	}
	got, err := invs.Get(ctx, &organizationinvitation.GetParams{OrganizationID: org.ID, ID: sam.ID})
	if err != nil || got.Status != InvitationAccepted {
		t.Errorf("Get = %+v, %v", got, err)
	}
	members, err := organizationmembership.NewClient(config(s)).List(ctx,
		&organizationmembership.ListParams{OrganizationID: org.ID})
	if err != nil || members.TotalCount != 2 {
		t.Errorf("members after accept = %+v, %v", members, err)
	}
}

// acceptOverHTTP calls the emulator-only accept route without a user id, so
// the user is created from the invitation.
func acceptOverHTTP(t *testing.T, s *Server, orgID, invID string) OrgInvitation {
	t.Helper()
	url := s.URL() + "/organizations/" + orgID + "/invitations/" + invID + "/accept"
	req, _ := http.NewRequest(http.MethodPost, url, bytes.NewReader([]byte(`{"first_name":"Sam"}`)))
	req.Header.Set("Authorization", "Bearer "+s.SecretKey())
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var inv OrgInvitation
	if err := json.NewDecoder(resp.Body).Decode(&inv); err != nil || resp.StatusCode != 200 {
		t.Fatalf("accept: %d %v", resp.StatusCode, err)
	}
	return inv
}
