package clerkemu

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"
)

// Invitation statuses.
const (
	InvitationPending  = "pending"
	InvitationAccepted = "accepted"
	InvitationRevoked  = "revoked"
	InvitationExpired  = "expired"
)

const defaultInvitationDays = 30

// ticketURL returns an invitation link carrying a random ticket.
func ticketURL(redirect string) *string {
	if redirect == "" {
		redirect = DefaultAuthorizedParty + "/sign-up"
	}
	sep := "?"
	if strings.Contains(redirect, "?") {
		sep = "&"
	}
	s := redirect + sep + "__clerk_ticket=" + url.QueryEscape(randomString(base62, 40))
	return &s
}

func expiry(now time.Time, days int64) int64 {
	if days <= 0 {
		days = defaultInvitationDays
	}
	return now.Add(time.Duration(days) * 24 * time.Hour).UnixMilli()
}

// expireLocked marks pending invitations past their expiry as expired.
// Clerk sends no webhook for this.
func (e *Emulator) expireLocked() {
	now := e.nowMS()
	for _, inv := range e.st.OrgInvitations {
		if inv.Status == InvitationPending && inv.ExpiresAt < now {
			inv.Status = InvitationExpired
		}
	}
	for _, inv := range e.st.Invitations {
		if inv.Status == InvitationPending && inv.ExpiresAt != nil && *inv.ExpiresAt < now {
			inv.Status = InvitationExpired
		}
	}
}

func errNotPending(status string) *apiError {
	return errBadRequest(codeNotPending, "invitation is not pending",
		"The invitation is "+status+"; only pending invitations can change.")
}

type invitationBody struct {
	EmailAddress   string   `json:"email_address"`
	PublicMetadata Metadata `json:"public_metadata"`
	RedirectURL    string   `json:"redirect_url"`
	IgnoreExisting bool     `json:"ignore_existing"`
	ExpiresInDays  int64    `json:"expires_in_days"`
}

func (e *Emulator) createInvitationRoute(r *http.Request) (any, error) {
	var b invitationBody
	if err := decodeBody(r, &b); err != nil {
		return nil, err
	}
	if b.EmailAddress == "" {
		return nil, errMissing("email_address")
	}
	return e.lockedRaw(func() (any, error) {
		e.expireLocked()
		if e.userByEmailLocked(b.EmailAddress) != nil {
			return nil, errBadRequest("duplicate_record", "duplicate invitation",
				"A user with this email address already exists.")
		}
		if !b.IgnoreExisting && slices.ContainsFunc(e.st.Invitations, func(i *Invitation) bool {
			return i.Status == InvitationPending &&
				strings.EqualFold(i.EmailAddress, b.EmailAddress)
		}) {
			return nil, errBadRequest("duplicate_record", "duplicate invitation",
				"There is already a pending invitation for this email address.")
		}
		now := e.now()
		exp := expiry(now, b.ExpiresInDays)
		inv := &Invitation{
			CreatedAt: now.UnixMilli(), EmailAddress: strings.ToLower(b.EmailAddress),
			ExpiresAt: &exp, ID: newID("inv"), Object: "invitation",
			PublicMetadata: replaceMetadata(b.PublicMetadata), Status: InvitationPending,
			UpdatedAt: now.UnixMilli(), URL: ticketURL(b.RedirectURL),
		}
		e.st.Invitations = append(e.st.Invitations, inv)
		return inv, nil
	})
}

// listInvitationsRoute filters by status and query; a bare array unless
// paginated=true.
func (e *Emulator) listInvitationsRoute(r *http.Request) (any, error) {
	q := r.URL.Query()
	return e.lockedRaw(func() (any, error) {
		e.expireLocked()
		var out []*Invitation
		for _, inv := range e.st.Invitations {
			if anyOf(q["status"], func(s string) bool { return s == inv.Status }) &&
				strings.Contains(inv.EmailAddress, strings.ToLower(q.Get("query"))) {
				out = append(out, inv)
			}
		}
		page, total, err := paginate(q, newestFirst(out))
		if err != nil || q.Get("paginated") != "true" {
			return page, err
		}
		return listBody[*Invitation]{Data: page, TotalCount: total}, nil
	})
}

func (e *Emulator) mustInvitationLocked(id string) (*Invitation, error) {
	e.expireLocked()
	for _, inv := range e.st.Invitations {
		if inv.ID == id {
			return inv, nil
		}
	}
	return nil, errNotFound("invitation")
}

func (e *Emulator) revokeInvitationRoute(r *http.Request) (any, error) {
	return e.lockedRaw(func() (any, error) {
		inv, err := e.mustInvitationLocked(r.PathValue("id"))
		if err != nil {
			return nil, err
		}
		if inv.Status != InvitationPending {
			return nil, errNotPending(inv.Status)
		}
		inv.Status, inv.Revoked, inv.URL = InvitationRevoked, true, nil
		inv.UpdatedAt = e.nowMS()
		return inv, nil
	})
}

type acceptBody struct {
	UserID    string `json:"user_id"`
	FirstName string `json:"first_name"`
	LastName  string `json:"last_name"`
}

// acceptInvitationRoute is emulator-only: the invitee follows the link and
// signs up, which creates the user (user.created) and accepts the
// invitation. Clerk sends no webhook for application invitations.
func (e *Emulator) acceptInvitationRoute(r *http.Request) (any, error) {
	var b acceptBody
	if err := decodeBody(r, &b); err != nil {
		return nil, err
	}
	return e.lockedRaw(func() (any, error) {
		inv, err := e.mustInvitationLocked(r.PathValue("id"))
		if err != nil {
			return nil, err
		}
		if inv.Status != InvitationPending {
			return nil, errNotPending(inv.Status)
		}
		p := UserParams{EmailAddresses: []string{inv.EmailAddress}, FirstName: b.FirstName,
			LastName: b.LastName, PublicMetadata: inv.PublicMetadata}
		if _, err := e.createUserLocked(p, "ticket", browserOrigin); err != nil {
			return nil, err
		}
		inv.Status, inv.URL, inv.UpdatedAt = InvitationAccepted, nil, e.nowMS()
		return inv, nil
	})
}
