package audit_test

import (
	"context"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/portal-auth/portal-auth/lib/pgtest"
)

// tamper edits row 2 of database db as the server's superuser, bypassing the
// append-only triggers the way only an administrator could.
func tamper(t *testing.T, db string) {
	t.Helper()
	ctx := context.Background()
	url := strings.Replace(pgtest.ServerURL(t), "/postgres?", "/"+db+"?", 1)
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	for _, stmt := range []string{
		`SET session_replication_role = replica`,
		`UPDATE audit_events SET actor_id = 'user_someone_else' WHERE id = 2`,
	} {
		if _, err := conn.Exec(ctx, stmt); err != nil {
			t.Fatal(err)
		}
	}
}
