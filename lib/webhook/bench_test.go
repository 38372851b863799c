package webhook_test

import (
	"bytes"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	svix "github.com/svix/svix-webhooks/go"

	"github.com/portal-auth/portal-auth/lib/pgtest"
	"github.com/portal-auth/portal-auth/lib/webhook"
)

// BenchmarkDelivery measures one delivery end to end: verify the signature,
// decode, apply and commit, through the handler (no network hop to the
// function itself). Each delivery is a user.updated for its own user, the
// common case of a profile change.
//
// Round trips: a delivery costs 2. The first sends BEGIN and the
// webhook_deliveries insert together (its result decides between applying
// and answering "duplicate"); the second pipelines every statement of the
// event (e-mail release, the upsert that writes its audit row in the same
// statement, the conditional revocation queue) and COMMIT. Fewer is not
// possible without applying before knowing whether the delivery is new.
func BenchmarkDelivery(b *testing.B) {
	pool, trips := pgtest.NewCountingPool(b, 4)
	verifier, err := webhook.NewVerifier([]string{testSecret}, time.Now)
	if err != nil {
		b.Fatal(err)
	}
	h, err := webhook.New(webhook.Options{Pool: pool, Verifier: verifier, Logger: discardLogger()})
	if err != nil {
		b.Fatal(err)
	}
	signer, _ := svix.NewWebhook(testSecret)
	template := fixture(b, "user.updated")
	var seq atomic.Int64
	deliver := func(b *testing.B) {
		n := seq.Add(1)
		user := fmt.Sprintf("user_bench%020d", n)
		body := bytes.ReplaceAll(template, []byte(sam), []byte(user))
		body = bytes.Replace(body, []byte("sam.lee@"), []byte(fmt.Sprintf("u%d@", n)), 1)
		id := fmt.Sprintf("msg_bench_%d", n)
		now := time.Now()
		sig, _ := signer.Sign(id, now, body)
		req := httptest.NewRequest(http.MethodPost, "/api/v1/webhooks/clerk", bytes.NewReader(body))
		req.Header.Set("svix-id", id)
		req.Header.Set("svix-timestamp", fmt.Sprint(now.Unix()))
		req.Header.Set("svix-signature", sig)
		rec := httptest.NewRecorder()
		if err := h.Serve(rec, req); err != nil || rec.Code != http.StatusOK {
			b.Fatalf("delivery: %d %v", rec.Code, err)
		}
	}
	for range 8 { // warm the pool's connections and statement caches
		deliver(b)
	}
	trips.Reset()
	b.ReportAllocs()
	b.SetParallelism(2) // 2 per core: 4 concurrent deliveries on a pool of 4
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			deliver(b)
		}
	})
	b.StopTimer()
	b.ReportMetric(float64(trips.Count())/float64(b.N), "db-roundtrips/op")
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "deliveries/s")
}
