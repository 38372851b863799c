package webhook

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Outcome is how a delivery was handled, as answered to Svix.
type Outcome string

// The outcomes.
const (
	Processed Outcome = "processed"
	Duplicate Outcome = "duplicate"
	Ignored   Outcome = "ignored"
	Rejected  Outcome = "rejected"
)

// delivery is one verified webhook request.
type delivery struct {
	signed    Signed
	eventType string
	body      []byte
	// plan is nil for an ignored or rejected delivery.
	plan *plan
	// rejectReason says why a signed body could not be decoded.
	rejectReason string
}

func (d *delivery) status() Outcome {
	switch {
	case d.rejectReason != "":
		return Rejected
	case d.plan == nil:
		return Ignored
	}
	return Processed
}

// save applies a delivery in one transaction in two round trips: the first
// opens the transaction and writes the webhook_deliveries row (a conflict on
// svix_id means another copy got there first); the second sends every
// statement of the plan and the commit as one pipelined batch.
func save(ctx context.Context, pool *pgxpool.Pool, d *delivery) (Outcome, []int64, error) {
	conn, err := pool.Acquire(ctx)
	if err != nil {
		return "", nil, fmt.Errorf("acquire connection: %w", err)
	}
	defer conn.Release()

	fresh, err := begin(ctx, conn, d)
	if err != nil {
		rollback(conn)
		return "", nil, err
	}
	if !fresh {
		rollback(conn)
		return Duplicate, nil, nil
	}
	ids, err := applyAndCommit(ctx, conn, d)
	if err != nil {
		rollback(conn)
		return "", nil, err
	}
	return d.status(), ids, nil
}

func begin(ctx context.Context, conn *pgxpool.Conn, d *delivery) (bool, error) {
	var payloadErr *string
	if d.rejectReason != "" {
		payloadErr = &d.rejectReason
	}
	b := &pgx.Batch{}
	b.Queue("BEGIN ISOLATION LEVEL READ COMMITTED")
	b.Queue(`INSERT INTO webhook_deliveries (svix_id, event_type, status, svix_timestamp,
			error, payload)
		VALUES ($1, $2, $3, $4, $5, $6)
		ON CONFLICT (svix_id) DO NOTHING
		RETURNING true`,
		d.signed.ID, pgText(truncate(d.eventType, 128)), string(d.status()), d.signed.Timestamp,
		payloadErr, d.body)
	results := conn.SendBatch(ctx, b)
	defer results.Close()
	if _, err := results.Exec(); err != nil {
		return false, fmt.Errorf("begin delivery: %w", err)
	}
	var fresh bool
	err := results.QueryRow().Scan(&fresh)
	if errors.Is(err, pgx.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("record delivery: %w", err)
	}
	return fresh, results.Close()
}

func applyAndCommit(ctx context.Context, conn *pgxpool.Conn, d *delivery) ([]int64, error) {
	b := &pgx.Batch{}
	var steps []step
	if d.plan != nil {
		steps = d.plan.steps
	}
	for _, s := range steps {
		b.Queue(s.sql, s.args...)
	}
	b.Queue("COMMIT")
	results := conn.SendBatch(ctx, b)
	defer results.Close()
	var ids []int64
	for i, s := range steps {
		got, err := readStep(results, s)
		if err != nil {
			return nil, fmt.Errorf("apply %s step %d: %w", d.eventType, i+1, err)
		}
		ids = append(ids, got...)
	}
	if _, err := results.Exec(); err != nil {
		return nil, fmt.Errorf("commit delivery: %w", err)
	}
	return ids, results.Close()
}

func readStep(results pgx.BatchResults, s step) ([]int64, error) {
	if !s.queues {
		_, err := results.Exec()
		return nil, err
	}
	rows, err := results.Query()
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, pgx.RowTo[int64])
}

// rollback ends a failed transaction; a broken connection is discarded.
func rollback(conn *pgxpool.Conn) {
	ctx, cancel := context.WithTimeout(context.Background(), rollbackTimeout)
	defer cancel()
	if _, err := conn.Exec(ctx, "ROLLBACK"); err != nil {
		_ = conn.Conn().Close(ctx)
	}
}
