package demo

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"
)

const checkPath = "/api/v1/session/check"

// signIn uses the emulator's stand-in for a browser sign-in and keeps the
// session token it returns for every later check.
func (p *player) signIn(ctx context.Context) (*exchange, string, error) {
	x, err := p.call(ctx, http.MethodPost, p.emu, "/sign_in", p.t.ClerkSecretKey,
		map[string]string{"user_id": p.memberID, "organization_id": p.tenantID})
	if err != nil {
		return nil, "", err
	}
	var out struct {
		Session struct{ ID string }
		JWT     string
	}
	if err := x.expect(http.StatusOK); err != nil {
		return x, "", err
	}
	if err := json.Unmarshal(x.body, &out); err != nil {
		return x, "", fmt.Errorf("decode sign-in: %w", err)
	}
	p.sessionID, p.token = out.Session.ID, out.JWT
	p.tokenExpiry, err = tokenExpiry(out.JWT)
	return x, "session " + p.sessionID, err
}

// tokenExpiry reads the exp claim of a JWT without verifying it.
func tokenExpiry(token string) (time.Time, error) {
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return time.Time{}, fmt.Errorf("session token has %d parts, want 3", len(parts))
	}
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return time.Time{}, fmt.Errorf("decode session token: %w", err)
	}
	var claims struct{ Exp int64 }
	if err := json.Unmarshal(payload, &claims); err != nil || claims.Exp == 0 {
		return time.Time{}, fmt.Errorf("session token without exp: %v", err)
	}
	return time.Unix(claims.Exp, 0), nil
}

// check calls the session check with the member's token.
func (p *player) check(ctx context.Context) (*exchange, error) {
	return p.call(ctx, http.MethodGet, p.t.BaseURL, checkPath, p.token, nil)
}

// expectRole returns a step expecting the check to answer 200 for the
// member in Acme with role.
func (p *player) expectRole(role string) func(context.Context) (*exchange, string, error) {
	return func(ctx context.Context) (*exchange, string, error) {
		x, err := p.check(ctx)
		if err != nil {
			return nil, "", err
		}
		h := x.header
		note := "x-role: " + h.Get("x-role")
		if err := x.expect(http.StatusOK); err != nil {
			return x, note, err
		}
		if h.Get("x-role") != role || h.Get("x-user-id") != p.memberID ||
			h.Get("x-tenant-id") != p.tenantID {
			return x, note, fmt.Errorf("check answered user %q tenant %q role %q, want %q %q %q",
				h.Get("x-user-id"), h.Get("x-tenant-id"), h.Get("x-role"),
				p.memberID, p.tenantID, role)
		}
		return x, note, nil
	}
}

// expectRefused expects the check to refuse the token, which has not
// expired, because its session was revoked.
func (p *player) expectRefused(ctx context.Context) (*exchange, string, error) {
	left := time.Until(p.tokenExpiry)
	if left <= 0 {
		return nil, "", fmt.Errorf("the token expired %s ago: the demo ran too slowly to "+
			"show a valid token being refused", -left.Round(time.Second))
	}
	x, err := p.check(ctx)
	if err != nil {
		return nil, "", err
	}
	var body struct{ Error string }
	_ = json.Unmarshal(x.body, &body)
	note := fmt.Sprintf("%s (token valid %s more)", body.Error, left.Round(time.Second))
	if err := x.expect(http.StatusUnauthorized); err != nil {
		return x, note, err
	}
	if body.Error != "session_revoked" {
		return x, note, fmt.Errorf("check refused with %q, want session_revoked", body.Error)
	}
	return x, note, nil
}
