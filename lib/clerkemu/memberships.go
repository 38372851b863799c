package clerkemu

import "strings"

func (e *Emulator) createMembershipLocked(orgID, userID, role string,
	o origin) (*Membership, error) {
	org, err := e.mustOrgLocked(orgID)
	if err != nil {
		return nil, err
	}
	if _, err := e.mustUserLocked(userID); err != nil {
		return nil, err
	}
	if err := checkRole(role); err != nil {
		return nil, err
	}
	if e.findMembershipLocked(org.ID, userID) != nil {
		return nil, errBadRequest(codeAlreadyMember, "already a member",
			"The user is already a member of the organization.")
	}
	now := e.nowMS()
	m := &Membership{
		CreatedAt: now, ID: newID("orgmem"), Object: "organization_membership",
		OrganizationID: org.ID, PublicMetadata: Metadata{}, UserID: userID,
		Role: role, UpdatedAt: now,
	}
	e.st.Memberships = append(e.st.Memberships, m)
	e.emitLocked("organizationMembership.created", e.renderMembershipLocked(m), o)
	return m, nil
}

func checkRole(role string) error {
	if role == "" {
		return errMissing("role")
	}
	if !strings.HasPrefix(role, "org:") || len(role) == len("org:") {
		return errInvalid("role", "role must be a role key such as org:member.")
	}
	return nil
}

func (e *Emulator) findMembershipLocked(orgID, userID string) *Membership {
	org := e.findOrgLocked(orgID)
	if org == nil {
		return nil
	}
	for _, m := range e.st.Memberships {
		if m.OrganizationID == org.ID && m.UserID == userID {
			return m
		}
	}
	return nil
}

func (e *Emulator) mustMembershipLocked(orgID, userID string) (*Membership, error) {
	if _, err := e.mustOrgLocked(orgID); err != nil {
		return nil, err
	}
	if m := e.findMembershipLocked(orgID, userID); m != nil {
		return m, nil
	}
	return nil, errNotFound("organization membership")
}

func (e *Emulator) membershipsWhereLocked(match func(*Membership) bool) []*Membership {
	var out []*Membership
	for _, m := range e.st.Memberships {
		if match(m) {
			out = append(out, m)
		}
	}
	return out
}

// updateMembershipLocked changes the role and emits
// organizationMembership.updated.
func (e *Emulator) updateMembershipLocked(m *Membership, role string, o origin) error {
	if err := checkRole(role); err != nil {
		return err
	}
	m.Role = role
	m.UpdatedAt = e.nowMS()
	e.emitLocked("organizationMembership.updated", e.renderMembershipLocked(m), o)
	return nil
}

// removeMembershipLocked deletes m and emits organizationMembership.deleted.
func (e *Emulator) removeMembershipLocked(m *Membership, o origin) *Membership {
	e.st.Memberships = removeFirst(e.st.Memberships, func(x *Membership) bool { return x == m })
	m.UpdatedAt = e.nowMS()
	out := e.renderMembershipLocked(m)
	e.emitLocked("organizationMembership.deleted", out, o)
	return out
}

// renderMembershipLocked returns m as Clerk shows it: with the organization
// (and its counts) and the member's public data embedded.
func (e *Emulator) renderMembershipLocked(m *Membership) *Membership {
	out := *m
	out.OrganizationID, out.UserID = "", ""
	out.RoleName = roleName(m.Role)
	out.Permissions = rolePermissions(m.Role)
	if org := e.findOrgLocked(m.OrganizationID); org != nil {
		out.Organization = e.renderOrgCountsLocked(org)
	}
	out.PublicUserData = &PublicUserData{UserID: m.UserID, ImageURL: defaultImageURL,
		ProfileImageURL: defaultProfileURL}
	if u := e.findUserLocked(m.UserID); u != nil {
		out.PublicUserData.FirstName, out.PublicUserData.LastName = u.FirstName, u.LastName
		out.PublicUserData.Identifier = u.primaryEmail()
	}
	return &out
}

// renderOrgCountsLocked returns org as embedded in a membership.
func (e *Emulator) renderOrgCountsLocked(org *Organization) *MemberOrganization {
	out := MemberOrganization{Organization: *org}
	var members, pending int64
	for _, m := range e.st.Memberships {
		if m.OrganizationID == org.ID {
			members++
		}
	}
	for _, inv := range e.st.OrgInvitations {
		if inv.OrganizationID == org.ID && inv.Status == "pending" {
			pending++
		}
	}
	out.MembersCount, out.PendingInvitationsCount = &members, &pending
	return &out
}
