package clerkemu

import (
	"context"
	"encoding/base64"
	"strings"
	"testing"
	"time"

	"github.com/clerk/clerk-sdk-go/v2"
	"github.com/clerk/clerk-sdk-go/v2/jwks"
	"github.com/clerk/clerk-sdk-go/v2/jwt"
	"github.com/clerk/clerk-sdk-go/v2/session"
)

// signedInAdmin creates a user who is admin of a new organization and signs
// them in with it active.
func signedInAdmin(t *testing.T, s *Server) (Session, string, Organization) {
	t.Helper()
	u, err := s.CreateUser(UserParams{EmailAddresses: []string{"jane@example.com"}})
	if err != nil {
		t.Fatal(err)
	}
	org, err := s.CreateOrganization(OrganizationParams{Name: "Acme Logistics", CreatedBy: u.ID})
	if err != nil {
		t.Fatal(err)
	}
	sess, tok, err := s.SignIn(u.ID, org.ID)
	if err != nil {
		t.Fatal(err)
	}
	return sess, tok, org
}

func TestTokenVerifiesWithJWKS(t *testing.T) {
	ctx := context.Background()
	s := startEmu(t, Options{})
	sess, tok, org := signedInAdmin(t, s)

	claims, err := jwt.Verify(ctx, &jwt.VerifyParams{Token: tok,
		JWKSClient: jwks.NewClient(config(s))})
	if err != nil {
		t.Fatalf("Verify: %v", err)
	}

	checks := map[string][2]any{
		"sub": {claims.Subject, sess.UserID},
		"sid": {claims.SessionID, sess.ID},
		"iss": {claims.Issuer, s.Issuer()},
		"azp": {claims.AuthorizedParty, DefaultAuthorizedParty},
		"v":   {claims.Version, 2},
		"org": {claims.ActiveOrganizationID, org.ID},
		"rol": {claims.ActiveOrganizationRole, "org:admin"},
		"slg": {claims.ActiveOrganizationSlug, "acme-logistics"},
		"exp": {*claims.Expiry - *claims.IssuedAt, int64(60)},
		"nbf": {*claims.NotBefore <= *claims.IssuedAt, true},
	}
	for name, c := range checks {
		if c[0] != c[1] {
			t.Errorf("%s = %v, want %v", name, c[0], c[1])
		}
	}
}

func TestTokenHeaderAndRawClaims(t *testing.T) {
	s := startEmu(t, Options{})
	_, tok, _ := signedInAdmin(t, s)

	parts := strings.Split(tok, ".")
	header, _ := base64.RawURLEncoding.DecodeString(parts[0])
	want := `{"alg":"RS256","kid":"` + s.KeyID() + `","typ":"JWT"}`
	if string(header) != want {
		t.Errorf("header = %s, want %s", header, want)
	}
	payload, _ := base64.RawURLEncoding.DecodeString(parts[1])
	if !strings.Contains(string(payload), `"rol":"admin"`) {
		t.Errorf("o.rol should carry no org: prefix: %s", payload)
	}
}

func TestPublishableKeyAndPEM(t *testing.T) {
	ctx := context.Background()
	s := startEmu(t, Options{})
	_, tok, _ := signedInAdmin(t, s)

	enc := strings.TrimPrefix(s.PublishableKey(), "pk_test_")
	host, err := base64.StdEncoding.DecodeString(enc)
	if err != nil || "https://"+strings.TrimSuffix(string(host), "$") != s.Issuer() {
		t.Errorf("publishable key %s decodes to %q (%v), issuer %s", s.PublishableKey(), host,
			err, s.Issuer())
	}
	if strings.HasSuffix(enc, "=") {
		t.Errorf("publishable key has base64 padding: %s", enc)
	}

	key, err := clerk.JSONWebKeyFromPEM(s.PublicKeyPEM())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := jwt.Verify(ctx, &jwt.VerifyParams{Token: tok, JWK: key}); err != nil {
		t.Errorf("Verify with PEM key: %v", err)
	}
}

func TestTokenKnobs(t *testing.T) {
	ctx := context.Background()
	s := startEmu(t, Options{})
	sess, _, _ := signedInAdmin(t, s)
	key, err := clerk.JSONWebKeyFromPEM(s.PublicKeyPEM())
	if err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name    string
		p       TokenParams
		wantErr bool
		check   func(*clerk.SessionClaims) bool
	}{
		{"expired", TokenParams{SessionID: sess.ID, ClockOffset: -2 * time.Minute}, true, nil},
		{"lifetime", TokenParams{SessionID: sess.ID, Lifetime: time.Hour},
			false, func(c *clerk.SessionClaims) bool { return *c.Expiry-*c.IssuedAt == 3600 }},
		{"no org", TokenParams{SessionID: sess.ID, NoOrg: true},
			false, func(c *clerk.SessionClaims) bool { return c.ActiveOrganizationID == "" }},
		{"omit sid", TokenParams{SessionID: sess.ID, Omit: []string{"sid"}},
			false, func(c *clerk.SessionClaims) bool { return c.SessionID == "" }},
		{"azp", TokenParams{SessionID: sess.ID, AuthorizedParty: "https://x.example"},
			false, func(c *clerk.SessionClaims) bool {
				return c.AuthorizedParty == "https://x.example"
			}},
		{"bad issuer", TokenParams{SessionID: sess.ID, Issuer: "https://evil.example"}, true, nil},
		{"unknown session", TokenParams{SessionID: "sess_x", UserID: "user_x"},
			false, func(c *clerk.SessionClaims) bool { return c.SessionID == "sess_x" }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tok, err := s.MintSessionToken(tt.p)
			if err != nil {
				t.Fatal(err)
			}
			claims, err := jwt.Verify(ctx, &jwt.VerifyParams{Token: tok, JWK: key})
			if (err != nil) != tt.wantErr {
				t.Fatalf("Verify error = %v, want error %v", err, tt.wantErr)
			}
			if tt.check != nil && !tt.check(claims) {
				t.Errorf("unexpected claims %+v", claims)
			}
		})
	}
	if _, err := s.MintSessionToken(TokenParams{SessionID: "sess_unknown"}); err == nil {
		t.Error("minted a token without a user")
	}
}

func TestCreateTokenRoute(t *testing.T) {
	ctx := context.Background()
	s := startEmu(t, Options{})
	sess, _, org := signedInAdmin(t, s)

	tok, err := session.NewClient(config(s)).CreateToken(ctx, &session.CreateTokenParams{
		ID: sess.ID, ExpiresInSeconds: clerk.Int64(120),
	})
	if err != nil {
		t.Fatal(err)
	}
	claims, err := jwt.Verify(ctx, &jwt.VerifyParams{Token: tok.JWT,
		JWKSClient: jwks.NewClient(config(s))})
	if err != nil {
		t.Fatal(err)
	}
	if tok.Object != "token" || claims.ActiveOrganizationID != org.ID ||
		*claims.Expiry-*claims.IssuedAt != 120 {
		t.Errorf("token %+v claims %+v", tok, claims)
	}
}

func TestRotateKeyGrace(t *testing.T) {
	ctx := context.Background()
	clock := &manualClock{now: time.Now()}
	s := startEmu(t, Options{Now: clock.Now})
	keys := jwks.NewClient(config(s))
	sess, oldTok, _ := signedInAdmin(t, s)
	oldKID := s.KeyID()

	if err := s.RotateKey(time.Minute); err != nil {
		t.Fatal(err)
	}
	newTok, err := s.MintSessionToken(TokenParams{SessionID: sess.ID})
	if err != nil {
		t.Fatal(err)
	}
	set, err := keys.Get(ctx, &jwks.GetParams{})
	if err != nil || len(set.Keys) != 2 || s.KeyID() == oldKID {
		t.Fatalf("during grace: %d keys, kid %s (old %s), %v", len(set.Keys), s.KeyID(),
			oldKID, err)
	}
	verify := func(tok string) error {
		_, err := jwt.Verify(ctx, &jwt.VerifyParams{Token: tok, JWKSClient: keys,
			Clock: clockFunc(clock.Now)})
		return err
	}
	if err := verify(oldTok); err != nil {
		t.Errorf("old token during grace: %v", err)
	}

	clock.Advance(61 * time.Second)
	set, err = keys.Get(ctx, &jwks.GetParams{})
	if err != nil || len(set.Keys) != 1 || set.Keys[0].KeyID != s.KeyID() {
		t.Fatalf("after grace: %+v, %v", set, err)
	}
	if err := verify(oldTok); err == nil {
		t.Error("old-key token verified after grace")
	}
	mintedAt := clockFunc(func() time.Time { return clock.Now().Add(-61 * time.Second) })
	_, err = jwt.Verify(ctx, &jwt.VerifyParams{Token: newTok, JWKSClient: keys, Clock: mintedAt})
	if err != nil {
		t.Errorf("new token: %v", err)
	}
}

// clockFunc adapts a function to clerk.Clock.
type clockFunc func() time.Time

func (f clockFunc) Now() time.Time { return f() }
