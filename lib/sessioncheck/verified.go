package sessioncheck

import (
	"crypto/rsa"
	"sync"
	"time"
)

// verifiedCacheSize bounds how many verified tokens an instance remembers.
// A Clerk token is about 1 KiB, so the cache stays under a few MiB.
const verifiedCacheSize = 2048

// verifiedCache remembers tokens whose signature verified. The portal's
// middleware sends the same token on every request of its 60-second life,
// so a repeat skips the RSA verification: the exact token bytes are the
// key, so nothing unverified can match. A hit is trusted only while the key
// that verified it is still the one the key source returns for its kid, and
// only until the token's exp; the claim checks still run on every request.
type verifiedCache struct {
	mu      sync.Mutex
	entries map[string]verifiedToken
}

// verifiedToken is what a verified token decoded to and which key verified it.
type verifiedToken struct {
	claims Claims
	kid    string
	key    *rsa.PublicKey
}

func newVerifiedCache() *verifiedCache {
	return &verifiedCache{entries: make(map[string]verifiedToken)}
}

// get returns the entry for token unless it is missing or past its exp.
func (c *verifiedCache) get(token string, now time.Time) (verifiedToken, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	vt, ok := c.entries[token]
	if !ok {
		return verifiedToken{}, false
	}
	if now.Unix() > vt.claims.Expiry.Unix {
		delete(c.entries, token)
		return verifiedToken{}, false
	}
	return vt, true
}

// put remembers a verified token that has an exp, making room by dropping
// expired entries, then arbitrary ones.
func (c *verifiedCache) put(token string, vt verifiedToken, now time.Time) {
	if !vt.claims.Expiry.Set || now.Unix() > vt.claims.Expiry.Unix {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.entries) >= verifiedCacheSize {
		c.evict(now)
	}
	c.entries[token] = vt
}

func (c *verifiedCache) evict(now time.Time) {
	for token, vt := range c.entries {
		if now.Unix() > vt.claims.Expiry.Unix {
			delete(c.entries, token)
		}
	}
	for token := range c.entries {
		if len(c.entries) < verifiedCacheSize {
			return
		}
		delete(c.entries, token) // map order is random: a random victim
	}
}
