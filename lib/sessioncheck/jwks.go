package sessioncheck

import (
	"context"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net/http"
)

// maxJWKSSize bounds the JWKS response read.
const maxJWKSSize = 1 << 20

// minKeyBits is the smallest RSA modulus trusted.
const minKeyBits = 2048

// jwk is one key of a JWKS as Clerk serves it.
type jwk struct {
	Kty string `json:"kty"`
	Kid string `json:"kid"`
	Use string `json:"use"`
	Alg string `json:"alg"`
	N   string `json:"n"`
	E   string `json:"e"`
}

// jwksFetcher reads the JWKS from the Backend API: GET {base}/jwks with the
// secret key as bearer token.
type jwksFetcher struct {
	url    string
	secret string
	client *http.Client
}

// fetch returns the RS256 signing keys of the JWKS by kid. Keys of other
// types or uses are skipped; a set without any usable key is an error.
func (f jwksFetcher) fetch(ctx context.Context) (map[string]*rsa.PublicKey, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, f.url, nil)
	if err != nil {
		return nil, fmt.Errorf("build request: %w", err)
	}
	req.Header.Set("Authorization", "Bearer "+f.secret)
	req.Header.Set("Accept", "application/json")
	resp, err := f.client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("get jwks: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("get jwks: status %d", resp.StatusCode)
	}

	var set struct {
		Keys []jwk `json:"keys"`
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, maxJWKSSize)).Decode(&set); err != nil {
		return nil, fmt.Errorf("decode jwks: %w", err)
	}
	return parseJWKS(set.Keys)
}

// errNoUsableKey is returned for a JWKS without any RS256 signing key.
var errNoUsableKey = errors.New("jwks holds no usable rs256 key")

func parseJWKS(keys []jwk) (map[string]*rsa.PublicKey, error) {
	out := make(map[string]*rsa.PublicKey, len(keys))
	for _, k := range keys {
		if k.Kty != "RSA" || k.Kid == "" || (k.Use != "" && k.Use != "sig") ||
			(k.Alg != "" && k.Alg != algRS256) {
			continue
		}
		pub, err := rsaKey(k.N, k.E)
		if err != nil {
			continue
		}
		out[k.Kid] = pub
	}
	if len(out) == 0 {
		return nil, errNoUsableKey
	}
	return out, nil
}

// rsaKey builds a public key from the base64url modulus and exponent.
func rsaKey(n, e string) (*rsa.PublicKey, error) {
	nb, err := base64.RawURLEncoding.DecodeString(n)
	if err != nil {
		return nil, fmt.Errorf("modulus: %w", err)
	}
	eb, err := base64.RawURLEncoding.DecodeString(e)
	if err != nil || len(eb) == 0 || len(eb) > 4 {
		return nil, errors.New("bad exponent")
	}
	exp := 0
	for _, b := range eb {
		exp = exp<<8 | int(b)
	}
	pub := &rsa.PublicKey{N: new(big.Int).SetBytes(nb), E: exp}
	if pub.N.BitLen() < minKeyBits || exp < 3 || exp%2 == 0 {
		return nil, errors.New("weak key")
	}
	return pub, nil
}
