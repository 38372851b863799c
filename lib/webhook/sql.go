package webhook

import (
	"encoding/json"
	"fmt"
	"strings"
)

// query builds one SQL statement and its arguments, numbering placeholders
// as arguments are added.
type query struct {
	sql  strings.Builder
	args []any
}

// arg adds v and returns its placeholder.
func (q *query) arg(v any) string {
	q.args = append(q.args, storable(v))
	return fmt.Sprintf("$%d", len(q.args))
}

// storable makes text safe for Postgres, which refuses NUL in text and
// jsonb: a NUL in any field of a signed event would otherwise fail the
// delivery on every retry and keep its change (a removal, a ban) from ever
// being applied. JSON decoding already replaced invalid UTF-8.
func storable(v any) any {
	switch s := v.(type) {
	case string:
		return pgText(s)
	case *string:
		if s != nil {
			t := pgText(*s)
			return &t
		}
	}
	return v
}

// pgText drops NUL bytes and replaces invalid UTF-8.
func pgText(s string) string {
	if strings.IndexByte(s, 0) >= 0 {
		s = strings.ReplaceAll(s, "\x00", "")
	}
	return strings.ToValidUTF8(s, "\uFFFD")
}

// add appends SQL text in which each %s is replaced by the placeholder of
// the matching value in vals.
func (q *query) add(text string, vals ...any) {
	ph := make([]any, len(vals))
	for i, v := range vals {
		ph[i] = q.arg(v)
	}
	fmt.Fprintf(&q.sql, text, ph...)
}

// step is one statement of a delivery's transaction.
type step struct {
	sql  string
	args []any
	// queues is set when the statement returns clerk_actions ids.
	queues bool
}

func (q *query) step() step { return step{sql: q.sql.String(), args: q.args} }

func (q *query) queueStep() step {
	s := q.step()
	s.queues = true
	return s
}

// auditRow is the audit record of one applied event.
type auditRow struct {
	action      string
	actorID     string
	subjectType string
	subjectID   string
	tenantID    string
	svixID      string
	clientIP    string
	userAgent   string
	// ids are extra identifiers recorded in data (never personal data).
	ids map[string]string
}

// tracked describes the row an event changes, so the audit row can say
// whether the event applied and which columns it changed.
type tracked struct {
	table   string
	where   string // e.g. "id = %s", filled with keyArgs
	keyArgs []any
	columns []string
}

// changeWithAudit wraps a data-modifying statement (which must end with
// RETURNING of t.columns) so that the same statement writes the audit row:
// data.applied tells whether the change happened (an older event changes
// nothing) and data.changed lists the columns whose value it changed.
func changeWithAudit(t tracked, change func(q *query), a auditRow) step {
	var q query
	cols := strings.Join(t.columns, ", ")
	q.add("WITH old AS (SELECT "+cols+" FROM "+t.table+" WHERE "+t.where+"), ", t.keyArgs...)
	q.sql.WriteString("up AS (")
	change(&q)
	q.sql.WriteString(" RETURNING " + cols + ") ")
	clean := make(map[string]string, len(a.ids))
	for k, v := range a.ids {
		clean[k] = pgText(v)
	}
	ids, _ := json.Marshal(clean)
	q.add(`INSERT INTO audit_events (action, actor_id, subject_type, subject_id, tenant_id,
		source, svix_id, client_ip, user_agent, data)
		SELECT %s, nullif(%s, ''), %s, %s, nullif(%s, ''), 'clerk_webhook', %s,
		       nullif(%s, ''), nullif(%s, ''),
		       %s::jsonb || jsonb_build_object('applied', up.`+t.columns[0]+` IS NOT NULL, 'changed', `,
		a.action, a.actorID, a.subjectType, a.subjectID, a.tenantID, a.svixID,
		a.clientIP, a.userAgent, string(ids))
	q.sql.WriteString(changedColumns(t.columns))
	q.sql.WriteString(") FROM (SELECT 1) one LEFT JOIN up ON true LEFT JOIN old ON true")
	return q.step()
}

// changedColumns is a SQL array of the names of columns whose value differs
// between old and up (all of them when the row is new). The first column is
// the key, never null in a returned row.
func changedColumns(columns []string) string {
	parts := make([]string, len(columns))
	for i, c := range columns {
		parts[i] = fmt.Sprintf("CASE WHEN up.%s IS NOT NULL AND old.%s IS DISTINCT FROM up.%s "+
			"THEN '%s' END", columns[0], c, c, c)
	}
	return "to_jsonb(array_remove(ARRAY[" + strings.Join(parts, ", ") + "]::text[], NULL))"
}
