package clerkemu

import (
	"net/http"
	"time"
)

type createSessionBody struct {
	UserID string `json:"user_id"`
}

func (e *Emulator) createSessionRoute(r *http.Request) (any, error) {
	var b createSessionBody
	if err := decodeBody(r, &b); err != nil {
		return nil, err
	}
	if b.UserID == "" {
		return nil, errMissing("user_id")
	}
	return e.lockedRaw(func() (any, error) {
		return e.createSessionLocked(b.UserID, "", apiOrigin(r))
	})
}

func (e *Emulator) getSessionRoute(r *http.Request) (any, error) {
	return e.lockedRaw(func() (any, error) {
		return e.mustSessionLocked(r.PathValue("id"))
	})
}

// listSessionsRoute needs user_id or client_id, like Clerk, and answers a
// bare array unless paginated=true.
func (e *Emulator) listSessionsRoute(r *http.Request) (any, error) {
	q := r.URL.Query()
	userID, clientID, status := q.Get("user_id"), q.Get("client_id"), q.Get("status")
	if userID == "" && clientID == "" {
		return nil, errMissing("user_id")
	}
	return e.lockedRaw(func() (any, error) {
		var out []*Session
		for _, s := range e.st.Sessions {
			if (userID == "" || s.UserID == userID) &&
				(clientID == "" || s.ClientID == clientID) &&
				(status == "" || s.Status == status) {
				out = append(out, s)
			}
		}
		page, total, err := paginate(q, newestFirst(out))
		if err != nil || q.Get("paginated") != "true" {
			return page, err
		}
		return listBody[*Session]{Data: page, TotalCount: total}, nil
	})
}

func (e *Emulator) revokeSessionRoute(r *http.Request) (any, error) {
	return e.lockedRaw(func() (any, error) {
		s, err := e.mustSessionLocked(r.PathValue("id"))
		if err != nil {
			return nil, err
		}
		if s.Status != SessionActive {
			return nil, errSessionNotActive(s)
		}
		e.endSessionLocked(s, SessionRevoked, apiOrigin(r))
		return s, nil
	})
}

type createTokenBody struct {
	ExpiresInSeconds int64 `json:"expires_in_seconds"`
}

// createTokenRoute mints a session token for an active session. JWT
// templates are not emulated: a template name yields the default claims.
func (e *Emulator) createTokenRoute(r *http.Request) (any, error) {
	var b createTokenBody
	if err := decodeBody(r, &b); err != nil {
		return nil, err
	}
	s, err := e.Session(r.PathValue("id"))
	if err != nil {
		return nil, errNotFound("session")
	}
	if s.Status != SessionActive {
		return nil, errSessionNotActive(&s)
	}
	tok, err := e.MintSessionToken(TokenParams{
		SessionID: s.ID,
		Lifetime:  time.Duration(b.ExpiresInSeconds) * time.Second,
	})
	if err != nil {
		return nil, err
	}
	return map[string]string{"object": "token", "jwt": tok}, nil
}
