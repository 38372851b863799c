package invites

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/portal-auth/portal-auth/lib/outbox"
)

// Invitation kinds, as stored in invitations.kind.
const (
	kindOrganization = "organization"
	kindApplication  = "application"
)

// expireSQL moves a batch of stale pending invitations to expired and
// writes one audit row for each, in one statement. SKIP LOCKED leaves rows
// another run holds to that run; the status is re-checked on the locked row.
const expireSQL = `
WITH stale AS (
    SELECT id FROM invitations
     WHERE status = 'pending' AND kind = $1
       AND ($2::text[] IS NULL OR id = ANY ($2))
       AND (expires_at < $3 OR clerk_created_at < $4)
     LIMIT $5
     FOR UPDATE SKIP LOCKED
), expired AS (
    UPDATE invitations i
       SET status = 'expired', updated_at = now()
      FROM stale
     WHERE i.id = stale.id AND i.status = 'pending'
    RETURNING i.id, i.tenant_id,
              CASE WHEN i.expires_at < $3 THEN 'expires_at' ELSE 'max_age' END AS reason
), audited AS (
    INSERT INTO audit_events (action, subject_type, subject_id, tenant_id, source, data)
    SELECT 'invitation.expired', 'invitation', id, tenant_id, 'cron',
           jsonb_build_object('invitation_id', id, 'kind', $1::text, 'reason', reason,
                              'changed', jsonb_build_array('status'))
      FROM expired
)
SELECT id, coalesce(tenant_id, '') FROM expired`

// expireBatch expires up to BatchSize stale pending invitations of kind
// (only those in ids, when ids is not nil), audits each and queues its
// revocation in Clerk, all in one transaction. It returns how many it
// expired.
func (r *run) expireBatch(ctx context.Context, kind string, ids []string) (int, error) {
	var n int
	err := pgx.BeginFunc(ctx, r.pool, func(tx pgx.Tx) error {
		actions, err := r.expireRows(ctx, tx, kind, ids)
		if err != nil {
			return err
		}
		n = len(actions)
		if _, err := outbox.Enqueue(ctx, tx, actions); err != nil {
			return err
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("expire %s invitations: %w", kind, err)
	}
	r.res.Expired += n
	return n, nil
}

// expireRows runs expireSQL and returns the revocation of each row.
func (r *run) expireRows(ctx context.Context, tx pgx.Tx, kind string,
	ids []string) ([]outbox.Action, error) {
	rows, err := tx.Query(ctx, expireSQL, kind, ids,
		r.now, r.now.Add(-r.settings.MaxAge), r.settings.BatchSize)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(row pgx.CollectableRow) (outbox.Action, error) {
		a := outbox.Action{Kind: outbox.RevokeOrganizationInvitation}
		if kind == kindApplication {
			a.Kind = outbox.RevokeApplicationInvitation
		}
		err := row.Scan(&a.TargetID, &a.ParentID)
		return a, err
	})
}

// expireOrganizationInvitations expires stale organization invitations in
// batches until none is left or the budget is spent. A short batch means
// the rest is done or held by an overlapping run.
func (r *run) expireOrganizationInvitations(ctx context.Context) error {
	for r.timeLeft() {
		n, err := r.expireBatch(ctx, kindOrganization, nil)
		if err != nil {
			return err
		}
		if n < r.settings.BatchSize {
			return nil
		}
	}
	return nil
}
