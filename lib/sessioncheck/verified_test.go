package sessioncheck

import (
	"context"
	"crypto/rsa"
	"fmt"
	"math/big"
	"sync/atomic"
	"testing"
	"time"
)

// swapKey is a key source whose key can be replaced under the same kid.
type swapKey struct{ pub atomic.Pointer[rsa.PublicKey] }

func (s *swapKey) key(context.Context, string) (*rsa.PublicKey, error) { return s.pub.Load(), nil }

func verifiedSetup(t *testing.T) (verifier, *swapKey, string, time.Time) {
	t.Helper()
	now := time.Unix(1_800_000_000, 0)
	own := testKey(t)
	src := &swapKey{}
	pub := own.PublicKey // a copy the test may alter
	src.pub.Store(&pub)
	return newVerifier(src), src, validParts("kid_1", now).rs256(t, own), now
}

func TestRepeatedTokenSkipsSignatureVerification(t *testing.T) {
	v, src, token, now := verifiedSetup(t)
	var first, again Claims
	if err := v.verify(context.Background(), token, now, &first); err != nil {
		t.Fatal(err)
	}
	// Alter the trusted key in place: a fresh RSA verification now fails,
	// so only a cache hit can still accept the token.
	src.pub.Load().N = new(big.Int).Add(src.pub.Load().N, big.NewInt(2))
	if err := v.verify(context.Background(), token, now, &again); err != nil {
		t.Fatalf("repeat of a verified token: %v", err)
	}
	if again != first {
		t.Errorf("cached claims differ: %+v vs %+v", again, first)
	}
}

func TestCachedTokenIsReverifiedWhenItsKeyChanges(t *testing.T) {
	v, src, token, now := verifiedSetup(t)
	var cl Claims
	if err := v.verify(context.Background(), token, now, &cl); err != nil {
		t.Fatal(err)
	}
	src.pub.Store(&attackerKey(t).PublicKey) // the kid now maps to another key
	if err := v.verify(context.Background(), token, now, &cl); err != TokenInvalidSignature {
		t.Errorf("got %v, want %v", err, TokenInvalidSignature)
	}
}

func TestVerifiedCacheIsBoundedAndDropsExpired(t *testing.T) {
	c := newVerifiedCache()
	now := time.Unix(1_800_000_000, 0)
	entry := func(exp time.Time) verifiedToken {
		return verifiedToken{claims: Claims{Expiry: NumericDate{Unix: exp.Unix(), Set: true}}}
	}
	c.put("expired-soon", entry(now.Add(time.Second)), now)
	c.put("no-exp", verifiedToken{}, now)
	for i := range verifiedCacheSize + 100 {
		c.put(fmt.Sprint("t", i), entry(now.Add(time.Minute)), now)
	}
	if n := len(c.entries); n > verifiedCacheSize {
		t.Errorf("cache holds %d entries, bound %d", n, verifiedCacheSize)
	}
	if _, ok := c.get("no-exp", now); ok {
		t.Error("a token without exp was cached")
	}
	c.put("late", entry(now.Add(time.Second)), now)
	if _, ok := c.get("late", now.Add(2*time.Second)); ok {
		t.Error("an entry past its token's exp was returned")
	}
}
