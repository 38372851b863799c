// Package outbox queues Clerk side effects in the clerk_actions table inside
// the transaction that decides them, and carries them out after the commit.
//
// A row is claimed by moving its next_attempt_at past a lease in the same
// statement that selects it with FOR UPDATE SKIP LOCKED, so two runners never
// take the same row, and a runner that dies mid-call gives the row back when
// the lease ends. Only transaction-scoped locks are used, which Neon's
// transaction-mode pooler supports.
package outbox

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// Kind names a Clerk side effect.
type Kind string

// The kinds of side effect.
const (
	RevokeUserSessions           Kind = "revoke_user_sessions"
	RevokeSession                Kind = "revoke_session"
	RevokeOrganizationInvitation Kind = "revoke_organization_invitation"
	RevokeApplicationInvitation  Kind = "revoke_application_invitation"
)

// Action is one queued side effect.
type Action struct {
	ID       int64
	Kind     Kind
	TargetID string
	// ParentID is the organization of an organization invitation.
	ParentID string
	// SvixID is the delivery that asked for it, if any.
	SvixID string
	// Attempts counts claims so far, including the current one.
	Attempts int
}

// Execer is what Enqueue needs: a transaction or a pool.
type Execer interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
}

// Enqueue adds actions in one statement and returns their ids. An action
// already pending for the same target is not duplicated: its id is returned
// and it becomes due now.
func Enqueue(ctx context.Context, q Execer, actions []Action) ([]int64, error) {
	if len(actions) == 0 {
		return nil, nil
	}
	kinds, targets, parents, svixIDs := columns(actions)
	rows, err := q.Query(ctx, `
		INSERT INTO clerk_actions (kind, target_id, parent_id, svix_id)
		SELECT k, t, nullif(p, ''), nullif(s, '')
		  FROM unnest($1::text[], $2::text[], $3::text[], $4::text[]) AS a(k, t, p, s)
		ON CONFLICT (kind, target_id) WHERE status = 'pending'
		DO UPDATE SET next_attempt_at = least(clerk_actions.next_attempt_at, now()),
		              updated_at = now()
		RETURNING id`, kinds, targets, parents, svixIDs)
	if err != nil {
		return nil, fmt.Errorf("enqueue clerk actions: %w", err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return nil, fmt.Errorf("enqueue clerk actions: %w", err)
	}
	return ids, nil
}

func columns(actions []Action) (kinds, targets, parents, svixIDs []string) {
	for _, a := range actions {
		kinds = append(kinds, string(a.Kind))
		targets = append(targets, a.TargetID)
		parents = append(parents, a.ParentID)
		svixIDs = append(svixIDs, a.SvixID)
	}
	return kinds, targets, parents, svixIDs
}
