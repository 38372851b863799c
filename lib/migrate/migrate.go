// Package migrate applies the embedded schema migrations with goose.
//
// Migrations run from a deploy step or the command line against the direct
// (non-pooler) database URL, never at a function's cold start. A table-based
// lock makes two concurrent runs safe: the second waits, then finds nothing
// left to do.
package migrate

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"

	"github.com/portal-auth/portal-auth/migrations"
)

// Result describes one applied migration.
type Result struct {
	Version  int64
	Source   string
	Duration time.Duration
}

// Up applies every pending migration to the database at databaseURL and
// returns what it applied, oldest first.
func Up(ctx context.Context, databaseURL string, logger *slog.Logger) ([]Result, error) {
	db, err := open(databaseURL)
	if err != nil {
		return nil, err
	}
	defer db.Close()
	return UpDB(ctx, db, logger)
}

// UpDB is Up on an open database handle.
func UpDB(ctx context.Context, db *sql.DB, logger *slog.Logger) ([]Result, error) {
	provider, err := newProvider(db, logger)
	if err != nil {
		return nil, err
	}
	applied, err := provider.Up(ctx)
	if err != nil {
		return nil, fmt.Errorf("apply migrations: %w", err)
	}
	results := make([]Result, 0, len(applied))
	for _, r := range applied {
		results = append(results, Result{
			Version:  r.Source.Version,
			Source:   r.Source.Path,
			Duration: r.Duration,
		})
	}
	return results, nil
}

func open(databaseURL string) (*sql.DB, error) {
	config, err := pgx.ParseConfig(databaseURL)
	if err != nil {
		return nil, fmt.Errorf("parse database url: %w", err)
	}
	return stdlib.OpenDB(*config), nil
}

func newProvider(db *sql.DB, logger *slog.Logger) (*goose.Provider, error) {
	locker, err := lock.NewPostgresTableLocker(
		lock.WithTableLockTimeout(250*time.Millisecond, 2400),
	)
	if err != nil {
		return nil, fmt.Errorf("create migration lock: %w", err)
	}
	opts := []goose.ProviderOption{goose.WithLocker(locker)}
	if logger != nil {
		opts = append(opts, goose.WithSlog(logger))
	}
	provider, err := goose.NewProvider(goose.DialectPostgres, db, migrations.FS, opts...)
	if err != nil {
		return nil, fmt.Errorf("create migration provider: %w", err)
	}
	return provider, nil
}
