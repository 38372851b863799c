package clerkemu

import (
	"encoding/json"
	"maps"
	"strings"
)

const (
	defaultImageURL   = "https://img.clerk.com/eyJ0eXBlIjoiZGVmYXVsdCJ9"
	defaultProfileURL = "https://www.gravatar.com/avatar?d=mp"
)

// UserParams describes a user to create from Go.
type UserParams struct {
	EmailAddresses  []string
	FirstName       string
	LastName        string
	Username        string
	ExternalID      string
	Password        bool
	PublicMetadata  Metadata
	PrivateMetadata Metadata
	UnsafeMetadata  Metadata
}

// CreateUser creates a user, as a sign-up would, and emits user.created.
// It returns an error for a taken e-mail address or when no e-mail address
// or username is given.
func (e *Emulator) CreateUser(p UserParams) (User, error) {
	var u *User
	err := e.withLock(func() (err error) {
		u, err = e.createUserLocked(p, "admin", browserOrigin)
		return err
	})
	if err != nil {
		return User{}, err
	}
	return clone(e, u), nil
}

// User returns a copy of the user with the given id, or ErrNotFound.
func (e *Emulator) User(id string) (User, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	u := e.findUserLocked(id)
	if u == nil {
		return User{}, ErrNotFound
	}
	return cloneValue(u), nil
}

func (e *Emulator) createUserLocked(p UserParams, strategy string, o origin) (*User, error) {
	if len(p.EmailAddresses) == 0 && p.Username == "" {
		return nil, errMissing("email_address")
	}
	for _, addr := range p.EmailAddresses {
		if e.userByEmailLocked(addr) != nil {
			return nil, &apiError{Status: 422, Code: codeIdentifierExists,
				Message:     "That email address is taken. Please try another.",
				LongMessage: "That email address is taken. Please try another.",
				Meta:        map[string]any{"param_name": "email_address"}}
		}
	}
	now := e.nowMS()
	u := newUser(now)
	u.FirstName, u.LastName = optString(p.FirstName), optString(p.LastName)
	u.Username, u.ExternalID = optString(p.Username), optString(p.ExternalID)
	u.PasswordEnabled = p.Password
	mergeInto(u.PublicMetadata, p.PublicMetadata)
	mergeInto(u.PrivateMetadata, p.PrivateMetadata)
	mergeInto(u.UnsafeMetadata, p.UnsafeMetadata)
	for _, addr := range p.EmailAddresses {
		u.EmailAddresses = append(u.EmailAddresses, newEmail(addr, strategy, now))
	}
	if len(u.EmailAddresses) > 0 {
		u.PrimaryEmailAddressID = &u.EmailAddresses[0].ID
	}
	e.st.Users = append(e.st.Users, u)
	e.emitLocked("user.created", u, o)
	return u, nil
}

func newUser(now int64) *User {
	return &User{
		CreateOrganizationEnabled:     true,
		CreatedAt:                     now,
		EmailAddresses:                []EmailAddress{},
		ExternalAccounts:              []json.RawMessage{},
		ID:                            newID("user"),
		ImageURL:                      defaultImageURL,
		Object:                        "user",
		Passkeys:                      []json.RawMessage{},
		PhoneNumbers:                  []json.RawMessage{},
		PrivateMetadata:               Metadata{},
		ProfileImageURL:               defaultProfileURL,
		PublicMetadata:                Metadata{},
		SAMLAccounts:                  []json.RawMessage{},
		UnsafeMetadata:                Metadata{},
		UpdatedAt:                     now,
		VerificationAttemptsRemaining: 100,
		Web3Wallets:                   []json.RawMessage{},
	}
}

func newEmail(addr, strategy string, now int64) EmailAddress {
	return EmailAddress{
		CreatedAt:    now,
		EmailAddress: strings.ToLower(addr),
		ID:           newID("idn"),
		LinkedTo:     []json.RawMessage{},
		Object:       "email_address",
		UpdatedAt:    now,
		Verification: Verification{Status: "verified", Strategy: strategy},
	}
}

func (e *Emulator) findUserLocked(id string) *User {
	for _, u := range e.st.Users {
		if u.ID == id {
			return u
		}
	}
	return nil
}

func (e *Emulator) userByEmailLocked(addr string) *User {
	for _, u := range e.st.Users {
		for _, a := range u.EmailAddresses {
			if strings.EqualFold(a.EmailAddress, addr) {
				return u
			}
		}
	}
	return nil
}

func (e *Emulator) mustUserLocked(id string) (*User, error) {
	if u := e.findUserLocked(id); u != nil {
		return u, nil
	}
	return nil, errNotFound("user")
}

// touchUserLocked stamps u as updated and emits user.updated.
func (e *Emulator) touchUserLocked(u *User, o origin) {
	u.UpdatedAt = e.nowMS()
	e.emitLocked("user.updated", u, o)
}

// banUserLocked bans u and revokes its active sessions, as Clerk does.
func (e *Emulator) banUserLocked(u *User, o origin) {
	u.Banned = true
	e.touchUserLocked(u, o)
	for _, s := range e.st.Sessions {
		if s.UserID == u.ID && s.Status == SessionActive {
			e.endSessionLocked(s, SessionRevoked, o)
		}
	}
}

// deleteUserLocked removes u with its memberships and sessions.
func (e *Emulator) deleteUserLocked(u *User, o origin) {
	mine := e.membershipsWhereLocked(func(m *Membership) bool { return m.UserID == u.ID })
	for _, m := range mine {
		e.removeMembershipLocked(m, o)
	}
	for _, s := range e.st.Sessions {
		if s.UserID == u.ID && s.Status == SessionActive {
			e.endSessionLocked(s, SessionRemoved, o)
		}
	}
	e.st.Users = removeFirst(e.st.Users, func(x *User) bool { return x == u })
	e.emitLocked("user.deleted", deletedObject{Deleted: true, ID: u.ID, Object: "user"}, o)
}

// mergeInto deep-merges src into dst; a nil value deletes the key, as in
// Clerk's metadata merge.
func mergeInto(dst, src Metadata) {
	for k, v := range src {
		if v == nil {
			delete(dst, k)
			continue
		}
		sub, ok := v.(map[string]any)
		cur, curOK := dst[k].(map[string]any)
		if ok && curOK {
			mergeInto(cur, sub)
			continue
		}
		dst[k] = v
	}
}

// replaceMetadata returns a copy of m, never nil.
func replaceMetadata(m Metadata) Metadata {
	out := Metadata{}
	maps.Copy(out, m)
	return out
}

func optString(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func removeFirst[T any](items []T, match func(T) bool) []T {
	for i, it := range items {
		if match(it) {
			return append(items[:i], items[i+1:]...)
		}
	}
	return items
}

// cloneValue deep-copies v through JSON; call it with the state lock held.
func cloneValue[T any](v *T) T {
	var out T
	b, err := json.Marshal(v)
	if err == nil {
		err = json.Unmarshal(b, &out)
	}
	if err != nil {
		panic("clerkemu: clone: " + err.Error())
	}
	return out
}

// clone deep-copies v while holding the state lock.
func clone[T any](e *Emulator, v *T) T {
	e.mu.Lock()
	defer e.mu.Unlock()
	return cloneValue(v)
}
