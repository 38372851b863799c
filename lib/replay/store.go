package replay

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"
)

// MaxAttempts bounds the replays of one delivery that may come back
// rejected before the delivery is given up on.
const MaxAttempts = 20

// IDPrefix starts the message id of every replay.
const IDPrefix = "replay_"

// ReplayID is the message id of the nth replay (from 1) of the delivery
// with svix-id orig: replay_<orig> first, then replay_<orig>.2 and so on.
// It is deterministic, so two runs replaying the same delivery at the same
// attempt send the same id and the webhook function applies it once.
func ReplayID(orig string, n int) string {
	if n <= 1 {
		return IDPrefix + orig
	}
	return IDPrefix + orig + "." + strconv.Itoa(n)
}

// row is a stored delivery.
type row struct {
	svixID, eventType, status string
}

const selectByIDSQL = `
SELECT svix_id, event_type, status FROM webhook_deliveries WHERE svix_id = $1`

// selectRangeSQL lists rejected deliveries received in [since, until); a
// NULL bound is open. Rows of replays themselves are left out: they are
// attempts of their original, which stays rejected until one succeeds.
const selectRangeSQL = `
SELECT svix_id, event_type, status
  FROM webhook_deliveries
 WHERE status = 'rejected'
   AND ($1::timestamptz IS NULL OR received_at >= $1)
   AND ($2::timestamptz IS NULL OR received_at < $2)
   AND NOT starts_with(svix_id, '` + IDPrefix + `')
 ORDER BY received_at, svix_id`

func (r *Replayer) selectRows(ctx context.Context, sel Selection) ([]row, error) {
	ctx, cancel := context.WithTimeout(ctx, dbTimeout)
	defer cancel()
	var rows pgx.Rows
	var err error
	if sel.SvixID != "" {
		rows, err = r.pool.Query(ctx, selectByIDSQL, sel.SvixID)
	} else {
		rows, err = r.pool.Query(ctx, selectRangeSQL, optionalTime(sel.Since),
			optionalTime(sel.Until))
	}
	if err != nil {
		return nil, fmt.Errorf("select deliveries: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(rs pgx.CollectableRow) (row, error) {
		var x row
		return x, rs.Scan(&x.svixID, &x.eventType, &x.status)
	})
	if err != nil {
		return nil, fmt.Errorf("select deliveries: %w", err)
	}
	if sel.SvixID != "" && len(out) == 0 {
		return nil, fmt.Errorf("delivery %s: %w", sel.SvixID, ErrNotFound)
	}
	return out, nil
}

func optionalTime(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

// payload returns the stored raw body, nil when it was dropped.
func (r *Replayer) payload(ctx context.Context, svixID string) ([]byte, error) {
	ctx, cancel := context.WithTimeout(ctx, dbTimeout)
	defer cancel()
	var body []byte
	err := r.pool.QueryRow(ctx,
		`SELECT payload FROM webhook_deliveries WHERE svix_id = $1`, svixID).Scan(&body)
	if err != nil {
		return nil, fmt.Errorf("load payload: %w", err)
	}
	return body, nil
}

// attempts returns the statuses of the earlier replays of orig, by
// attempt number (index 0 is the first replay); it stops at the first
// attempt never recorded.
func (r *Replayer) attempts(ctx context.Context, orig string) ([]string, error) {
	ctx, cancel := context.WithTimeout(ctx, dbTimeout)
	defer cancel()
	ids := make([]string, MaxAttempts)
	for i := range ids {
		ids[i] = ReplayID(orig, i+1)
	}
	rows, err := r.pool.Query(ctx,
		`SELECT svix_id, status FROM webhook_deliveries WHERE svix_id = ANY($1)`, ids)
	if err != nil {
		return nil, fmt.Errorf("load replay attempts: %w", err)
	}
	byID := map[string]string{}
	var id, status string
	_, err = pgx.ForEachRow(rows, []any{&id, &status}, func() error {
		byID[id] = status
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("load replay attempts: %w", err)
	}
	var out []string
	for _, id := range ids {
		s, ok := byID[id]
		if !ok {
			break
		}
		out = append(out, s)
	}
	return out, nil
}

// status returns the recorded status of one delivery, "" when there is none.
func (r *Replayer) status(ctx context.Context, svixID string) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, dbTimeout)
	defer cancel()
	var s string
	err := r.pool.QueryRow(ctx,
		`SELECT status FROM webhook_deliveries WHERE svix_id = $1`, svixID).Scan(&s)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("load replay status: %w", err)
	}
	return s, nil
}

// markReplayed records that a rejected delivery has now been applied.
func (r *Replayer) markReplayed(ctx context.Context, svixID string) error {
	ctx, cancel := context.WithTimeout(ctx, dbTimeout)
	defer cancel()
	_, err := r.pool.Exec(ctx, `UPDATE webhook_deliveries SET status = 'replayed'
		WHERE svix_id = $1 AND status = 'rejected'`, svixID)
	if err != nil {
		return fmt.Errorf("mark replayed: %w", err)
	}
	return nil
}
