package sessioncheck

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
)

// DB is the one method of a pgx pool the check uses.
type DB interface {
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// stateQuery reads, in one round trip, what the webhooks recorded about the
// token's user ($1) and session ($2), the user's membership in the requested
// tenant ($3) and that tenant. The outer row always exists, so a missing row
// reads as NULLs; every join is a primary-key lookup.
const stateQuery = `SELECT
	coalesce(u.banned, false) OR u.deleted_at IS NOT NULL,
	s.id IS NOT NULL, coalesce(s.user_id <> $1, false), s.ended_at IS NOT NULL,
	coalesce(s.status, ''), s.last_active_at, s.clerk_created_at, s.expire_at,
	m.user_id IS NOT NULL, m.deleted_at IS NOT NULL OR t.deleted_at IS NOT NULL,
	coalesce(m.role, '')
FROM (VALUES (1)) AS k (one)
LEFT JOIN users u ON u.id = $1
LEFT JOIN sessions s ON s.id = $2
LEFT JOIN memberships m ON m.tenant_id = $3 AND m.user_id = $1
LEFT JOIN tenants t ON t.id = $3`

// state is the row stateQuery returns.
type state struct {
	// userDisabled: the user is banned or deleted.
	userDisabled bool

	sessionKnown, sessionOtherUser, sessionEnded bool
	sessionStatus                                string
	lastActiveAt, createdAt, expireAt            pgtype.Timestamptz

	// memberKnown: a membership row exists, live or deleted.
	memberKnown bool
	// memberGone: the membership or the tenant is deleted.
	memberGone bool
	role       string
}

// loadState runs stateQuery.
func loadState(ctx context.Context, db DB, userID, sessionID, tenantID string) (*state, error) {
	s := &state{}
	err := db.QueryRow(ctx, stateQuery, userID, sessionID, tenantID).Scan(
		&s.userDisabled,
		&s.sessionKnown, &s.sessionOtherUser, &s.sessionEnded,
		&s.sessionStatus, &s.lastActiveAt, &s.createdAt, &s.expireAt,
		&s.memberKnown, &s.memberGone, &s.role)
	if err != nil {
		return nil, fmt.Errorf("load session state: %w", err)
	}
	return s, nil
}

// limits bound the life of a session the webhooks told us about.
type limits struct {
	idle, maxAge time.Duration
}

// decide returns the role the user holds in tenantID, or the reason to
// refuse. A membership row decides; without one (the webhook may still be in
// flight) the token's own organization claims are trusted, but only for the
// token's active organization.
func decide(s *state, cl *Claims, tenantID string, now time.Time, lim limits) (string, Reason) {
	if s.userDisabled {
		return "", UserDisabled
	}
	if r := s.sessionReason(now, lim); r != "" {
		return "", r
	}
	if s.memberGone {
		return "", NotAMember
	}

	role := strings.TrimPrefix(s.role, "org:")
	if !s.memberKnown {
		org, orgRole := cl.ActiveOrg()
		if org != tenantID {
			return "", NotAMember
		}
		role = orgRole
	}
	if !validID(role) {
		return "", NotAMember
	}
	return role, ""
}

// sessionReason refuses a session the webhooks ended, or one idle or older
// than the limits allow. An unknown session is left to the token.
func (s *state) sessionReason(now time.Time, lim limits) Reason {
	if !s.sessionKnown {
		return ""
	}
	switch s.sessionStatus {
	case "ended", "removed", "revoked", "replaced":
		return SessionRevoked
	case "expired", "abandoned":
		return SessionExpired
	}
	if s.sessionEnded || s.sessionOtherUser {
		return SessionRevoked
	}
	if over(s.lastActiveAt, now, lim.idle) || over(s.createdAt, now, lim.maxAge) ||
		(s.expireAt.Valid && !now.Before(s.expireAt.Time)) {
		return SessionExpired
	}
	return ""
}

// over reports whether more than limit has passed between t and now; an
// unset time or a zero limit never is.
func over(t pgtype.Timestamptz, now time.Time, limit time.Duration) bool {
	return limit > 0 && t.Valid && now.Sub(t.Time) > limit
}
