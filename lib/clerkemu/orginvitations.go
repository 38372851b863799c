package clerkemu

import (
	"net/http"
	"slices"
	"strings"
)

type orgInvitationBody struct {
	EmailAddress    string   `json:"email_address"`
	Role            string   `json:"role"`
	RedirectURL     string   `json:"redirect_url"`
	InviterUserID   string   `json:"inviter_user_id"`
	PublicMetadata  Metadata `json:"public_metadata"`
	PrivateMetadata Metadata `json:"private_metadata"`
	ExpiresInDays   int64    `json:"expires_in_days"`
}

// AcceptOrganizationInvitation stands for the invitee following the
// invitation link: userID, when empty, is found by the invitation's e-mail
// address or created from it (user.created). The membership is created
// (organizationMembership.created) and the invitation accepted
// (organizationInvitation.accepted). It returns ErrNotFound for unknown ids
// and an error when the invitation is not pending.
func (e *Emulator) AcceptOrganizationInvitation(orgID, invID,
	userID string) (OrgInvitation, error) {
	var inv *OrgInvitation
	err := e.withLock(func() (err error) {
		inv, err = e.acceptOrgInvitationLocked(orgID, invID, acceptBody{UserID: userID})
		return err
	})
	if err != nil {
		return OrgInvitation{}, goError(err)
	}
	return clone(e, inv), nil
}

func (e *Emulator) createOrgInvitationRoute(r *http.Request) (any, error) {
	var b orgInvitationBody
	if err := decodeBody(r, &b); err != nil {
		return nil, err
	}
	if b.EmailAddress == "" {
		return nil, errMissing("email_address")
	}
	if err := checkRole(b.Role); err != nil {
		return nil, err
	}
	return e.lockedRaw(func() (any, error) {
		return e.createOrgInvitationLocked(r.PathValue("id"), b, apiOrigin(r))
	})
}

func (e *Emulator) createOrgInvitationLocked(orgID string, b orgInvitationBody,
	o origin) (*OrgInvitation, error) {
	org, err := e.mustOrgLocked(orgID)
	if err != nil {
		return nil, err
	}
	e.expireLocked()
	if u := e.userByEmailLocked(b.EmailAddress); u != nil &&
		e.findMembershipLocked(org.ID, u.ID) != nil {
		return nil, errBadRequest(codeAlreadyMember, "already a member",
			"The invited user is already a member of the organization.")
	}
	if slices.ContainsFunc(e.st.OrgInvitations, func(i *OrgInvitation) bool {
		return i.OrganizationID == org.ID && i.Status == InvitationPending &&
			strings.EqualFold(i.EmailAddress, b.EmailAddress)
	}) {
		return nil, errBadRequest("duplicate_record", "duplicate invitation",
			"There is already a pending invitation for this email address.")
	}
	now := e.now()
	inv := &OrgInvitation{
		CreatedAt: now.UnixMilli(), EmailAddress: strings.ToLower(b.EmailAddress),
		ExpiresAt: expiry(now, b.ExpiresInDays), ID: newID("orginv"),
		Object: "organization_invitation", OrganizationID: org.ID,
		PrivateMetadata: replaceMetadata(b.PrivateMetadata),
		PublicMetadata:  replaceMetadata(b.PublicMetadata),
		Role:            b.Role, RoleName: roleName(b.Role), Status: InvitationPending,
		UpdatedAt: now.UnixMilli(), URL: ticketURL(b.RedirectURL),
	}
	e.st.OrgInvitations = append(e.st.OrgInvitations, inv)
	e.emitLocked("organizationInvitation.created", inv, o)
	return inv, nil
}

func (e *Emulator) mustOrgInvitationLocked(orgID, id string) (*OrgInvitation, error) {
	org, err := e.mustOrgLocked(orgID)
	if err != nil {
		return nil, err
	}
	e.expireLocked()
	for _, inv := range e.st.OrgInvitations {
		if inv.ID == id && inv.OrganizationID == org.ID {
			return inv, nil
		}
	}
	return nil, errNotFound("organization invitation")
}

func (e *Emulator) listOrgInvitationsRoute(r *http.Request) (any, error) {
	q := r.URL.Query()
	return e.lockedRaw(func() (any, error) {
		org, err := e.mustOrgLocked(r.PathValue("id"))
		if err != nil {
			return nil, err
		}
		e.expireLocked()
		var out []*OrgInvitation
		for _, inv := range e.st.OrgInvitations {
			if inv.OrganizationID == org.ID &&
				anyOf(q["status"], func(s string) bool { return s == inv.Status }) &&
				anyOf(q["email_address"], func(s string) bool {
					return strings.EqualFold(s, inv.EmailAddress)
				}) {
				out = append(out, inv)
			}
		}
		page, total, err := paginate(q, newestFirst(out))
		return listBody[*OrgInvitation]{Data: page, TotalCount: total}, err
	})
}

func (e *Emulator) getOrgInvitationRoute(r *http.Request) (any, error) {
	return e.lockedRaw(func() (any, error) {
		return e.mustOrgInvitationLocked(r.PathValue("id"), r.PathValue("inv"))
	})
}

func (e *Emulator) revokeOrgInvitationRoute(r *http.Request) (any, error) {
	return e.lockedRaw(func() (any, error) {
		inv, err := e.mustOrgInvitationLocked(r.PathValue("id"), r.PathValue("inv"))
		if err != nil {
			return nil, err
		}
		if inv.Status != InvitationPending {
			return nil, errNotPending(inv.Status)
		}
		inv.Status, inv.URL, inv.UpdatedAt = InvitationRevoked, nil, e.nowMS()
		e.emitLocked("organizationInvitation.revoked", inv, apiOrigin(r))
		return inv, nil
	})
}

// acceptOrgInvitationRoute is emulator-only; see AcceptOrganizationInvitation.
func (e *Emulator) acceptOrgInvitationRoute(r *http.Request) (any, error) {
	var b acceptBody
	if err := decodeBody(r, &b); err != nil {
		return nil, err
	}
	return e.lockedRaw(func() (any, error) {
		return e.acceptOrgInvitationLocked(r.PathValue("id"), r.PathValue("inv"), b)
	})
}

func (e *Emulator) acceptOrgInvitationLocked(orgID, invID string,
	b acceptBody) (*OrgInvitation, error) {
	inv, err := e.mustOrgInvitationLocked(orgID, invID)
	if err != nil {
		return nil, err
	}
	if inv.Status != InvitationPending {
		return nil, errNotPending(inv.Status)
	}
	u, err := e.inviteeLocked(inv.EmailAddress, b)
	if err != nil {
		return nil, err
	}
	if _, err := e.createMembershipLocked(inv.OrganizationID, u.ID, inv.Role,
		browserOrigin); err != nil {
		return nil, err
	}
	inv.Status, inv.URL, inv.UserID = InvitationAccepted, nil, u.ID
	inv.UpdatedAt = e.nowMS()
	e.emitLocked("organizationInvitation.accepted", inv, browserOrigin)
	return inv, nil
}

// inviteeLocked returns the accepting user: the given id, the user with the
// invited address, or a new user signed up from the invitation.
func (e *Emulator) inviteeLocked(email string, b acceptBody) (*User, error) {
	if b.UserID != "" {
		return e.mustUserLocked(b.UserID)
	}
	if u := e.userByEmailLocked(email); u != nil {
		return u, nil
	}
	p := UserParams{EmailAddresses: []string{email}, FirstName: b.FirstName, LastName: b.LastName}
	return e.createUserLocked(p, "ticket", browserOrigin)
}
