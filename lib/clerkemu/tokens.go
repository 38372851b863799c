package clerkemu

import (
	"cmp"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"net/http"
	"strings"
	"time"
)

// TokenParams selects the claims of a minted session token. Fields left
// empty are filled from the session, its active organization and the
// emulator's defaults.
type TokenParams struct {
	// SessionID names the session (sid). When it is known, sub and the
	// active organization come from it.
	SessionID string
	// UserID sets sub; required when SessionID is unknown.
	UserID string
	// OrgID, OrgRole (with or without "org:") and OrgSlug set the "o"
	// claim; the role and slug are looked up when empty.
	OrgID, OrgRole, OrgSlug string
	// NoOrg leaves the "o" claim out even if the session has an active
	// organization.
	NoOrg bool
	// Lifetime is exp minus iat; default 60 s.
	Lifetime time.Duration
	// ClockOffset shifts iat, nbf and exp from the emulator's clock.
	ClockOffset time.Duration
	// Issuer overrides iss (default Issuer()).
	Issuer string
	// AuthorizedParty overrides azp (default Options.AuthorizedParty).
	AuthorizedParty string
	// Status sets the sts claim, e.g. "pending"; empty leaves it out.
	Status string
	// Omit lists claim names to drop, e.g. "exp" or "sid".
	Omit []string
	// Extra adds or replaces claims.
	Extra map[string]any
}

// jwk is one key of the JWKS document.
type jwk struct {
	Use string `json:"use"`
	Kty string `json:"kty"`
	Kid string `json:"kid"`
	Alg string `json:"alg"`
	N   string `json:"n"`
	E   string `json:"e"`
}

func (e *Emulator) getJWKS(*http.Request) (any, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	keys := []jwk{}
	for _, k := range e.liveKeysLocked() {
		pub := k.priv.PublicKey
		keys = append(keys, jwk{
			Use: "sig", Kty: "RSA", Kid: k.KID, Alg: "RS256",
			N: b64(pub.N.Bytes()), E: b64(big.NewInt(int64(pub.E)).Bytes()),
		})
	}
	return map[string][]jwk{"keys": keys}, nil
}

// liveKeysLocked drops keys whose rotation grace has passed and returns
// the rest, oldest first; the last one signs.
func (e *Emulator) liveKeysLocked() []*signingKey {
	now := e.nowMS()
	live := e.st.Keys[:0]
	for _, k := range e.st.Keys {
		if k.RetireAt == 0 || now < k.RetireAt {
			live = append(live, k)
		}
	}
	e.st.Keys = live
	return live
}

// RotateKey makes a fresh RSA-2048 key the signing key. The old keys stay
// in the JWKS for grace (on the emulator clock), then disappear.
func (e *Emulator) RotateKey(grace time.Duration) error {
	return e.withLock(func() error {
		retire := e.now().Add(grace).UnixMilli()
		for _, k := range e.st.Keys {
			if k.RetireAt == 0 || k.RetireAt > retire {
				k.RetireAt = retire
			}
		}
		if err := e.st.addKey(newID("ins")); err != nil {
			return fmt.Errorf("rotate key: %w", err)
		}
		e.liveKeysLocked()
		return nil
	})
}

// KeyID returns the kid of the current signing key.
func (e *Emulator) KeyID() string {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.currentKeyLocked().KID
}

func (e *Emulator) currentKeyLocked() *signingKey {
	return e.st.Keys[len(e.st.Keys)-1]
}

// PublicKeyPEM returns the current signing key as a PKIX "PUBLIC KEY" PEM
// block, the form CLERK_JWT_KEY takes.
func (e *Emulator) PublicKeyPEM() string {
	e.mu.Lock()
	defer e.mu.Unlock()
	der, err := x509.MarshalPKIXPublicKey(&e.currentKeyLocked().priv.PublicKey)
	if err != nil {
		panic("clerkemu: encode public key: " + err.Error())
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}))
}

// MintSessionToken signs a Clerk v2 session token (RS256, typ JWT, kid of
// the current key). It returns an error when neither a known SessionID nor
// a UserID is given.
func (e *Emulator) MintSessionToken(p TokenParams) (string, error) {
	e.mu.Lock()
	claims, err := e.claimsLocked(p)
	key := e.currentKeyLocked()
	e.mu.Unlock()
	if err != nil {
		return "", err
	}
	return signJWT(key, claims)
}

func (e *Emulator) claimsLocked(p TokenParams) (map[string]any, error) {
	if s := e.findSessionLocked(p.SessionID); s != nil {
		p.UserID = cmp.Or(p.UserID, s.UserID)
		if p.OrgID == "" && !p.NoOrg {
			p.OrgID = s.LastActiveOrganizationID
		}
	}
	if p.UserID == "" {
		return nil, errors.New("mint session token: unknown session and no user id")
	}
	iat := e.now().Add(p.ClockOffset)
	c := map[string]any{
		"azp": cmp.Or(p.AuthorizedParty, e.azp),
		"exp": iat.Add(cmp.Or(p.Lifetime, DefaultTokenLifetime)).Unix(),
		"fva": []int{0, -1},
		"iat": iat.Unix(),
		"iss": cmp.Or(p.Issuer, e.Issuer()),
		"jti": randomHex(10),
		"nbf": iat.Add(-10 * time.Second).Unix(),
		"sid": p.SessionID,
		"sub": p.UserID,
		"v":   2,
	}
	if p.OrgID != "" && !p.NoOrg {
		c["o"] = e.orgClaimLocked(p)
	}
	if p.Status != "" {
		c["sts"] = p.Status
	}
	for k, v := range p.Extra {
		c[k] = v
	}
	for _, k := range p.Omit {
		delete(c, k)
	}
	return c, nil
}

// orgClaimLocked builds the v2 "o" claim; the role is sent without "org:".
func (e *Emulator) orgClaimLocked(p TokenParams) map[string]string {
	role, slug := p.OrgRole, p.OrgSlug
	if org := e.findOrgLocked(p.OrgID); org != nil {
		slug = cmp.Or(slug, org.Slug)
	}
	if m := e.findMembershipLocked(p.OrgID, p.UserID); m != nil {
		role = cmp.Or(role, m.Role)
	}
	return map[string]string{"id": p.OrgID, "rol": strings.TrimPrefix(role, "org:"), "slg": slug}
}

// signJWT encodes and signs claims with RS256.
func signJWT(k *signingKey, claims map[string]any) (string, error) {
	header, err := json.Marshal(map[string]string{"alg": "RS256", "kid": k.KID, "typ": "JWT"})
	if err != nil {
		return "", fmt.Errorf("encode jwt header: %w", err)
	}
	payload, err := json.Marshal(claims)
	if err != nil {
		return "", fmt.Errorf("encode jwt claims: %w", err)
	}
	signing := b64(header) + "." + b64(payload)
	sum := sha256.Sum256([]byte(signing))
	sig, err := rsa.SignPKCS1v15(rand.Reader, k.priv, crypto.SHA256, sum[:])
	if err != nil {
		return "", fmt.Errorf("sign jwt: %w", err)
	}
	return signing + "." + b64(sig), nil
}

func b64(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }
