package audit_test

import (
	"context"
	"strings"
	"testing"

	"github.com/portal-auth/portal-auth/lib/audit"
	"github.com/portal-auth/portal-auth/lib/pgtest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

const insert = `INSERT INTO audit_events (action, actor_id, subject_type, subject_id,
	tenant_id, source, svix_id, client_ip, user_agent, data)
	VALUES ($1, 'user_1', 'user', 'user_1', NULL, 'test', 'msg_1', '203.0.113.1', 'ua',
	        '{"changed": ["email"], "note": "ünïcode"}')`

func TestChainVerifiesAndNamesTheFirstBadRow(t *testing.T) {
	ctx := context.Background()
	pool := pgtest.NewPool(t)
	for _, action := range []string{"user.created", "user.updated", "user.deleted"} {
		if _, err := pool.Exec(ctx, insert, action); err != nil {
			t.Fatal(err)
		}
	}
	report, err := audit.Verify(ctx, pool)
	if err != nil || !report.OK() || report.Rows != 3 {
		t.Fatalf("intact chain: %+v, %v", report, err)
	}

	// Tamper as a superuser would: with the guard triggers switched off.
	tamper(t, pool.Config().ConnConfig.Database)

	report, err = audit.Verify(ctx, pool)
	if err != nil {
		t.Fatal(err)
	}
	if report.FirstBad != 2 || !strings.Contains(report.Problem, "hash") {
		t.Errorf("tampered chain: got %+v, want first bad row 2", report)
	}
}

func TestAuditLogRefusesChanges(t *testing.T) {
	ctx := context.Background()
	pool := pgtest.NewPool(t)
	if _, err := pool.Exec(ctx, insert, "user.created"); err != nil {
		t.Fatal(err)
	}
	for _, stmt := range []string{
		`UPDATE audit_events SET action = 'x'`,
		`DELETE FROM audit_events`,
		`TRUNCATE audit_events`,
	} {
		if _, err := pool.Exec(ctx, stmt); err == nil || !strings.Contains(err.Error(), "append-only") {
			t.Errorf("%s: got %v, want an append-only refusal", stmt, err)
		}
	}
}
