package sessioncheck

import (
	"context"
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// MaxTokenSize is the longest token accepted, in bytes. Clerk's session
// tokens are well under 2 KiB; the bound keeps decoding cheap.
const MaxTokenSize = 8 << 10

// algRS256 is the only signature algorithm accepted.
const algRS256 = "RS256"

// jwtHeader is the protected header of a compact JWS.
type jwtHeader struct {
	Alg  string          `json:"alg"`
	Kid  string          `json:"kid"`
	Typ  string          `json:"typ"`
	Crit json.RawMessage `json:"crit"`
}

// bufPool holds scratch space for decoding one token: its signing input,
// signature and payload never need more than twice MaxTokenSize.
var bufPool = sync.Pool{New: func() any {
	b := make([]byte, 2*MaxTokenSize)
	return &b
}}

// verifier checks compact RS256 tokens against a key source.
type verifier struct {
	keys keySource
	// lastHeader is the most recent header segment that verified, decoded:
	// every token signed with one key carries the same header, so most
	// checks skip decoding it.
	lastHeader *atomic.Pointer[decodedHeader]
	// verified remembers tokens that verified; nil disables it.
	verified *verifiedCache
}

// decodedHeader is a header segment and what it decodes to.
type decodedHeader struct {
	raw string
	h   jwtHeader
}

func newVerifier(keys keySource) verifier {
	return verifier{keys: keys, lastHeader: &atomic.Pointer[decodedHeader]{},
		verified: newVerifiedCache()}
}

// verify checks token's structure, header and signature and decodes its
// claims into cl. It returns a Reason for a token to refuse, or an error
// wrapping ErrKeysUnavailable when no key could be obtained.
func (v verifier) verify(ctx context.Context, token string, now time.Time, cl *Claims) error {
	if len(token) > MaxTokenSize {
		return TokenMalformed
	}
	if hit, err := v.remembered(ctx, token, now, cl); hit || err != nil {
		return err
	}
	head, payload, sig, ok := split(token)
	if !ok {
		return TokenMalformed
	}

	bp := bufPool.Get().(*[]byte)
	defer bufPool.Put(bp)
	buf := *bp

	h, cached, err := v.header(buf, head)
	if err != nil {
		return err
	}
	key, err := v.keys.key(ctx, h.Kid)
	if err != nil {
		return err
	}
	if r := checkSignature(buf, key, token[:len(head)+1+len(payload)], sig); r != "" {
		return r
	}
	if !cached {
		v.lastHeader.Store(&decodedHeader{raw: head, h: h})
	}

	if err := decodeJSON(buf, payload, cl); err != nil {
		return TokenMalformed
	}
	if v.verified != nil {
		v.verified.put(token, verifiedToken{claims: *cl, kid: h.Kid, key: key}, now)
	}
	return nil
}

// remembered fills cl from the verified-token cache when token verified
// before with the key its kid still maps to. The key lookup's error (the
// kid is no longer trusted, or keys are unavailable) is the token's answer:
// a full verification would look up the same kid.
func (v verifier) remembered(ctx context.Context, token string, now time.Time,
	cl *Claims) (bool, error) {
	if v.verified == nil {
		return false, nil
	}
	vt, ok := v.verified.get(token, now)
	if !ok {
		return false, nil
	}
	key, err := v.keys.key(ctx, vt.kid)
	if err != nil || key != vt.key {
		return false, err
	}
	*cl = vt.claims
	return true, nil
}

// header decodes and checks the header segment, or takes it from the last
// one that verified when the bytes are the same.
func (v verifier) header(buf []byte, head string) (jwtHeader, bool, error) {
	if last := v.lastHeader.Load(); last != nil && last.raw == head {
		return last.h, true, nil
	}
	var h jwtHeader
	if err := decodeJSON(buf, head, &h); err != nil {
		return h, false, TokenMalformed
	}
	if h.Alg != algRS256 {
		return h, false, TokenInvalidSignature
	}
	if (h.Typ != "" && !strings.EqualFold(h.Typ, "JWT")) || h.Crit != nil {
		return h, false, TokenMalformed
	}
	return h, false, nil
}

// split cuts a compact JWS into its three non-empty parts. Only the
// base64url alphabet and the two dots are accepted, so the JSON
// serialization and stray whitespace are refused here.
func split(token string) (head, payload, sig string, ok bool) {
	for i := 0; i < len(token); i++ {
		if !isTokenByte(token[i]) {
			return "", "", "", false
		}
	}
	head, rest, ok1 := strings.Cut(token, ".")
	payload, sig, ok2 := strings.Cut(rest, ".")
	if !ok1 || !ok2 || head == "" || payload == "" || sig == "" ||
		strings.IndexByte(sig, '.') >= 0 {
		return "", "", "", false
	}
	return head, payload, sig, true
}

// checkSignature verifies the RSASSA-PKCS1-v1_5 SHA-256 signature of input,
// using buf as scratch space.
func checkSignature(buf []byte, key *rsa.PublicKey, input, sig string) Reason {
	n := copy(buf, input)
	digest := sha256.Sum256(buf[:n])
	raw, err := decodeSegment(buf, sig)
	if err != nil {
		return TokenMalformed
	}
	if rsa.VerifyPKCS1v15(key, crypto.SHA256, digest[:], raw) != nil {
		return TokenInvalidSignature
	}
	return ""
}

// b64 is unpadded base64url that refuses non-zero trailing bits.
var b64 = base64.RawURLEncoding.Strict()

// errNotBase64 is returned for a segment that is not unpadded base64url.
var errNotBase64 = errors.New("segment is not unpadded base64url")

// decodeJSON decodes the base64url segment seg, then its JSON into v.
func decodeJSON(buf []byte, seg string, v any) error {
	raw, err := decodeSegment(buf, seg)
	if err != nil {
		return err
	}
	return json.Unmarshal(raw, v)
}

// decodeSegment decodes the base64url segment seg (at most MaxTokenSize
// bytes) into the first half of buf, copying it into the second half first
// so that no string-to-bytes conversion allocates.
func decodeSegment(buf []byte, seg string) ([]byte, error) {
	src := buf[MaxTokenSize : MaxTokenSize+copy(buf[MaxTokenSize:], seg)]
	n, err := b64.Decode(buf[:MaxTokenSize], src)
	if err != nil {
		return nil, errNotBase64
	}
	return buf[:n], nil
}

// isTokenByte reports whether c may appear in a compact JWS.
func isTokenByte(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' ||
		c == '-' || c == '_' || c == '.'
}
