package clerkemu

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"
)

// apiOrigin is the origin of a change made through the Backend API.
func apiOrigin(r *http.Request) origin {
	return origin{ClientIP: "", UserAgent: r.UserAgent()}
}

// raw renders v to JSON; call it with the state lock held so the body is a
// consistent snapshot.
func raw(v any) (json.RawMessage, error) {
	return marshalCompact(v)
}

type createUserBody struct {
	EmailAddresses []string `json:"email_address"`
	Username       string   `json:"username"`
	Password       string   `json:"password"`
	PasswordDigest string   `json:"password_digest"`
	FirstName      string   `json:"first_name"`
	LastName       string   `json:"last_name"`
	ExternalID     string   `json:"external_id"`
	metadataBody
}

func (e *Emulator) createUserRoute(r *http.Request) (any, error) {
	var b createUserBody
	if err := decodeBody(r, &b); err != nil {
		return nil, err
	}
	p := UserParams{
		EmailAddresses: b.EmailAddresses, FirstName: b.FirstName, LastName: b.LastName,
		Username: b.Username, ExternalID: b.ExternalID,
		Password:       b.Password != "" || b.PasswordDigest != "",
		PublicMetadata: b.PublicMetadata, PrivateMetadata: b.PrivateMetadata,
		UnsafeMetadata: b.UnsafeMetadata,
	}
	return e.lockedRaw(func() (any, error) {
		return e.createUserLocked(p, "admin", apiOrigin(r))
	})
}

// lockedRaw runs fn under the state lock, saves on success and renders its
// result while still holding the lock.
func (e *Emulator) lockedRaw(fn func() (any, error)) (any, error) {
	var out json.RawMessage
	err := e.withLock(func() error {
		v, err := fn()
		if err != nil {
			return err
		}
		out, err = raw(v)
		return err
	})
	return out, err
}

func (e *Emulator) getUserRoute(r *http.Request) (any, error) {
	return e.lockedRaw(func() (any, error) {
		return e.mustUserLocked(r.PathValue("id"))
	})
}

func (e *Emulator) listUsersRoute(r *http.Request) (any, error) {
	return e.lockedRaw(func() (any, error) {
		users, err := e.filterUsersLocked(r)
		if err != nil {
			return nil, err
		}
		page, _, err := paginate(r.URL.Query(), users)
		return page, err
	})
}

func (e *Emulator) countUsersRoute(r *http.Request) (any, error) {
	return e.lockedRaw(func() (any, error) {
		users, err := e.filterUsersLocked(r)
		if err != nil {
			return nil, err
		}
		return map[string]any{"object": "total_count", "total_count": len(users)}, nil
	})
}

// filterUsersLocked applies the list filters Clerk supports that matter
// here: email_address, user_id, external_id, username, organization_id,
// banned and query.
func (e *Emulator) filterUsersLocked(r *http.Request) ([]*User, error) {
	q := r.URL.Query()
	banned, err := boolParam(q, "banned")
	if err != nil {
		return nil, err
	}
	inOrg := map[string]bool{}
	for _, m := range e.st.Memberships {
		if slices.Contains(q["organization_id"], m.OrganizationID) {
			inOrg[m.UserID] = true
		}
	}
	var out []*User
	for _, u := range e.st.Users {
		ok := anyOf(q["email_address"], func(s string) bool { return hasEmail(u, s) }) &&
			anyOf(q["user_id"], func(s string) bool { return s == u.ID }) &&
			anyOf(q["external_id"], func(s string) bool { return ptrIs(u.ExternalID, s) }) &&
			anyOf(q["username"], func(s string) bool { return ptrIs(u.Username, s) }) &&
			(len(q["organization_id"]) == 0 || inOrg[u.ID]) &&
			(banned == nil || *banned == u.Banned) &&
			matchesQuery(u, q.Get("query"))
		if ok {
			out = append(out, u)
		}
	}
	if q.Get("order_by") == "+created_at" {
		return out, nil
	}
	return newestFirst(out), nil
}

// anyOf is true when wanted is empty or match holds for one of its values.
func anyOf(wanted []string, match func(string) bool) bool {
	return len(wanted) == 0 || slices.ContainsFunc(wanted, match)
}

func hasEmail(u *User, addr string) bool {
	return slices.ContainsFunc(u.EmailAddresses, func(a EmailAddress) bool {
		return strings.EqualFold(a.EmailAddress, addr)
	})
}

func ptrIs(p *string, s string) bool { return p != nil && *p == s }

func matchesQuery(u *User, query string) bool {
	if query == "" {
		return true
	}
	query = strings.ToLower(query)
	fields := []string{u.ID, deref(u.FirstName), deref(u.LastName), deref(u.Username)}
	for _, a := range u.EmailAddresses {
		fields = append(fields, a.EmailAddress)
	}
	return slices.ContainsFunc(fields, func(f string) bool {
		return strings.Contains(strings.ToLower(f), query)
	})
}

func deref(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

type updateUserBody struct {
	FirstName             *string   `json:"first_name"`
	LastName              *string   `json:"last_name"`
	Username              *string   `json:"username"`
	ExternalID            *string   `json:"external_id"`
	PrimaryEmailAddressID *string   `json:"primary_email_address_id"`
	Password              *string   `json:"password"`
	PublicMetadata        *Metadata `json:"public_metadata"`
	PrivateMetadata       *Metadata `json:"private_metadata"`
	UnsafeMetadata        *Metadata `json:"unsafe_metadata"`
}

func (e *Emulator) updateUserRoute(r *http.Request) (any, error) {
	var b updateUserBody
	if err := decodeBody(r, &b); err != nil {
		return nil, err
	}
	return e.lockedRaw(func() (any, error) {
		u, err := e.mustUserLocked(r.PathValue("id"))
		if err != nil {
			return nil, err
		}
		if err := applyUserUpdate(u, b); err != nil {
			return nil, err
		}
		e.touchUserLocked(u, apiOrigin(r))
		return u, nil
	})
}

func applyUserUpdate(u *User, b updateUserBody) error {
	if b.PrimaryEmailAddressID != nil {
		if !slices.ContainsFunc(u.EmailAddresses, func(a EmailAddress) bool {
			return a.ID == *b.PrimaryEmailAddressID
		}) {
			return errInvalid("primary_email_address_id", "No such email address.")
		}
		u.PrimaryEmailAddressID = b.PrimaryEmailAddressID
	}
	setOpt := func(dst **string, src *string) {
		if src != nil {
			*dst = optString(*src)
		}
	}
	setOpt(&u.FirstName, b.FirstName)
	setOpt(&u.LastName, b.LastName)
	setOpt(&u.Username, b.Username)
	setOpt(&u.ExternalID, b.ExternalID)
	if b.Password != nil {
		u.PasswordEnabled = true
	}
	setMeta := func(dst *Metadata, src *Metadata) {
		if src != nil {
			*dst = replaceMetadata(*src)
		}
	}
	setMeta(&u.PublicMetadata, b.PublicMetadata)
	setMeta(&u.PrivateMetadata, b.PrivateMetadata)
	setMeta(&u.UnsafeMetadata, b.UnsafeMetadata)
	return nil
}

type metadataBody struct {
	PublicMetadata  Metadata `json:"public_metadata"`
	PrivateMetadata Metadata `json:"private_metadata"`
	UnsafeMetadata  Metadata `json:"unsafe_metadata"`
}

func (e *Emulator) updateUserMetadataRoute(r *http.Request) (any, error) {
	var b metadataBody
	if err := decodeBody(r, &b); err != nil {
		return nil, err
	}
	return e.lockedRaw(func() (any, error) {
		u, err := e.mustUserLocked(r.PathValue("id"))
		if err != nil {
			return nil, err
		}
		mergeInto(u.PublicMetadata, b.PublicMetadata)
		mergeInto(u.PrivateMetadata, b.PrivateMetadata)
		mergeInto(u.UnsafeMetadata, b.UnsafeMetadata)
		e.touchUserLocked(u, apiOrigin(r))
		return u, nil
	})
}

// userFlagRoute serves ban, unban, lock and unlock.
func (e *Emulator) userFlagRoute(set func(*User)) apiFunc {
	return func(r *http.Request) (any, error) {
		return e.lockedRaw(func() (any, error) {
			u, err := e.mustUserLocked(r.PathValue("id"))
			if err != nil {
				return nil, err
			}
			wasBanned := u.Banned
			set(u)
			if u.Banned && !wasBanned {
				u.Banned = false
				e.banUserLocked(u, apiOrigin(r))
				return u, nil
			}
			e.touchUserLocked(u, apiOrigin(r))
			return u, nil
		})
	}
}

func (e *Emulator) deleteUserRoute(r *http.Request) (any, error) {
	return e.lockedRaw(func() (any, error) {
		u, err := e.mustUserLocked(r.PathValue("id"))
		if err != nil {
			return nil, err
		}
		e.deleteUserLocked(u, apiOrigin(r))
		return deletedObject{Deleted: true, ID: u.ID, Object: "user"}, nil
	})
}
