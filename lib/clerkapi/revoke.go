package clerkapi

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/clerk/clerk-sdk-go/v2"
	"github.com/clerk/clerk-sdk-go/v2/organizationinvitation"
	"github.com/clerk/clerk-sdk-go/v2/session"
)

// Each revocation treats "already revoked" and "not found" as success: when
// Clerk refuses with a 4xx, the object is read back, and a missing or no
// longer active object counts as done.

// RevokeSession revokes one session.
func (c *Client) RevokeSession(ctx context.Context, sessionID string) error {
	_, err := c.Sessions.Revoke(ctx, &session.RevokeParams{ID: sessionID})
	if err == nil || !isClientError(err) {
		return wrap("revoke session", err)
	}
	s, getErr := c.Sessions.Get(ctx, sessionID)
	if StatusOf(getErr) == http.StatusNotFound || (getErr == nil && s.Status != "active") {
		return nil
	}
	return wrap("revoke session", err)
}

// RevokeUserSessions revokes every active session of a user.
func (c *Client) RevokeUserSessions(ctx context.Context, userID string) error {
	status := "active"
	revoked := map[string]bool{}
	for {
		list, err := c.Sessions.List(ctx, &session.ListParams{UserID: &userID, Status: &status})
		if StatusOf(err) == http.StatusNotFound {
			return nil
		}
		if err != nil {
			return wrap("list user sessions", err)
		}
		if len(list.Sessions) == 0 {
			return nil
		}
		for _, s := range list.Sessions {
			if revoked[s.ID] {
				return fmt.Errorf("revoke user sessions: session %s still active after revocation", s.ID)
			}
			if err := c.RevokeSession(ctx, s.ID); err != nil {
				return err
			}
			revoked[s.ID] = true
		}
	}
}

// RevokeOrganizationInvitation revokes a pending organization invitation.
func (c *Client) RevokeOrganizationInvitation(ctx context.Context, orgID, invID string) error {
	_, err := c.OrgInvitations.Revoke(ctx, &organizationinvitation.RevokeParams{
		OrganizationID: orgID, ID: invID,
	})
	if err == nil || !isClientError(err) {
		return wrap("revoke organization invitation", err)
	}
	inv, getErr := c.OrgInvitations.Get(ctx, &organizationinvitation.GetParams{
		OrganizationID: orgID, ID: invID,
	})
	if StatusOf(getErr) == http.StatusNotFound || (getErr == nil && inv.Status != "pending") {
		return nil
	}
	return wrap("revoke organization invitation", err)
}

// RevokeApplicationInvitation revokes a pending application invitation.
func (c *Client) RevokeApplicationInvitation(ctx context.Context, invID string) error {
	_, err := c.Invitations.Revoke(ctx, invID)
	if err == nil || !isClientError(err) {
		return wrap("revoke application invitation", err)
	}
	if StatusOf(err) == http.StatusNotFound || isAlreadyRevoked(err) {
		return nil
	}
	return wrap("revoke application invitation", err)
}

// isAlreadyRevoked recognises Clerk's refusal to revoke a non-pending
// invitation (the application invitations API has no single-object read).
func isAlreadyRevoked(err error) bool {
	var apiErr *clerk.APIErrorResponse
	if !errors.As(err, &apiErr) {
		return false
	}
	for _, e := range apiErr.Errors {
		switch e.Code {
		case "already_revoked", "invitation_already_revoked", "revoked_invitation",
			"already_accepted", "invitation_already_accepted", "invitation_not_pending":
			return true
		}
	}
	return false
}

func wrap(op string, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("%s: %w", op, err)
}
