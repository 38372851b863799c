// Package store is the Postgres access layer: the connection pool tuned for
// Neon's pooler and the statements every function runs.
package store

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Pool settings for a serverless instance that serves one request at a time.
const (
	maxConns        = 4
	maxConnIdleTime = time.Minute // well below Neon's 5-minute suspend
	maxConnLifetime = 30 * time.Minute
	connectTimeout  = 5 * time.Second
	pingAfterIdle   = 30 * time.Second
)

// PoolOption adjusts the pool configuration before the pool is built.
type PoolOption func(*pgxpool.Config)

// NewPool builds a lazily connecting pool for databaseURL. It does not
// connect: the first query does, under its own deadline.
func NewPool(ctx context.Context, databaseURL string, opts ...PoolOption) (*pgxpool.Pool, error) {
	cfg, err := pgxpool.ParseConfig(databaseURL)
	if err != nil {
		return nil, fmt.Errorf("parse database url: %w", err)
	}
	cfg.MaxConns = maxConns
	cfg.MinConns = 0
	cfg.MaxConnIdleTime = maxConnIdleTime
	cfg.MaxConnLifetime = maxConnLifetime
	cfg.HealthCheckPeriod = maxConnIdleTime / 2
	// pgxpool pings a connection idle for over a second before handing it
	// out, which would double the session check's round trips on a quiet
	// instance; ping only connections idle long enough to be suspect.
	cfg.ShouldPing = func(_ context.Context, p pgxpool.ShouldPingParams) bool {
		return p.IdleDuration > pingAfterIdle
	}
	if cfg.ConnConfig.ConnectTimeout == 0 || cfg.ConnConfig.ConnectTimeout > connectTimeout {
		cfg.ConnConfig.ConnectTimeout = connectTimeout
	}
	for _, opt := range opts {
		opt(cfg)
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("create pool: %w", err)
	}
	return pool, nil
}

// WithMaxConns sets the pool's connection limit.
func WithMaxConns(n int32) PoolOption {
	return func(c *pgxpool.Config) { c.MaxConns = n }
}

// IsUnavailable reports whether err means the database could not be reached
// or did not answer in time, as opposed to a statement failing.
func IsUnavailable(err error) bool {
	if err == nil {
		return false
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return true
	}
	var netErr net.Error
	if errors.As(err, &netErr) {
		return true
	}
	var connectErr *pgconn.ConnectError
	if errors.As(err, &connectErr) {
		return true
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		return unavailableClass(pgErr.Code)
	}
	return pgconn.SafeToRetry(err) || isClosed(err)
}

// unavailableClass covers connection exceptions (08), insufficient resources
// (53), operator intervention such as admin shutdown (57) and cancellation.
func unavailableClass(code string) bool {
	switch code[:2] {
	case "08", "53", "57":
		return true
	}
	return false
}

func isClosed(err error) bool {
	return errors.Is(err, net.ErrClosed) || errors.Is(err, io.EOF) ||
		errors.Is(err, io.ErrUnexpectedEOF) || pgconn.Timeout(err)
}
