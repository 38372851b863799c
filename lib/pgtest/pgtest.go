// Package pgtest gives tests and benchmarks a fresh, migrated database on a
// real PostgreSQL server.
//
// A test binary's TestMain calls Main. When PORTAL_TEST_DATABASE_URL names a
// server (as .ci/run does), that server is used; otherwise Main starts a
// disposable one with pglocal and stops it when the tests end. Each NewPool
// clones a template database built once per migration hash, so a fresh
// database costs milliseconds.
package pgtest

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"io/fs"
	"os"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver for pgtestdb
	"github.com/peterldowns/pgtestdb"

	"github.com/portal-auth/portal-auth/lib/migrate"
	"github.com/portal-auth/portal-auth/lib/pglocal"
	"github.com/portal-auth/portal-auth/migrations"
)

// EnvURL names the variable that points tests at an existing server.
const EnvURL = "PORTAL_TEST_DATABASE_URL"

var serverURL string

// Main runs the tests of a package against a PostgreSQL server and exits.
func Main(m *testing.M) {
	os.Exit(run(m))
}

func run(m *testing.M) int {
	serverURL = os.Getenv(EnvURL)
	if serverURL == "" {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		server, err := pglocal.Start(ctx, pglocal.Options{})
		cancel()
		if err != nil {
			fmt.Fprintf(os.Stderr, "pgtest: start postgres: %v\n", err)
			return 1
		}
		defer server.Stop()
		serverURL = server.URL
	}
	return m.Run()
}

// ServerURL returns the URL of the server the tests use, as its superuser.
func ServerURL(t testing.TB) string {
	t.Helper()
	if serverURL == "" {
		t.Fatal("pgtest: call pgtest.Main from TestMain")
	}
	return serverURL
}

// NewURL creates a fresh migrated database and returns its URL. The database
// is dropped when the test passes.
func NewURL(t testing.TB) string {
	t.Helper()
	conf := serverConfig(t)
	return pgtestdb.Custom(t, conf, migrator{}).URL()
}

// NewPool returns a pool on a fresh migrated database, closed at cleanup.
func NewPool(t testing.TB) *pgxpool.Pool {
	t.Helper()
	pool, err := pgxpool.New(context.Background(), NewURL(t))
	if err != nil {
		t.Fatalf("pgtest: open pool: %v", err)
	}
	t.Cleanup(pool.Close)
	return pool
}

func serverConfig(t testing.TB) pgtestdb.Config {
	t.Helper()
	parsed, err := pgx.ParseConfig(ServerURL(t))
	if err != nil {
		t.Fatalf("pgtest: parse server url: %v", err)
	}
	return pgtestdb.Config{
		DriverName:                "pgx",
		Host:                      parsed.Host,
		Port:                      fmt.Sprint(parsed.Port),
		User:                      parsed.User,
		Password:                  parsed.Password,
		Database:                  parsed.Database,
		Options:                   "sslmode=disable",
		ForceTerminateConnections: true,
	}
}

// migrator adapts the embedded goose migrations to pgtestdb.
type migrator struct{}

// Hash identifies the template database by the migration files' contents.
func (migrator) Hash() (string, error) {
	h := sha256.New()
	err := fs.WalkDir(migrations.FS, ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := fs.ReadFile(migrations.FS, path)
		if err != nil {
			return err
		}
		fmt.Fprintf(h, "%s %d\n", path, len(data))
		h.Write(data)
		return nil
	})
	if err != nil {
		return "", fmt.Errorf("hash migrations: %w", err)
	}
	return hex.EncodeToString(h.Sum(nil))[:16], nil
}

// Migrate applies the migrations to the template database.
func (migrator) Migrate(ctx context.Context, db *sql.DB, _ pgtestdb.Config) error {
	_, err := migrate.UpDB(ctx, db, nil)
	return err
}
