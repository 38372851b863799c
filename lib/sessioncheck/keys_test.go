package sessioncheck

import (
	"context"
	"crypto/rsa"
	"errors"
	"fmt"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/portal-auth/portal-auth/lib/config"
)

// TestSteadyStateMakesNoClerkCalls fetches the JWKS once, then verifies
// from the cache.
func TestSteadyStateMakesNoClerkCalls(t *testing.T) {
	e := newEnv(t)
	for range 20 {
		wantStatus(t, e.check(bearerRequest(e.mint(params()))), http.StatusOK, "")
	}
	if n := e.jwks.Load(); n != 1 {
		t.Fatalf("JWKS fetched %d times for 20 checks, want 1", n)
	}
}

// TestPEMKeyNeedsNoNetwork verifies with CLERK_JWT_KEY and never fetches.
func TestPEMKeyNeedsNoNetwork(t *testing.T) {
	e := newEnv(t)
	e.withPEM()
	p := validParts("any-kid", e.clock.Now()).with(map[string]any{"iss": e.emu.Issuer()})
	wantStatus(t, e.check(bearerRequest(p.rs256(t, testKey(t)))), http.StatusOK, "")
	wantStatus(t, e.check(bearerRequest(e.mint(params()))), http.StatusOK, "")
	wantStatus(t, e.check(bearerRequest(p.rs256(t, attackerKey(t)))),
		http.StatusUnauthorized, "token_invalid_signature")
	if n := e.jwks.Load(); n != 0 {
		t.Fatalf("JWKS fetched %d times with a PEM key, want 0", n)
	}
}

// TestRotatedKeyCostsOneFetch accepts a token of a new kid after one fetch.
func TestRotatedKeyCostsOneFetch(t *testing.T) {
	e := newEnv(t)
	wantStatus(t, e.check(bearerRequest(e.mint(params()))), http.StatusOK, "")

	if err := e.emu.RotateKey(10 * time.Minute); err != nil {
		t.Fatalf("rotate: %v", err)
	}
	for range 5 {
		wantStatus(t, e.check(bearerRequest(e.mint(params()))), http.StatusOK, "")
	}
	if n := e.jwks.Load(); n != 2 {
		t.Fatalf("JWKS fetched %d times, want 2 (warm-up and the new kid)", n)
	}
}

// TestUnknownKIDStorm sends many tokens with random kids at once: they share
// at most one fetch per miss interval.
func TestUnknownKIDStorm(t *testing.T) {
	e := newEnv(t)
	wantStatus(t, e.check(bearerRequest(e.mint(params()))), http.StatusOK, "")
	good := validParts("", e.clock.Now()).with(map[string]any{"iss": e.emu.Issuer()})

	storm := func() {
		var wg sync.WaitGroup
		for i := range 50 {
			kid := fmt.Sprintf("kid_%d_%d", e.jwks.Load(), i)
			tok := good.withHeader(map[string]any{"kid": kid}).rs256(t, testKey(t))
			wg.Go(func() {
				w := e.serve(bearerRequest(tok))
				if w.Code != http.StatusUnauthorized {
					t.Errorf("random kid answered %d", w.Code)
				}
			})
		}
		wg.Wait()
	}
	storm()
	storm()
	if n := e.jwks.Load(); n != 2 {
		t.Fatalf("JWKS fetched %d times after two storms, want 2", n)
	}
	e.clock.Advance(DefaultMissInterval - time.Second)
	storm()
	if n := e.jwks.Load(); n != 2 {
		t.Fatalf("JWKS fetched %d times inside the miss interval, want 2", n)
	}
	e.clock.Advance(time.Second)
	storm()
	if n := e.jwks.Load(); n != 3 {
		t.Fatalf("JWKS fetched %d times after the miss interval, want 3", n)
	}
}

// TestRemovedKeyExpires trusts a key that left the JWKS until its cache
// entry expires, and refuses it afterwards.
func TestRemovedKeyExpires(t *testing.T) {
	e := newEnv(t)
	long := params()
	long.Lifetime = 3 * time.Hour
	old := e.mint(long)
	wantStatus(t, e.check(bearerRequest(old)), http.StatusOK, "")

	if err := e.emu.RotateKey(0); err != nil {
		t.Fatalf("rotate: %v", err)
	}
	wantStatus(t, e.check(bearerRequest(e.mint(params()))), http.StatusOK, "")
	wantStatus(t, e.check(bearerRequest(old)), http.StatusOK, "")

	e.clock.Advance(DefaultKeyLifetime)
	wantStatus(t, e.check(bearerRequest(old)), http.StatusUnauthorized, "token_unknown_kid")
	wantStatus(t, e.check(bearerRequest(e.mint(long))), http.StatusOK, "")
	if n := e.jwks.Load(); n != 3 {
		t.Fatalf("JWKS fetched %d times, want 3", n)
	}
}

// TestKeysUnavailable answers 503, not 401, when no key can be fetched, and
// does not retry the fetch during the failure backoff.
func TestKeysUnavailable(t *testing.T) {
	var hits atomic.Int64
	e := newEnv(t, func(c *config.Config) { c.ClerkAPIURL = refusingServer(t, &hits) })

	w := e.serve(bearerRequest(e.mint(params())))
	if w.Code != http.StatusServiceUnavailable || w.Header().Get("Retry-After") == "" {
		t.Fatalf("answer = %d (Retry-After %q), want 503 with Retry-After",
			w.Code, w.Header().Get("Retry-After"))
	}
	_ = e.serve(bearerRequest(e.mint(params())))
	if n := hits.Load(); n != 1 {
		t.Fatalf("JWKS tried %d times within the backoff, want 1", n)
	}
	e.clock.Advance(DefaultFailureBackoff)
	_ = e.serve(bearerRequest(e.mint(params())))
	if n := hits.Load(); n != 2 {
		t.Fatalf("JWKS tried %d times after the backoff, want 2", n)
	}
}

// refusingServer starts a loopback server answering 500 to every request
// and returns its /v1 base URL.
func refusingServer(t *testing.T, hits *atomic.Int64) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("listen: %v", err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		hits.Add(1)
		http.Error(w, "down", http.StatusInternalServerError)
	})}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	return "http://" + ln.Addr().String() + "/v1"
}

// TestCacheSharesOneFetch makes concurrent lookups of a new kid wait for the
// same fetch, which a cancelled caller does not abort for the others.
func TestCacheSharesOneFetch(t *testing.T) {
	var fetches atomic.Int64
	release := make(chan struct{})
	pub := &testKey(t).PublicKey
	c := newJWKSCache(func(ctx context.Context) (map[string]*rsa.PublicKey, error) {
		fetches.Add(1)
		<-release
		return map[string]*rsa.PublicKey{"k1": pub}, nil
	}, (&clock{t: start}).Now)

	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := c.key(cancelled, "k1"); !errors.Is(err, ErrKeysUnavailable) {
		t.Fatalf("cancelled lookup: %v, want ErrKeysUnavailable", err)
	}
	var wg sync.WaitGroup
	for range 20 {
		wg.Go(func() {
			if got, err := c.key(context.Background(), "k1"); err != nil || got != pub {
				t.Errorf("key = %v, %v", got, err)
			}
		})
	}
	time.Sleep(20 * time.Millisecond)
	close(release)
	wg.Wait()
	if n := fetches.Load(); n != 1 {
		t.Fatalf("%d fetches, want 1", n)
	}
}

// TestParseJWKS keeps RS256 signing keys of 2048 bits and more only.
func TestParseJWKS(t *testing.T) {
	good := jwkOf("good", &testKey(t).PublicKey)
	enc := good
	enc.Use = "enc"
	hs := good
	hs.Alg = "HS256"
	ec := good
	ec.Kty = "EC"
	noKid := good
	noKid.Kid = ""
	small := good
	small.Kid = "small"
	small.N = good.N[:200]

	keys, err := parseJWKS([]jwk{good, enc, hs, ec, noKid, small})
	if err != nil || len(keys) != 1 || keys["good"] == nil {
		t.Fatalf("parseJWKS = %v, %v; want only the good key", keys, err)
	}
	if _, err := parseJWKS([]jwk{enc, small}); err == nil {
		t.Fatal("parseJWKS accepted a set without a usable key")
	}
}

func jwkOf(kid string, pub *rsa.PublicKey) jwk {
	return jwk{Kty: "RSA", Kid: kid, Use: "sig", Alg: "RS256",
		N: b64.EncodeToString(pub.N.Bytes()), E: "AQAB"}
}
