package clerkemu

import (
	"regexp"
	"strings"
)

// OrganizationParams describes an organization to create from Go.
type OrganizationParams struct {
	Name string
	// Slug defaults to one derived from Name.
	Slug string
	// CreatedBy, when set, is the user id that becomes its first admin.
	CreatedBy       string
	PublicMetadata  Metadata
	PrivateMetadata Metadata
}

// CreateOrganization creates an organization, emitting organization.created
// (and organizationMembership.created for CreatedBy). It returns an error
// for a missing name, a taken slug or an unknown creator.
func (e *Emulator) CreateOrganization(p OrganizationParams) (Organization, error) {
	var org *Organization
	err := e.withLock(func() (err error) {
		org, err = e.createOrgLocked(p, browserOrigin)
		return err
	})
	if err != nil {
		return Organization{}, goError(err)
	}
	return clone(e, org), nil
}

// AddMembership makes userID a member of orgID with role (e.g.
// "org:member") and emits organizationMembership.created.
func (e *Emulator) AddMembership(orgID, userID, role string) (Membership, error) {
	var m *Membership
	err := e.withLock(func() (err error) {
		m, err = e.createMembershipLocked(orgID, userID, role, browserOrigin)
		if err == nil {
			m = e.renderMembershipLocked(m)
		}
		return err
	})
	if err != nil {
		return Membership{}, goError(err)
	}
	return clone(e, m), nil
}

var slugUnsafe = regexp.MustCompile(`[^a-z0-9]+`)

func slugify(name string) string {
	return strings.Trim(slugUnsafe.ReplaceAllString(strings.ToLower(name), "-"), "-")
}

func (e *Emulator) createOrgLocked(p OrganizationParams, o origin) (*Organization, error) {
	if strings.TrimSpace(p.Name) == "" {
		return nil, errMissing("name")
	}
	if p.Slug == "" {
		p.Slug = slugify(p.Name)
	}
	if e.findOrgLocked(p.Slug) != nil {
		return nil, &apiError{Status: 422, Code: codeIdentifierExists,
			Message: "That slug is taken. Please try another.", LongMessage: "That slug is taken.",
			Meta: map[string]any{"param_name": "slug"}}
	}
	if p.CreatedBy != "" && e.findUserLocked(p.CreatedBy) == nil {
		return nil, errNotFound("user")
	}
	now := e.nowMS()
	org := &Organization{
		AdminDeleteEnabled: true, CreatedAt: now, CreatedBy: p.CreatedBy,
		ID: newID("org"), ImageURL: defaultImageURL, Name: p.Name, Object: "organization",
		PublicMetadata: replaceMetadata(p.PublicMetadata), Slug: p.Slug, UpdatedAt: now,
		PrivateMetadata: replaceMetadata(p.PrivateMetadata),
	}
	e.st.Organizations = append(e.st.Organizations, org)
	e.emitLocked("organization.created", org, o)
	if p.CreatedBy != "" {
		if _, err := e.createMembershipLocked(org.ID, p.CreatedBy, "org:admin", o); err != nil {
			return nil, err
		}
	}
	return org, nil
}

// findOrgLocked finds an organization by id or slug.
func (e *Emulator) findOrgLocked(idOrSlug string) *Organization {
	for _, org := range e.st.Organizations {
		if org.ID == idOrSlug || org.Slug == idOrSlug {
			return org
		}
	}
	return nil
}

func (e *Emulator) mustOrgLocked(idOrSlug string) (*Organization, error) {
	if org := e.findOrgLocked(idOrSlug); org != nil {
		return org, nil
	}
	return nil, errNotFound("organization")
}

// deleteOrgLocked removes org with its memberships and invitations. Like
// Clerk, it emits only organization.deleted.
func (e *Emulator) deleteOrgLocked(org *Organization, o origin) {
	keepM := e.st.Memberships[:0]
	for _, m := range e.st.Memberships {
		if m.OrganizationID != org.ID {
			keepM = append(keepM, m)
		}
	}
	e.st.Memberships = keepM
	keepI := e.st.OrgInvitations[:0]
	for _, inv := range e.st.OrgInvitations {
		if inv.OrganizationID != org.ID {
			keepI = append(keepI, inv)
		}
	}
	e.st.OrgInvitations = keepI
	e.st.Organizations = removeFirst(e.st.Organizations,
		func(x *Organization) bool { return x == org })
	e.emitLocked("organization.deleted",
		deletedObject{Deleted: true, ID: org.ID, Object: "organization"}, o)
}

// roleName turns a role key into Clerk's display name: org:billing_admin
// becomes "Billing Admin".
func roleName(role string) string {
	words := strings.Fields(strings.ReplaceAll(strings.TrimPrefix(role, "org:"), "_", " "))
	for i, w := range words {
		words[i] = strings.ToUpper(w[:1]) + w[1:]
	}
	return strings.Join(words, " ")
}

// rolePermissions returns the system permissions of Clerk's default roles.
func rolePermissions(role string) []string {
	switch role {
	case "org:admin":
		return []string{
			"org:sys_profile:manage", "org:sys_profile:delete",
			"org:sys_memberships:read", "org:sys_memberships:manage",
			"org:sys_domains:read", "org:sys_domains:manage",
		}
	case "org:member":
		return []string{"org:sys_memberships:read"}
	}
	return []string{}
}
