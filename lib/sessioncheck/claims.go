package sessioncheck

import (
	"errors"
	"slices"
	"strings"
	"time"
)

// Claims are the session token claims the check reads. Clerk's v1 tokens
// carry the active organization in org_id/org_role/org_slug, v2 tokens in o.
type Claims struct {
	Subject         string      `json:"sub"`
	SessionID       string      `json:"sid"`
	Issuer          string      `json:"iss"`
	AuthorizedParty string      `json:"azp"`
	Expiry          NumericDate `json:"exp"`
	IssuedAt        NumericDate `json:"iat"`
	NotBefore       NumericDate `json:"nbf"`
	// SessionStatus is v2's sts: "active" or "pending".
	SessionStatus string `json:"sts"`
	// Version is v2's v; zero for v1 tokens.
	Version int `json:"v"`

	OrgID   string `json:"org_id"`
	OrgRole string `json:"org_role"`
	OrgSlug string `json:"org_slug"`
	Org     struct {
		ID   string `json:"id"`
		Role string `json:"rol"`
		Slug string `json:"slg"`
	} `json:"o"`
}

// ActiveOrg returns the active organization's id and role (without the
// "org:" prefix) from whichever claim version the token carries.
func (c *Claims) ActiveOrg() (id, role string) {
	if c.Org.ID != "" {
		return c.Org.ID, strings.TrimPrefix(c.Org.Role, "org:")
	}
	return c.OrgID, strings.TrimPrefix(c.OrgRole, "org:")
}

// NumericDate is a JWT time in whole Unix seconds; Set is false when the
// claim is absent or null.
type NumericDate struct {
	Unix int64
	Set  bool
}

// Time returns d as a time.Time.
func (d NumericDate) Time() time.Time { return time.Unix(d.Unix, 0) }

var errBadDate = errors.New("numeric date is not a non-negative number")

// UnmarshalJSON accepts null or a non-negative decimal number; a fraction
// is truncated. It returns an error for anything else, exponents included.
func (d *NumericDate) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		*d = NumericDate{}
		return nil
	}
	var n int64
	i := 0
	for ; i < len(b) && b[i] != '.'; i++ {
		if b[i] < '0' || b[i] > '9' || i >= 15 {
			return errBadDate
		}
		n = n*10 + int64(b[i]-'0')
	}
	if i == 0 || i == len(b)-1 {
		return errBadDate
	}
	for j := i + 1; j < len(b); j++ {
		if b[j] < '0' || b[j] > '9' {
			return errBadDate
		}
	}
	*d = NumericDate{Unix: n, Set: true}
	return nil
}

// policy is what a verified token's claims must satisfy.
type policy struct {
	issuer        string
	parties       []string
	allowEmptyAZP bool
	leeway        time.Duration
}

// check returns the reason to refuse cl at now, or "".
func (p policy) check(cl *Claims, now time.Time) Reason {
	if !cl.Expiry.Set || !cl.IssuedAt.Set || !validID(cl.Subject) || !validID(cl.SessionID) {
		return TokenMalformed
	}
	if !now.Before(cl.Expiry.Time().Add(p.leeway)) {
		return TokenExpired
	}
	late := now.Add(p.leeway)
	if late.Before(cl.IssuedAt.Time()) || (cl.NotBefore.Set && late.Before(cl.NotBefore.Time())) {
		return TokenNotYetValid
	}
	if p.issuer != "" && cl.Issuer != p.issuer {
		return TokenInvalidIssuer
	}
	if !p.partyAllowed(cl.AuthorizedParty) {
		return TokenInvalidAZP
	}
	if cl.SessionStatus != "" && cl.SessionStatus != "active" { // pending, or anything unknown
		return SessionPending
	}
	return ""
}

func (p policy) partyAllowed(azp string) bool {
	if azp == "" {
		return p.allowEmptyAZP
	}
	return slices.Contains(p.parties, azp)
}

// validID reports whether s looks like a Clerk id or role key: 1 to 128
// characters of letters, digits, '_', '-', '.' and ':'. Such values are safe
// in response headers and need no escaping in JSON.
func validID(s string) bool {
	if s == "" || len(s) > 128 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' ||
			c == '_' || c == '-' || c == '.' || c == ':') {
			return false
		}
	}
	return true
}
