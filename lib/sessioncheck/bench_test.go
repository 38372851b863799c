package sessioncheck

import (
	"context"
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/portal-auth/portal-auth/lib/httpx"
	"github.com/portal-auth/portal-auth/lib/pgtest"
)

// BenchmarkCheck is one full check: extract, verify (cached JWKS key), one
// query, respond. "handler" runs through the httpx adapter as deployed
// (request id, summary log line to io.Discard); "serve" is Checker.Serve
// alone. The token repeats, as it does on every request of its 60-second
// life, so its signature is verified once and then remembered;
// "first-sight" is "handler" with that cache off, as for a new token.
func BenchmarkCheck(b *testing.B) {
	e, trips, req := benchEnv(b, 1)
	handlers := []struct {
		name string
		h    http.Handler
	}{
		{"handler", e.handler},
		{"first-sight", firstSightHandler(e)},
		{"serve", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			_ = e.checker.Serve(w, r)
		})},
	}
	for _, h := range handlers {
		b.Run(h.name, func(b *testing.B) {
			trips.Reset()
			b.ReportAllocs()
			for b.Loop() {
				w := httptest.NewRecorder()
				h.h.ServeHTTP(w, req)
				if w.Code != http.StatusOK {
					b.Fatalf("status %d: %s", w.Code, w.Body.String())
				}
			}
			b.ReportMetric(float64(trips.Count())/float64(b.N), "db-roundtrips/op")
		})
	}
}

// BenchmarkCheckParallel is BenchmarkCheck from GOMAXPROCS goroutines.
func BenchmarkCheckParallel(b *testing.B) {
	e, trips, req := benchEnv(b, int32(2*runtime.GOMAXPROCS(0)))
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			w := httptest.NewRecorder()
			e.handler.ServeHTTP(w, req)
			if w.Code != http.StatusOK {
				b.Errorf("status %d: %s", w.Code, w.Body.String())
				return
			}
		}
	})
	b.ReportMetric(float64(trips.Count())/float64(b.N), "db-roundtrips/op")
}

// BenchmarkFloorRS256Verify is the first floor: one RS256 verification of
// the same token, nothing else.
func BenchmarkFloorRS256Verify(b *testing.B) {
	e := newEnv(b)
	tok := e.mint(params())
	dot := strings.LastIndexByte(tok, '.')
	sig, err := b64.DecodeString(tok[dot+1:])
	if err != nil {
		b.Fatal(err)
	}
	pub, input := &testKey(b).PublicKey, []byte(tok[:dot])
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		sum := sha256.Sum256(input)
		if err := rsa.VerifyPKCS1v15(pub, crypto.SHA256, sum[:], sig); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkFloorPKQuery is the second floor: one primary-key query round
// trip on the same database and pool settings.
func BenchmarkFloorPKQuery(b *testing.B) {
	pool, trips := pgtest.NewCountingPool(b, 1)
	e := newEnvWithPool(b, pool)
	e.seed()
	ctx := context.Background()
	var id string
	query := func() {
		row := pool.QueryRow(ctx, `SELECT id FROM users WHERE id = $1`, userID)
		if err := row.Scan(&id); err != nil {
			b.Fatal(err)
		}
	}
	query()
	trips.Reset()
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		query()
	}
	b.ReportMetric(float64(trips.Count())/float64(b.N), "db-roundtrips/op")
}

// BenchmarkCheckVsFloors measures the target in one loop: each iteration
// runs the RS256 floor, the primary-key query floor, a check of a token seen
// for the first time and a check of a repeated token, timing each, so that
// the machine's drift hits all four alike. It reports each check's cost as a
// multiple of the sum of the floors (the target is at most 1.5).
func BenchmarkCheckVsFloors(b *testing.B) {
	e, _, req := benchEnv(b, 1)
	firstSight := firstSightHandler(e)
	tok := strings.TrimPrefix(req.Header.Get("Authorization"), "Bearer ")
	dot := strings.LastIndexByte(tok, '.')
	sig, err := b64.DecodeString(tok[dot+1:])
	if err != nil {
		b.Fatal(err)
	}
	pub, input := &testKey(b).PublicKey, []byte(tok[:dot])
	ctx := context.Background()
	var id string
	steps := []func(){
		func() {
			sum := sha256.Sum256(input)
			if err := rsa.VerifyPKCS1v15(pub, crypto.SHA256, sum[:], sig); err != nil {
				b.Fatal(err)
			}
		},
		func() {
			if err := e.pool.QueryRow(ctx, `SELECT id FROM users WHERE id = $1`, userID).
				Scan(&id); err != nil {
				b.Fatal(err)
			}
		},
		func() { serveOK(b, firstSight, req) },
		func() { serveOK(b, e.handler, req) },
	}
	var spent [4]time.Duration
	for b.Loop() {
		for i, step := range steps {
			start := time.Now()
			step()
			spent[i] += time.Since(start)
		}
	}
	floors := float64(spent[0] + spent[1])
	b.ReportMetric(float64(spent[2])/floors, "first-sight-x-floors")
	b.ReportMetric(float64(spent[3])/floors, "repeat-x-floors")
	b.ReportMetric(float64(spent[0]+spent[1])/float64(b.N)/1e3, "floors-us/op")
}

// firstSightHandler is e's handler without the verified-token cache, so
// every check verifies the signature, as for a token seen the first time.
func firstSightHandler(e *env) http.Handler {
	c := *e.checker
	c.verify.verified = nil
	return httpx.Adapter{Logger: slog.New(slog.NewJSONHandler(io.Discard, nil))}.
		Handle("session-check", c.Serve)
}

func serveOK(b *testing.B, h http.Handler, req *http.Request) {
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	if w.Code != http.StatusOK {
		b.Fatalf("status %d: %s", w.Code, w.Body.String())
	}
}

// benchEnv seeds a database, warms the pool, statement cache and key cache,
// and returns a request carrying a valid token, with round trips counted
// from zero.
func benchEnv(b *testing.B, conns int32) (*env, *pgtest.RoundTrips, *http.Request) {
	pool, trips := pgtest.NewCountingPool(b, conns)
	e := newEnvWithPool(b, pool)
	e.seed()
	req := bearerRequest(e.mint(params()))
	for range 4 * conns {
		if w := e.serve(req); w.Code != http.StatusOK {
			b.Fatalf("warm-up status %d: %s", w.Code, w.Body.String())
		}
	}
	logger := slog.New(slog.NewJSONHandler(io.Discard, nil))
	e.handler = httpx.Adapter{Logger: logger}.Handle("session-check", e.checker.Serve)
	trips.Reset()
	return e, trips, req
}
