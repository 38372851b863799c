package sessioncheck

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/portal-auth/portal-auth/lib/config"
)

// TestForgedAndBrokenTokens sends one token per way of breaking or forging
// it; each must be refused with its reason, while the unbroken token passes.
func TestForgedAndBrokenTokens(t *testing.T) {
	e := newEnv(t)
	now := e.clock.Now()
	good := validParts(e.emu.KeyID(), now).with(map[string]any{"iss": e.emu.Issuer()})
	own, evil := testKey(t), attackerKey(t)

	tampered := func() string {
		tok := good.rs256(t, own)
		parts := strings.Split(tok, ".")
		forged := good.with(map[string]any{"sub": "user_mallory"})
		parts[1] = strings.Split(forged.signingInput(t), ".")[1]
		return strings.Join(parts, ".")
	}
	jsonSerialization := func() string {
		tok := good.rs256(t, own)
		p := strings.Split(tok, ".")
		return `{"payload":"` + p[1] + `","protected":"` + p[0] + `","signature":"` + p[2] + `"}`
	}
	oversized := good.with(map[string]any{"pad": strings.Repeat("x", MaxTokenSize)})
	hdr := func(k string, v any) jwtParts { return good.withHeader(map[string]any{k: v}) }
	claim := func(k string, v any) jwtParts { return good.with(map[string]any{k: v}) }
	signed := func(p jwtParts) string { return p.rs256(t, own) }
	ago := func(d time.Duration) int64 { return now.Add(-d).Unix() }
	const (
		malformed = "token_malformed"
		badSig    = "token_invalid_signature"
	)

	tests := []struct {
		name  string
		token string
		code  string
	}{
		{"alg none unsigned", hdr("alg", "none").signingInput(t) + ".", malformed},
		{"alg none with signature", hdr("alg", "none").signingInput(t) + ".c2ln", badSig},
		{"HS256 keyed with the public key",
			hdr("alg", "HS256").hs256(t, publicPEM(t, own)), badSig},
		{"RS512 header", signed(hdr("alg", "RS512")), badSig},
		{"lowercase rs256", signed(hdr("alg", "rs256")), badSig},
		{"another key, our kid", good.rs256(t, evil), badSig},
		{"tampered payload", tampered(), badSig},
		{"unknown kid", signed(hdr("kid", "ins_unknown")), "token_unknown_kid"},
		{"typ not JWT", signed(hdr("typ", "at+jwt")), malformed},
		{"crit header", signed(hdr("crit", []string{"exp"})), malformed},
		{"padded base64", signed(good) + "==", malformed},
		{"JWS JSON serialization", jsonSerialization(), malformed},
		{"two segments", good.signingInput(t), malformed},
		{"oversized", signed(oversized), malformed},
		{"expired", signed(claim("exp", ago(10*time.Second))), "token_expired"},
		{"iat 2 min ahead", signed(claim("iat", ago(-2*time.Minute))), "token_not_yet_valid"},
		{"nbf ahead", signed(claim("nbf", ago(-time.Minute))), "token_not_yet_valid"},
		{"exp missing", signed(claim("exp", nil)), malformed},
		{"iat missing", signed(claim("iat", nil)), malformed},
		{"sub missing", signed(claim("sub", nil)), malformed},
		{"sid missing", signed(claim("sid", nil)), malformed},
		{"exp as string", signed(claim("exp", "9999999999")), malformed},
		{"exp in exponent form", signed(claim("exp", json.Number("4e9"))), malformed},
		{"sub with a newline", signed(claim("sub", "user_a\r\nx-role: admin")), malformed},
		{"foreign issuer", signed(claim("iss", "https://clerk.attacker.example")),
			"token_invalid_issuer"},
		{"issuer missing", signed(claim("iss", nil)), "token_invalid_issuer"},
		{"foreign azp", signed(claim("azp", "https://attacker.example")), "token_invalid_azp"},
		{"empty azp", signed(claim("azp", "")), "token_invalid_azp"},
		{"azp missing", signed(claim("azp", nil)), "token_invalid_azp"},
		{"sts pending", signed(claim("sts", "pending")), "session_pending"},
		{"sts PENDING", signed(claim("sts", "PENDING")), "session_pending"},
		{"sts unknown", signed(claim("sts", "suspended")), "session_pending"},
	}

	wantStatus(t, e.check(bearerRequest(good.rs256(t, own))), http.StatusOK, "")
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wantStatus(t, e.check(bearerRequest(tt.token)), http.StatusUnauthorized, tt.code)
		})
	}
}

// TestTokenSizeBound accepts a signed token just under MaxTokenSize, so the
// bound, not the buffer, is what refuses the oversized one.
func TestTokenSizeBound(t *testing.T) {
	e := newEnv(t)
	good := validParts(e.emu.KeyID(), e.clock.Now()).with(map[string]any{"iss": e.emu.Issuer()})
	base := len(good.rs256(t, testKey(t)))
	pad := (MaxTokenSize-base)*3/4 - 16
	tok := good.with(map[string]any{"pad": strings.Repeat("x", pad)}).rs256(t, testKey(t))
	if len(tok) > MaxTokenSize || len(tok) < MaxTokenSize-64 {
		t.Fatalf("token is %d bytes, want just under %d", len(tok), MaxTokenSize)
	}
	wantStatus(t, e.check(bearerRequest(tok)), http.StatusOK, "")
}

// TestEmptyAZPAllowed accepts a token without azp only when configured to.
func TestEmptyAZPAllowed(t *testing.T) {
	e := newEnv(t, func(c *config.Config) { c.AllowEmptyAZP = true })
	good := validParts(e.emu.KeyID(), e.clock.Now()).with(map[string]any{"iss": e.emu.Issuer()})
	noAZP := good.with(map[string]any{"azp": nil}).rs256(t, testKey(t))
	wantStatus(t, e.check(bearerRequest(noAZP)), http.StatusOK, "")
	foreign := good.with(map[string]any{"azp": "https://attacker.example"}).rs256(t, testKey(t))
	wantStatus(t, e.check(bearerRequest(foreign)), http.StatusUnauthorized, "token_invalid_azp")
}

// TestLeewayEdges accepts clock differences inside the leeway and refuses
// them just outside it.
func TestLeewayEdges(t *testing.T) {
	e := newEnv(t)
	now := e.clock.Now()
	good := validParts(e.emu.KeyID(), now).with(map[string]any{"iss": e.emu.Issuer()})
	sec := func(d time.Duration) int64 { return now.Add(d).Unix() }
	tests := []struct {
		name   string
		claims map[string]any
		code   string
	}{
		{"expired 4s ago", map[string]any{"exp": sec(-4 * time.Second)}, ""},
		{"expired 5s ago", map[string]any{"exp": sec(-5 * time.Second)}, "token_expired"},
		{"expired 6s ago", map[string]any{"exp": sec(-6 * time.Second)}, "token_expired"},
		{"iat 5s ahead", map[string]any{"iat": sec(5 * time.Second)}, ""},
		{"iat 6s ahead", map[string]any{"iat": sec(6 * time.Second)}, "token_not_yet_valid"},
		{"nbf 5s ahead", map[string]any{"nbf": sec(5 * time.Second)}, ""},
		{"nbf 6s ahead", map[string]any{"nbf": sec(6 * time.Second)}, "token_not_yet_valid"},
		{"fractional exp", map[string]any{"exp": float64(sec(time.Minute)) + 0.5}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := e.check(bearerRequest(good.with(tt.claims).rs256(t, testKey(t))))
			if tt.code == "" {
				wantStatus(t, got, http.StatusOK, "")
				return
			}
			wantStatus(t, got, http.StatusUnauthorized, tt.code)
		})
	}
}

// TestEmulatorTokens checks v2 tokens as the emulator mints them, and the
// v1 organization claims.
func TestEmulatorTokens(t *testing.T) {
	e := newEnv(t)
	got := e.check(bearerRequest(e.mint(params())))
	wantStatus(t, got, http.StatusOK, "")
	want := answer{Status: 200, UserID: userID, Tenant: orgID, Role: "admin", SessID: sessionID}
	if got != want {
		t.Fatalf("v2 grant = %+v", got)
	}

	v1 := params()
	v1.NoOrg = true
	v1.Extra = map[string]any{"org_id": orgID, "org_role": "org:billing", "org_slug": "acme"}
	v1.Omit = []string{"v"}
	got = e.check(bearerRequest(e.mint(v1)))
	wantStatus(t, got, http.StatusOK, "")
	if got.Tenant != orgID || got.Role != "billing" {
		t.Fatalf("v1 grant = %+v", got)
	}
}

// TestNumericDate covers the claim decoder's edges.
func TestNumericDate(t *testing.T) {
	tests := map[string]NumericDate{
		"0": {0, true}, "1767225600": {1767225600, true}, "1767225600.9": {1767225600, true},
		"null": {}, "-1": {}, "1e9": {}, `"1"`: {}, "1.": {}, ".5": {}, "": {},
		"1234567890123456": {},
	}
	for in, want := range tests {
		var got NumericDate
		err := got.UnmarshalJSON([]byte(in))
		if got != want || (err == nil) != (want.Set || in == "null") {
			t.Errorf("UnmarshalJSON(%q) = %+v, %v; want %+v", in, got, err, want)
		}
	}
}
