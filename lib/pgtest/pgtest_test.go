package pgtest_test

import (
	"context"
	"testing"

	"github.com/portal-auth/portal-auth/lib/pgtest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

func TestNewPoolIsMigratedAndIsolated(t *testing.T) {
	ctx := context.Background()
	a, b := pgtest.NewPool(t), pgtest.NewPool(t)

	if _, err := a.Exec(ctx, `INSERT INTO tenants (id, name) VALUES ('org_a', 'A')`); err != nil {
		t.Fatalf("insert into first database: %v", err)
	}
	var n int
	if err := b.QueryRow(ctx, `SELECT count(*) FROM tenants`).Scan(&n); err != nil {
		t.Fatalf("count in second database: %v", err)
	}
	if n != 0 {
		t.Fatalf("second database sees %d tenants, want 0", n)
	}
}
