// Package audit checks the append-only, hash-chained audit log.
//
// Each audit_events row stores sha256(previous hash || its fields, each
// written as byte length, a colon and the bytes). The database computes the
// hash on insert; Verify recomputes the chain independently, in Go, and
// names the first row that does not match.
package audit

import (
	"bytes"
	"context"
	"crypto/sha256"
	"fmt"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Report is the outcome of a chain check.
type Report struct {
	// Rows is how many rows were checked.
	Rows int64
	// FirstBad is the id of the first row that breaks the chain, or 0.
	FirstBad int64
	// Problem says how it breaks the chain.
	Problem string
}

// OK reports whether the whole chain verified.
func (r Report) OK() bool { return r.FirstBad == 0 }

type row struct {
	id                                          int64
	occurredAt                                  time.Time
	action, actor, subjectType, subjectID       string
	tenant, source, svixID, clientIP, userAgent string
	data                                        string
	prevHash, hash                              []byte
}

// Verify walks the chain in id order. It returns an error only when the
// rows cannot be read.
func Verify(ctx context.Context, pool *pgxpool.Pool) (Report, error) {
	rows, err := pool.Query(ctx, `
		SELECT id, occurred_at, action, coalesce(actor_id, ''), subject_type, subject_id,
		       coalesce(tenant_id, ''), source, coalesce(svix_id, ''), coalesce(client_ip, ''),
		       coalesce(user_agent, ''), data::text, prev_hash, hash
		  FROM audit_events ORDER BY id`)
	if err != nil {
		return Report{}, fmt.Errorf("read audit events: %w", err)
	}
	defer rows.Close()
	var report Report
	prev := make([]byte, sha256.Size)
	var r row
	for rows.Next() {
		if err := scan(rows, &r); err != nil {
			return Report{}, err
		}
		report.Rows++
		if problem := check(r, report.Rows, prev); problem != "" {
			report.FirstBad, report.Problem = r.id, problem
			return report, nil
		}
		prev = r.hash
	}
	if err := rows.Err(); err != nil {
		return Report{}, fmt.Errorf("read audit events: %w", err)
	}
	return report, nil
}

func scan(rows pgx.Rows, r *row) error {
	err := rows.Scan(&r.id, &r.occurredAt, &r.action, &r.actor, &r.subjectType, &r.subjectID,
		&r.tenant, &r.source, &r.svixID, &r.clientIP, &r.userAgent, &r.data, &r.prevHash, &r.hash)
	if err != nil {
		return fmt.Errorf("read audit event: %w", err)
	}
	return nil
}

func check(r row, position int64, prev []byte) string {
	switch {
	case r.id != position:
		return fmt.Sprintf("expected id %d here: a row is missing", position)
	case !bytes.Equal(r.prevHash, prev):
		return "prev_hash does not match the previous row's hash"
	case !bytes.Equal(r.hash, Hash(r.prevHash, fields(r))):
		return "hash does not match the row's contents"
	}
	return ""
}

func fields(r row) []string {
	return []string{
		strconv.FormatInt(r.id, 10), strconv.FormatInt(r.occurredAt.UnixMicro(), 10),
		r.action, r.actor, r.subjectType, r.subjectID, r.tenant, r.source, r.svixID,
		r.clientIP, r.userAgent, r.data,
	}
}

// Hash is the chain hash of a row with the given fields after prev.
func Hash(prev []byte, fields []string) []byte {
	h := sha256.New()
	h.Write(prev)
	for _, f := range fields {
		fmt.Fprintf(h, "%d:%s", len(f), f)
	}
	return h.Sum(nil)
}
