package sessioncheck

import (
	"context"
	"crypto/rsa"
	"errors"
	"fmt"
	"sync"
	"time"
)

// ErrKeysUnavailable means no key to verify a token with could be obtained:
// the JWKS could not be fetched and no cached key applies. The check answers
// 503, never 401, so an outage of Clerk is not mistaken for a bad token.
var ErrKeysUnavailable = errors.New("verification keys unavailable")

// keySource returns the public key a token's kid names. It returns
// TokenUnknownKID or an error wrapping ErrKeysUnavailable.
type keySource interface {
	key(ctx context.Context, kid string) (*rsa.PublicKey, error)
}

// staticKey is the PEM key of the configuration; it verifies any kid.
type staticKey struct{ pub *rsa.PublicKey }

func (s staticKey) key(context.Context, string) (*rsa.PublicKey, error) { return s.pub, nil }

// Cache timing defaults.
const (
	// DefaultKeyLifetime is how long a fetched key stays trusted.
	DefaultKeyLifetime = time.Hour
	// DefaultMissInterval is the least time between two refreshes caused by
	// an unknown kid.
	DefaultMissInterval = 5 * time.Minute
	// DefaultFailureBackoff is how long a failed fetch is not retried.
	DefaultFailureBackoff = 5 * time.Second
	// fetchTimeout bounds one JWKS fetch, whoever waits for it.
	fetchTimeout = 5 * time.Second
)

// fetchFunc fetches the current JWKS as keys by kid.
type fetchFunc func(ctx context.Context) (map[string]*rsa.PublicKey, error)

// cachedKey is a key and the moment it stops being trusted.
type cachedKey struct {
	pub     *rsa.PublicKey
	expires time.Time
}

// jwksCache holds the JWKS keys of one instance. Each key is trusted until
// its entry expires, a lifetime after the last fetch that listed it. A
// lookup refreshes the cache when the key it needs has expired, and when the
// kid is unknown at most once per missInterval; concurrent lookups share
// one fetch.
type jwksCache struct {
	fetch          fetchFunc
	now            func() time.Time
	lifetime       time.Duration
	missInterval   time.Duration
	failureBackoff time.Duration

	mu          sync.Mutex
	keys        map[string]cachedKey
	lastMiss    time.Time // start of the last refresh caused by an unknown kid
	lastFailure time.Time
	inflight    *fetchCall
}

// fetchCall is one fetch in progress; done closes when err is set.
type fetchCall struct {
	done chan struct{}
	err  error
}

func newJWKSCache(fetch fetchFunc, now func() time.Time) *jwksCache {
	return &jwksCache{
		fetch:          fetch,
		now:            now,
		lifetime:       DefaultKeyLifetime,
		missInterval:   DefaultMissInterval,
		failureBackoff: DefaultFailureBackoff,
		keys:           map[string]cachedKey{},
	}
}

func (c *jwksCache) key(ctx context.Context, kid string) (*rsa.PublicKey, error) {
	if kid == "" {
		return nil, TokenUnknownKID
	}
	for refreshed := false; ; refreshed = true {
		c.mu.Lock()
		pub, call, err := c.lookupLocked(kid, refreshed)
		c.mu.Unlock()
		if pub != nil || err != nil {
			return pub, err
		}
		if err := c.wait(ctx, call); err != nil {
			return nil, err
		}
	}
}

// lookupLocked returns the key, or the fetch to wait for before looking
// again, or the error to give up with.
func (c *jwksCache) lookupLocked(kid string, refreshed bool) (*rsa.PublicKey, *fetchCall, error) {
	now := c.now()
	entry, known := c.keys[kid]
	if known && now.Before(entry.expires) {
		return entry.pub, nil, nil
	}
	if c.inflight != nil {
		return nil, c.inflight, nil
	}
	if refreshed {
		return nil, nil, TokenUnknownKID
	}
	miss := !known && !c.stale(now)
	if miss && !c.lastMiss.IsZero() && now.Sub(c.lastMiss) < c.missInterval {
		return nil, nil, TokenUnknownKID
	}
	if !c.lastFailure.IsZero() && now.Sub(c.lastFailure) < c.failureBackoff {
		return nil, nil, fmt.Errorf("jwks fetch failed recently: %w", ErrKeysUnavailable)
	}
	if miss {
		c.lastMiss = now
	}
	return nil, c.startLocked(), nil
}

// stale reports whether no cached key is trusted any more.
func (c *jwksCache) stale(now time.Time) bool {
	for _, entry := range c.keys {
		if now.Before(entry.expires) {
			return false
		}
	}
	return true
}

// startLocked starts a fetch on a context of its own, so that the request
// that happened to start it cannot cancel it for the others.
func (c *jwksCache) startLocked() *fetchCall {
	call := &fetchCall{done: make(chan struct{})}
	c.inflight = call
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), fetchTimeout)
		defer cancel()
		keys, err := c.fetch(ctx)
		c.finish(call, keys, err)
	}()
	return call
}

// finish stores a fetch's result: fetched keys get a fresh lifetime, keys
// the JWKS no longer lists keep theirs.
func (c *jwksCache) finish(call *fetchCall, keys map[string]*rsa.PublicKey, err error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	now := c.now()
	if err != nil {
		c.lastFailure = now
		call.err = fmt.Errorf("fetch jwks: %w: %w", ErrKeysUnavailable, err)
	} else {
		c.lastFailure = time.Time{}
		for kid, entry := range c.keys {
			if !now.Before(entry.expires) {
				delete(c.keys, kid)
			}
		}
		for kid, pub := range keys {
			c.keys[kid] = cachedKey{pub: pub, expires: now.Add(c.lifetime)}
		}
	}
	c.inflight = nil
	close(call.done)
}

// wait waits for call or for ctx to end.
func (c *jwksCache) wait(ctx context.Context, call *fetchCall) error {
	select {
	case <-call.done:
		return call.err
	case <-ctx.Done():
		return fmt.Errorf("wait for jwks: %w: %w", ErrKeysUnavailable, ctx.Err())
	}
}
