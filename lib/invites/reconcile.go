package invites

import (
	"context"
	"fmt"

	"github.com/clerk/clerk-sdk-go/v2"
	"github.com/clerk/clerk-sdk-go/v2/invitation"
	"github.com/jackc/pgx/v5"
)

// unlistedSQL finds the application invitations still pending here that a
// complete listing of Clerk's pending ones ($1) did not show.
const unlistedSQL = `
SELECT id, coalesce(email::text, '') FROM invitations
 WHERE kind = 'application' AND status = 'pending' AND NOT (id = ANY (coalesce($1::text[], '{}')))
 ORDER BY id LIMIT $2`

// settleSQL records the status Clerk holds for an invitation that left its
// pending list, with an audit row, unless another run settled it first.
const settleSQL = `
WITH settled AS (
    UPDATE invitations SET status = $2, updated_at = now()
     WHERE id = $1 AND kind = 'application' AND status = 'pending'
    RETURNING id
)
INSERT INTO audit_events (action, subject_type, subject_id, source, data)
SELECT 'invitation.reconciled', 'invitation', id, 'cron',
       jsonb_build_object('invitation_id', id, 'kind', 'application', 'status', $2::text,
                          'changed', jsonb_build_array('status'))
  FROM settled`

// clerkSettled maps Clerk's final invitation statuses to ours.
var clerkSettled = map[string]string{
	"accepted": "accepted", "revoked": "revoked", "expired": "expired",
}

// reconcileApplicationInvitations settles the application invitations
// pending here that a complete listing of Clerk's pending ones (listed) no
// longer shows: each is looked up among Clerk's accepted, revoked and
// expired invitations and takes the status found there. One not found is
// left pending (offset paging can skip a row that moved during the
// listing; the next run sees it again).
func (r *run) reconcileApplicationInvitations(ctx context.Context, listed []string) error {
	rows, err := r.pool.Query(ctx, unlistedSQL, listed, r.settings.BatchSize)
	if err != nil {
		return fmt.Errorf("find unlisted application invitations: %w", err)
	}
	unlisted, err := pgx.CollectRows(rows, pgx.RowToStructByPos[unlistedInvitation])
	if err != nil {
		return fmt.Errorf("find unlisted application invitations: %w", err)
	}
	for _, inv := range unlisted {
		if !r.timeLeft() || !r.clerkAvailable(ctx) {
			r.partial = true
			return nil
		}
		status, err := r.settledStatus(ctx, inv)
		if err != nil {
			r.logger.WarnContext(ctx, "look up application invitation failed",
				"invitation_id", inv.ID, "err", err.Error())
			continue
		}
		if status == "" {
			continue
		}
		if _, err := r.pool.Exec(ctx, settleSQL, inv.ID, status); err != nil {
			return fmt.Errorf("settle application invitation: %w", err)
		}
		r.res.Reconciled++
	}
	return nil
}

type unlistedInvitation struct {
	ID, Email string
}

// settledStatus returns our status for inv's final state in Clerk, or ""
// when Clerk does not list it as accepted, revoked or expired.
func (r *run) settledStatus(ctx context.Context, inv unlistedInvitation) (string, error) {
	if inv.Email == "" {
		return "", nil
	}
	limit := int64(r.settings.PageSize)
	list, err := r.clerk.Invitations.List(ctx, &invitation.ListParams{
		ListParams: clerk.ListParams{Limit: &limit},
		Query:      &inv.Email,
		Statuses:   []string{"accepted", "revoked", "expired"},
	})
	if err != nil {
		return "", fmt.Errorf("list settled application invitations: %w", err)
	}
	for _, found := range list.Invitations {
		if found != nil && found.ID == inv.ID {
			return clerkSettled[found.Status], nil
		}
	}
	return "", nil
}
