package pgtest

import (
	"context"
	"net"
	"sync/atomic"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"
)

// RoundTrips counts database round trips: every write a client makes to the
// server socket. pgx sends a query (or a pipelined batch) in one write and
// then waits for the answer, so writes are round trips.
type RoundTrips struct{ n atomic.Int64 }

// Count returns the round trips so far.
func (c *RoundTrips) Count() int64 { return c.n.Load() }

// Reset sets the count back to zero.
func (c *RoundTrips) Reset() { c.n.Store(0) }

// NewCountingPool is NewPool with round trips counted. Connecting costs
// round trips too, so warm the pool and Reset before measuring.
func NewCountingPool(t testing.TB, maxConns int32) (*pgxpool.Pool, *RoundTrips) {
	t.Helper()
	cfg, err := pgxpool.ParseConfig(NewURL(t))
	if err != nil {
		t.Fatalf("pgtest: parse url: %v", err)
	}
	counter := &RoundTrips{}
	dialer := &net.Dialer{}
	cfg.MaxConns = maxConns
	cfg.ConnConfig.DialFunc = func(ctx context.Context, network, addr string) (net.Conn, error) {
		conn, err := dialer.DialContext(ctx, network, addr)
		if err != nil {
			return nil, err
		}
		return &countingConn{Conn: conn, counter: counter}, nil
	}
	pool, err := pgxpool.NewWithConfig(context.Background(), cfg)
	if err != nil {
		t.Fatalf("pgtest: open pool: %v", err)
	}
	t.Cleanup(pool.Close)
	return pool, counter
}

type countingConn struct {
	net.Conn
	counter *RoundTrips
}

func (c *countingConn) Write(b []byte) (int, error) {
	c.counter.n.Add(1)
	return c.Conn.Write(b)
}
