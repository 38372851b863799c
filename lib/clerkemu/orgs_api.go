package clerkemu

import (
	"net/http"
	"slices"
	"strings"
)

type orgBody struct {
	Name                  *string   `json:"name"`
	Slug                  *string   `json:"slug"`
	CreatedBy             string    `json:"created_by"`
	MaxAllowedMemberships *int64    `json:"max_allowed_memberships"`
	AdminDeleteEnabled    *bool     `json:"admin_delete_enabled"`
	PublicMetadata        *Metadata `json:"public_metadata"`
	PrivateMetadata       *Metadata `json:"private_metadata"`
}

func (e *Emulator) createOrgRoute(r *http.Request) (any, error) {
	var b orgBody
	if err := decodeBody(r, &b); err != nil {
		return nil, err
	}
	p := OrganizationParams{Name: deref(b.Name), Slug: deref(b.Slug), CreatedBy: b.CreatedBy}
	if b.PublicMetadata != nil {
		p.PublicMetadata = *b.PublicMetadata
	}
	if b.PrivateMetadata != nil {
		p.PrivateMetadata = *b.PrivateMetadata
	}
	return e.lockedRaw(func() (any, error) {
		org, err := e.createOrgLocked(p, apiOrigin(r))
		if err == nil && b.MaxAllowedMemberships != nil {
			org.MaxAllowedMemberships = *b.MaxAllowedMemberships
		}
		return org, err
	})
}

func (e *Emulator) getOrgRoute(r *http.Request) (any, error) {
	return e.lockedRaw(func() (any, error) {
		org, err := e.mustOrgLocked(r.PathValue("id"))
		if err != nil || r.URL.Query().Get("include_members_count") != "true" {
			return org, err
		}
		out := *org
		out.MembersCount = e.renderOrgCountsLocked(org).MembersCount
		return &out, nil
	})
}

func (e *Emulator) listOrgsRoute(r *http.Request) (any, error) {
	q := r.URL.Query()
	return e.lockedRaw(func() (any, error) {
		var out []*Organization
		for _, org := range e.st.Organizations {
			if orgMatches(org, q.Get("query")) && e.orgHasAnyUserLocked(org, q["user_id"]) {
				out = append(out, org)
			}
		}
		page, total, err := paginate(q, newestFirst(out))
		return listBody[*Organization]{Data: page, TotalCount: total}, err
	})
}

func orgMatches(org *Organization, query string) bool {
	query = strings.ToLower(query)
	return query == "" || strings.Contains(strings.ToLower(org.Name), query) ||
		strings.Contains(org.Slug, query) || org.ID == query
}

func (e *Emulator) orgHasAnyUserLocked(org *Organization, userIDs []string) bool {
	if len(userIDs) == 0 {
		return true
	}
	for _, m := range e.st.Memberships {
		if m.OrganizationID == org.ID && slices.Contains(userIDs, m.UserID) {
			return true
		}
	}
	return false
}

func (e *Emulator) updateOrgRoute(r *http.Request) (any, error) {
	var b orgBody
	if err := decodeBody(r, &b); err != nil {
		return nil, err
	}
	return e.lockedRaw(func() (any, error) {
		org, err := e.mustOrgLocked(r.PathValue("id"))
		if err != nil {
			return nil, err
		}
		if b.Slug != nil && *b.Slug != org.Slug && e.findOrgLocked(*b.Slug) != nil {
			return nil, errInvalid("slug", "That slug is taken. Please try another.")
		}
		applyOrgUpdate(org, b)
		org.UpdatedAt = e.nowMS()
		e.emitLocked("organization.updated", org, apiOrigin(r))
		return org, nil
	})
}

func applyOrgUpdate(org *Organization, b orgBody) {
	if b.Name != nil {
		org.Name = *b.Name
	}
	if b.Slug != nil {
		org.Slug = *b.Slug
	}
	if b.MaxAllowedMemberships != nil {
		org.MaxAllowedMemberships = *b.MaxAllowedMemberships
	}
	if b.AdminDeleteEnabled != nil {
		org.AdminDeleteEnabled = *b.AdminDeleteEnabled
	}
	if b.PublicMetadata != nil {
		org.PublicMetadata = replaceMetadata(*b.PublicMetadata)
	}
	if b.PrivateMetadata != nil {
		org.PrivateMetadata = replaceMetadata(*b.PrivateMetadata)
	}
}

func (e *Emulator) updateOrgMetadataRoute(r *http.Request) (any, error) {
	var b metadataBody
	if err := decodeBody(r, &b); err != nil {
		return nil, err
	}
	return e.lockedRaw(func() (any, error) {
		org, err := e.mustOrgLocked(r.PathValue("id"))
		if err != nil {
			return nil, err
		}
		if org.PrivateMetadata == nil {
			org.PrivateMetadata = Metadata{}
		}
		mergeInto(org.PublicMetadata, b.PublicMetadata)
		mergeInto(org.PrivateMetadata, b.PrivateMetadata)
		org.UpdatedAt = e.nowMS()
		e.emitLocked("organization.updated", org, apiOrigin(r))
		return org, nil
	})
}

func (e *Emulator) deleteOrgRoute(r *http.Request) (any, error) {
	return e.lockedRaw(func() (any, error) {
		org, err := e.mustOrgLocked(r.PathValue("id"))
		if err != nil {
			return nil, err
		}
		e.deleteOrgLocked(org, apiOrigin(r))
		return deletedObject{Deleted: true, ID: org.ID, Object: "organization"}, nil
	})
}

type membershipBody struct {
	UserID string `json:"user_id"`
	Role   string `json:"role"`
}

func (e *Emulator) createMembershipRoute(r *http.Request) (any, error) {
	var b membershipBody
	if err := decodeBody(r, &b); err != nil {
		return nil, err
	}
	if b.UserID == "" {
		return nil, errMissing("user_id")
	}
	return e.lockedRaw(func() (any, error) {
		m, err := e.createMembershipLocked(r.PathValue("id"), b.UserID, b.Role, apiOrigin(r))
		if err != nil {
			return nil, err
		}
		return e.renderMembershipLocked(m), nil
	})
}

func (e *Emulator) listMembershipsRoute(r *http.Request) (any, error) {
	q := r.URL.Query()
	return e.lockedRaw(func() (any, error) {
		org, err := e.mustOrgLocked(r.PathValue("id"))
		if err != nil {
			return nil, err
		}
		ms := e.membershipsWhereLocked(func(m *Membership) bool {
			return m.OrganizationID == org.ID &&
				anyOf(q["user_id"], func(s string) bool { return s == m.UserID }) &&
				anyOf(q["role"], func(s string) bool { return s == m.Role })
		})
		return e.membershipPageLocked(q, ms)
	})
}

func (e *Emulator) listUserMembershipsRoute(r *http.Request) (any, error) {
	return e.lockedRaw(func() (any, error) {
		u, err := e.mustUserLocked(r.PathValue("id"))
		if err != nil {
			return nil, err
		}
		ms := e.membershipsWhereLocked(func(m *Membership) bool { return m.UserID == u.ID })
		return e.membershipPageLocked(r.URL.Query(), ms)
	})
}

func (e *Emulator) membershipPageLocked(q map[string][]string, ms []*Membership) (any, error) {
	page, total, err := paginate(q, newestFirst(ms))
	if err != nil {
		return nil, err
	}
	out := make([]*Membership, len(page))
	for i, m := range page {
		out[i] = e.renderMembershipLocked(m)
	}
	return listBody[*Membership]{Data: out, TotalCount: total}, nil
}

func (e *Emulator) updateMembershipRoute(r *http.Request) (any, error) {
	var b membershipBody
	if err := decodeBody(r, &b); err != nil {
		return nil, err
	}
	return e.lockedRaw(func() (any, error) {
		m, err := e.mustMembershipLocked(r.PathValue("id"), r.PathValue("user"))
		if err != nil {
			return nil, err
		}
		if err := e.updateMembershipLocked(m, b.Role, apiOrigin(r)); err != nil {
			return nil, err
		}
		return e.renderMembershipLocked(m), nil
	})
}

func (e *Emulator) deleteMembershipRoute(r *http.Request) (any, error) {
	return e.lockedRaw(func() (any, error) {
		m, err := e.mustMembershipLocked(r.PathValue("id"), r.PathValue("user"))
		if err != nil {
			return nil, err
		}
		return e.removeMembershipLocked(m, apiOrigin(r)), nil
	})
}
