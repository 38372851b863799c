package clerkemu

import (
	"encoding/json"
	"errors"
	"net/http"
	"time"
)

// Session statuses the emulator produces.
const (
	SessionActive  = "active"
	SessionRevoked = "revoked"
	SessionEnded   = "ended"
	SessionRemoved = "removed"
)

const (
	sessionLifetime = 7 * 24 * time.Hour
	sessionAbandon  = 30 * 24 * time.Hour
)

// SignIn stands for the user signing in through a browser: it creates an
// active session, with orgID (optional) as its active organization, emits
// session.created and returns the session with a fresh session token.
// It returns ErrNotFound for an unknown user or organization, and an error
// when the user is banned or locked or is no member of orgID.
func (e *Emulator) SignIn(userID, orgID string) (Session, string, error) {
	var s *Session
	err := e.withLock(func() (err error) {
		s, err = e.createSessionLocked(userID, orgID, browserOrigin)
		return err
	})
	if err != nil {
		return Session{}, "", goError(err)
	}
	tok, err := e.MintSessionToken(TokenParams{SessionID: s.ID})
	if err != nil {
		return Session{}, "", err
	}
	return clone(e, s), tok, nil
}

// EndSession stands for the user signing out: the session becomes ended
// and session.ended is emitted. It returns ErrNotFound for an unknown id.
func (e *Emulator) EndSession(id string) (Session, error) {
	return e.finishSession(id, SessionEnded)
}

// RemoveSession stands for the session being removed from its client (for
// example signing out of one account of several): it becomes removed and
// session.removed is emitted. It returns ErrNotFound for an unknown id.
func (e *Emulator) RemoveSession(id string) (Session, error) {
	return e.finishSession(id, SessionRemoved)
}

// Session returns a copy of the session with the given id, or ErrNotFound.
func (e *Emulator) Session(id string) (Session, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	s := e.findSessionLocked(id)
	if s == nil {
		return Session{}, ErrNotFound
	}
	return cloneValue(s), nil
}

func (e *Emulator) finishSession(id, status string) (Session, error) {
	var s *Session
	err := e.withLock(func() (err error) {
		s, err = e.mustSessionLocked(id)
		if err != nil {
			return err
		}
		if s.Status != SessionActive {
			return errSessionNotActive(s)
		}
		e.endSessionLocked(s, status, browserOrigin)
		return nil
	})
	if err != nil {
		return Session{}, goError(err)
	}
	return clone(e, s), nil
}

// goError maps a 404 API error to ErrNotFound for Go-level callers.
func goError(err error) error {
	if ae := asAPIError(err); ae != nil && ae.Status == http.StatusNotFound {
		return errors.Join(ErrNotFound, err)
	}
	return err
}

func (e *Emulator) createSessionLocked(userID, orgID string, o origin) (*Session, error) {
	u, err := e.mustUserLocked(userID)
	if err != nil {
		return nil, err
	}
	if u.Banned || u.Locked {
		return nil, errBadRequest("user_not_allowed", "user cannot sign in",
			"The user is banned or locked and cannot sign in.")
	}
	if orgID != "" && e.findMembershipLocked(orgID, userID) == nil {
		if e.findOrgLocked(orgID) == nil {
			return nil, errNotFound("organization")
		}
		return nil, errInvalid("organization_id", "The user is not a member of the organization.")
	}
	now := e.now()
	ms := now.UnixMilli()
	s := &Session{
		AbandonAt: now.Add(sessionAbandon).UnixMilli(), Actor: json.RawMessage("null"),
		ClientID: newID("client"), CreatedAt: ms, ExpireAt: now.Add(sessionLifetime).UnixMilli(),
		ID: newID("sess"), LastActiveAt: ms, LastActiveOrganizationID: orgID,
		Object: "session", Status: SessionActive, UpdatedAt: ms, UserID: userID,
	}
	u.LastSignInAt, u.LastActiveAt = &ms, &ms
	e.st.Sessions = append(e.st.Sessions, s)

	withUser := *s
	withUser.User = u
	e.emitLocked("session.created", &withUser, o)
	return s, nil
}

// endSessionLocked moves s to status and emits session.<status>; only
// session.revoked embeds the user, like the other Clerk events.
func (e *Emulator) endSessionLocked(s *Session, status string, o origin) {
	s.Status = status
	s.UpdatedAt = e.nowMS()
	ev := *s
	if status == SessionRevoked {
		ev.User = e.findUserLocked(s.UserID)
	}
	e.emitLocked("session."+status, &ev, o)
}

func (e *Emulator) findSessionLocked(id string) *Session {
	for _, s := range e.st.Sessions {
		if s.ID == id {
			return s
		}
	}
	return nil
}

func (e *Emulator) mustSessionLocked(id string) (*Session, error) {
	if s := e.findSessionLocked(id); s != nil {
		return s, nil
	}
	return nil, errNotFound("session")
}

func errSessionNotActive(s *Session) *apiError {
	return errBadRequest(codeSessionNotActive, "session is not active",
		"The session is "+s.Status+" and can no longer be changed.")
}
