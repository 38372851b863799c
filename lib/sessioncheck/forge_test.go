package sessioncheck

import (
	"crypto"
	"crypto/hmac"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"maps"
	"testing"
	"time"
)

// jwtParts are the header and claims of a token built by hand.
type jwtParts struct {
	header map[string]any
	claims map[string]any
}

// validParts returns the parts of a token the checker accepts at now,
// signed by the emulator's key kid.
func validParts(kid string, now time.Time) jwtParts {
	return jwtParts{
		header: map[string]any{"alg": "RS256", "typ": "JWT", "kid": kid},
		claims: map[string]any{
			"sub": userID, "sid": sessionID, "iss": "", "azp": origin,
			"iat": now.Unix(), "nbf": now.Add(-10 * time.Second).Unix(),
			"exp": now.Add(time.Minute).Unix(), "v": 2,
			"o": map[string]any{"id": orgID, "rol": "admin", "slg": "acme"},
		},
	}
}

// with returns a copy of p with claims set (a nil value deletes the claim).
func (p jwtParts) with(claims map[string]any) jwtParts {
	out := jwtParts{header: maps.Clone(p.header), claims: maps.Clone(p.claims)}
	for k, v := range claims {
		if v == nil {
			delete(out.claims, k)
			continue
		}
		out.claims[k] = v
	}
	return out
}

// withHeader returns a copy of p with header fields set.
func (p jwtParts) withHeader(fields map[string]any) jwtParts {
	out := jwtParts{header: maps.Clone(p.header), claims: maps.Clone(p.claims)}
	maps.Copy(out.header, fields)
	return out
}

// signingInput encodes the header and claims.
func (p jwtParts) signingInput(t testing.TB) string {
	t.Helper()
	return seg(t, p.header) + "." + seg(t, p.claims)
}

func seg(t testing.TB, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatalf("encode: %v", err)
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// rs256 signs p with key.
func (p jwtParts) rs256(t testing.TB, key *rsa.PrivateKey) string {
	t.Helper()
	input := p.signingInput(t)
	sum := sha256.Sum256([]byte(input))
	sig, err := rsa.SignPKCS1v15(rand.Reader, key, crypto.SHA256, sum[:])
	if err != nil {
		t.Fatalf("sign: %v", err)
	}
	return input + "." + base64.RawURLEncoding.EncodeToString(sig)
}

// hs256 signs p with an HMAC secret, as an algorithm-confusion attack does
// with the public key's bytes.
func (p jwtParts) hs256(t testing.TB, secret []byte) string {
	t.Helper()
	input := p.signingInput(t)
	mac := hmac.New(sha256.New, secret)
	mac.Write([]byte(input))
	return input + "." + base64.RawURLEncoding.EncodeToString(mac.Sum(nil))
}

// publicPEM is the PEM of key's public half, what an attacker can read.
func publicPEM(t testing.TB, key *rsa.PrivateKey) []byte {
	t.Helper()
	der, err := x509.MarshalPKIXPublicKey(&key.PublicKey)
	if err != nil {
		t.Fatalf("encode public key: %v", err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})
}
