package demo

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/portal-auth/portal-auth/lib/audit"
)

// auditRow is what the demo shows of an audit_events row.
type auditRow struct {
	ID                             int64
	Action, SubjectType, SubjectID string
	Source, Reason, Changed        string
}

// printAudit prints the audit rows written since the last call.
func (p *player) printAudit(ctx context.Context) error {
	rows, err := p.pool.Query(ctx, `
		SELECT id, action, subject_type, subject_id, source,
		       coalesce(data->>'reason', ''), coalesce(data->>'changed', '')
		  FROM audit_events WHERE id > $1 ORDER BY id`, p.lastAudit)
	if err != nil {
		return fmt.Errorf("read audit rows: %w", err)
	}
	found, err := pgx.CollectRows(rows, pgx.RowToStructByPos[auditRow])
	if err != nil {
		return fmt.Errorf("read audit rows: %w", err)
	}
	for _, r := range found {
		extra := ""
		if r.Changed != "" {
			extra += " changed " + r.Changed
		}
		if r.Reason != "" {
			extra += " reason " + r.Reason
		}
		fmt.Fprintf(p.out, "      audit #%d %s: %s %s (%s)%s\n",
			r.ID, r.Action, r.SubjectType, r.SubjectID, r.Source, extra)
		p.lastAudit = r.ID
	}
	return nil
}

// verifyChain is the last step: the audit chain recomputes.
func (p *player) verifyChain(ctx context.Context) (*exchange, string, error) {
	report, err := audit.Verify(ctx, p.pool)
	if err != nil {
		return nil, "", err
	}
	if !report.OK() {
		return nil, "", fmt.Errorf("audit chain broken at row %d: %s", report.FirstBad,
			report.Problem)
	}
	return nil, fmt.Sprintf("%d rows, chain intact", report.Rows), nil
}
