package invites

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/portal-auth/portal-auth/lib/pgtest"
)

// BenchmarkExpireBatch expires batches of stale organization invitations
// (the status change, one audit row each and the queued revocations) and
// reports rows per second and database round trips per batch, which stay
// the same whatever the batch size.
func BenchmarkExpireBatch(b *testing.B) {
	for _, size := range []int{100, 500} {
		b.Run(fmt.Sprintf("batch=%d", size), func(b *testing.B) { benchExpire(b, size) })
	}
}

func benchExpire(b *testing.B, size int) {
	ctx := context.Background()
	pool, trips := pgtest.NewCountingPool(b, 2)
	c := New(pool, Clerk{APIURL: "http://127.0.0.1:1/v1"}, nil, nil, Settings{BatchSize: size})
	_, err := pool.Exec(ctx, `INSERT INTO tenants (id, name) VALUES ('org_bench', 'Bench')`)
	if err != nil {
		b.Fatal(err)
	}

	var rows, roundTrips int64
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		seedBench(b, c, i)
		r := &run{Cleaner: c, now: time.Now().UTC()}
		trips.Reset()
		b.StartTimer()

		n, err := r.expireBatch(ctx, kindOrganization, nil)

		b.StopTimer()
		if err != nil || n != size {
			b.Fatalf("expired %d, err %v; want %d", n, err, size)
		}
		rows += int64(n)
		roundTrips += trips.Count()
		b.StartTimer()
	}
	b.ReportMetric(float64(rows)/b.Elapsed().Seconds(), "rows/s")
	b.ReportMetric(float64(roundTrips)/float64(b.N), "roundtrips/batch")
}

// seedBench inserts one batch of stale invitations.
func seedBench(b *testing.B, c *Cleaner, i int) {
	_, err := c.pool.Exec(context.Background(), `
		INSERT INTO invitations (id, kind, tenant_id, status, expires_at, clerk_created_at)
		SELECT 'orginv_' || $1::int || '_' || g, 'organization', 'org_bench', 'pending',
		       now() + interval '1 day', now() - interval '30 days'
		  FROM generate_series(1, $2) g`, i, c.settings.BatchSize)
	if err != nil {
		b.Fatal(err)
	}
}
