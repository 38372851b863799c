package seed

import (
	"context"
	"net/http"
	"strings"

	"github.com/clerk/clerk-sdk-go/v2"
	"github.com/clerk/clerk-sdk-go/v2/invitation"
	"github.com/clerk/clerk-sdk-go/v2/organization"
	"github.com/clerk/clerk-sdk-go/v2/organizationinvitation"
	"github.com/clerk/clerk-sdk-go/v2/organizationmembership"
	"github.com/clerk/clerk-sdk-go/v2/user"

	"github.com/portal-auth/portal-auth/lib/clerkapi"
)

// lookupLimit is the page size of the filtered look-ups; each filter
// matches at most a handful of objects.
var lookupLimit int64 = 100

// liveInvitationStatuses are the statuses of an invitation that is not to
// be sent again: still open, or already used.
var liveInvitationStatuses = []string{"pending", "accepted"}

func (s *Seeder) seedUser(ctx context.Context, u User) error {
	list, err := call(ctx, s, "find user", func(ctx context.Context) (*clerk.UserList, error) {
		return s.users.List(ctx, &user.ListParams{
			ListParams:     clerk.ListParams{Limit: &lookupLimit},
			EmailAddresses: []string{u.Email},
		})
	})
	if err != nil {
		return err
	}
	for _, found := range list.Users {
		if hasAddress(found, u.Email) {
			s.userIDs[strings.ToLower(u.Email)] = found.ID
			s.record(ctx, KindUser, found.ID, false)
			return nil
		}
	}

	skip := true
	created, err := call(ctx, s, "create user", func(ctx context.Context) (*clerk.User, error) {
		return s.users.Create(ctx, &user.CreateParams{
			EmailAddresses:          &[]string{u.Email},
			FirstName:               optional(u.FirstName),
			LastName:                optional(u.LastName),
			SkipPasswordRequirement: &skip,
		})
	})
	if err != nil {
		return err
	}
	s.userIDs[strings.ToLower(u.Email)] = created.ID
	s.record(ctx, KindUser, created.ID, true)
	return nil
}

func hasAddress(u *clerk.User, addr string) bool {
	for _, a := range u.EmailAddresses {
		if a != nil && strings.EqualFold(a.EmailAddress, addr) {
			return true
		}
	}
	return false
}

// seedOrganization finds the tenant by slug or creates it, returning its id.
func (s *Seeder) seedOrganization(ctx context.Context, t Tenant) (string, error) {
	org, err := call(ctx, s, "find organization",
		func(ctx context.Context) (*clerk.Organization, error) {
			return s.orgs.Get(ctx, t.Slug)
		})
	if err == nil {
		s.record(ctx, KindTenant, org.ID, false)
		return org.ID, nil
	}
	if clerkapi.StatusOf(err) != http.StatusNotFound {
		return "", err
	}

	org, err = call(ctx, s, "create organization",
		func(ctx context.Context) (*clerk.Organization, error) {
			return s.orgs.Create(ctx, &organization.CreateParams{Name: &t.Name, Slug: &t.Slug})
		})
	if err != nil {
		return "", err
	}
	s.record(ctx, KindTenant, org.ID, true)
	return org.ID, nil
}

func (s *Seeder) seedMembership(ctx context.Context, orgID string, m Member) error {
	userID := s.userIDs[strings.ToLower(m.Email)]
	list, err := call(ctx, s, "find membership",
		func(ctx context.Context) (*clerk.OrganizationMembershipList, error) {
			return s.memberships.List(ctx, &organizationmembership.ListParams{
				ListParams:     clerk.ListParams{Limit: &lookupLimit},
				OrganizationID: orgID,
				UserIDs:        []string{userID},
			})
		})
	if err != nil {
		return err
	}
	for _, found := range list.OrganizationMemberships {
		if found.PublicUserData != nil && found.PublicUserData.UserID == userID {
			s.record(ctx, KindMembership, found.ID, false)
			return nil
		}
	}

	created, err := call(ctx, s, "create membership",
		func(ctx context.Context) (*clerk.OrganizationMembership, error) {
			return s.memberships.Create(ctx, &organizationmembership.CreateParams{
				OrganizationID: orgID, UserID: &userID, Role: &m.Role,
			})
		})
	if err != nil {
		return err
	}
	s.record(ctx, KindMembership, created.ID, true)
	return nil
}

func (s *Seeder) seedOrgInvitation(ctx context.Context, orgID string, inv Invitation) error {
	statuses := liveInvitationStatuses
	list, err := call(ctx, s, "find organization invitation",
		func(ctx context.Context) (*clerk.OrganizationInvitationList, error) {
			return s.orgInvites.List(ctx, &organizationinvitation.ListParams{
				ListParams:     clerk.ListParams{Limit: &lookupLimit},
				OrganizationID: orgID,
				EmailAddress:   &inv.Email,
				Statuses:       &statuses,
			})
		})
	if err != nil {
		return err
	}
	for _, found := range list.OrganizationInvitations {
		if strings.EqualFold(found.EmailAddress, inv.Email) {
			s.record(ctx, KindOrgInvitation, found.ID, false)
			return nil
		}
	}

	created, err := call(ctx, s, "create organization invitation",
		func(ctx context.Context) (*clerk.OrganizationInvitation, error) {
			return s.orgInvites.Create(ctx, &organizationinvitation.CreateParams{
				OrganizationID: orgID, EmailAddress: &inv.Email, Role: &inv.Role,
			})
		})
	if err != nil {
		return err
	}
	s.record(ctx, KindOrgInvitation, created.ID, true)
	return nil
}

func (s *Seeder) seedApplicationInvitation(ctx context.Context, inv ApplicationInvitation) error {
	list, err := call(ctx, s, "find application invitation",
		func(ctx context.Context) (*clerk.InvitationList, error) {
			return s.appInvites.List(ctx, &invitation.ListParams{
				ListParams: clerk.ListParams{Limit: &lookupLimit},
				Query:      &inv.Email,
				Statuses:   liveInvitationStatuses,
			})
		})
	if err != nil {
		return err
	}
	for _, found := range list.Invitations {
		if strings.EqualFold(found.EmailAddress, inv.Email) {
			s.record(ctx, KindAppInvitation, found.ID, false)
			return nil
		}
	}

	created, err := call(ctx, s, "create application invitation",
		func(ctx context.Context) (*clerk.Invitation, error) {
			return s.appInvites.Create(ctx, &invitation.CreateParams{EmailAddress: inv.Email})
		})
	if err != nil {
		return err
	}
	s.record(ctx, KindAppInvitation, created.ID, true)
	return nil
}

func optional(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}
