package invites

import (
	"context"
	"fmt"
	"time"
)

// purgePayloadsSQL drops the stored payload of a batch of old deliveries;
// the delivery rows stay as the idempotency and audit record.
const purgePayloadsSQL = `
UPDATE webhook_deliveries
   SET payload = NULL, payload_dropped_at = now()
 WHERE svix_id IN (SELECT svix_id FROM webhook_deliveries
                    WHERE payload IS NOT NULL AND received_at < $1
                    LIMIT $2
                    FOR UPDATE SKIP LOCKED)`

// purgeSessionsSQL deletes a batch of sessions that ended long ago.
const purgeSessionsSQL = `
DELETE FROM sessions
 WHERE id IN (SELECT id FROM sessions
               WHERE ended_at < $1
               LIMIT $2
               FOR UPDATE SKIP LOCKED)`

// purgePayloads drops webhook payloads older than PayloadRetention.
func (r *run) purgePayloads(ctx context.Context) error {
	n, err := r.purge(ctx, purgePayloadsSQL, r.settings.PayloadRetention)
	r.res.PayloadsPurged += n
	if err != nil {
		return fmt.Errorf("purge webhook payloads: %w", err)
	}
	return nil
}

// purgeSessions deletes sessions ended more than SessionRetention ago.
func (r *run) purgeSessions(ctx context.Context) error {
	n, err := r.purge(ctx, purgeSessionsSQL, r.settings.SessionRetention)
	r.res.SessionsPurged += n
	if err != nil {
		return fmt.Errorf("purge ended sessions: %w", err)
	}
	return nil
}

// purge runs a batched retention statement until a batch comes back short
// or the budget is spent, and returns the rows it affected.
func (r *run) purge(ctx context.Context, sql string, retention time.Duration) (int, error) {
	total := 0
	for r.timeLeft() {
		tag, err := r.pool.Exec(ctx, sql, r.now.Add(-retention), r.settings.BatchSize)
		if err != nil {
			return total, err
		}
		n := int(tag.RowsAffected())
		total += n
		if n < r.settings.BatchSize {
			break
		}
	}
	return total, nil
}
