package sessioncheck

import (
	"net/http"
	"testing"
)

// TestCookieSuffix matches @clerk/shared's getCookieSuffix; the expected
// values were computed with its algorithm (SHA-1, btoa, + to -, / to _,
// first 8 characters) in Node.
func TestCookieSuffix(t *testing.T) {
	tests := map[string]string{
		"pk_test_Y2xlcmsuZXhhbXBsZS5jb20k": "l2OS3d9k",
		"pk_live_Y2xlcmsuYWNtZS5jb20k":     "lA0f9hBU",
		"":                                 "",
	}
	for key, want := range tests {
		if got := CookieSuffix(key); got != want {
			t.Errorf("CookieSuffix(%q) = %q, want %q", key, got, want)
		}
	}
}

// TestTokenPrecedence: the bearer header beats cookies, our suffixed cookie
// beats the plain one, and other schemes or other instances' cookies are
// ignored.
func TestTokenPrecedence(t *testing.T) {
	e := newEnv(t)
	good, bad := e.mint(params()), "not.a.token"
	suffixed := "__session_" + CookieSuffix(e.emu.PublishableKey())
	foreign := "__session_" + CookieSuffix("pk_test_Y2xlcmsuZXhhbXBsZS5jb20k")

	tests := []struct {
		name   string
		header []string
		code   string
	}{
		{"bearer", []string{"Authorization", "Bearer " + good}, ""},
		{"lowercase scheme", []string{"Authorization", "bearer " + good}, ""},
		{"uppercase scheme", []string{"Authorization", "BEARER " + good}, ""},
		{"bearer beats cookie", []string{"Authorization", "Bearer " + good,
			"Cookie", "__session=" + bad}, ""},
		{"cookie does not beat bearer", []string{"Authorization", "Bearer " + bad,
			"Cookie", "__session=" + good}, "token_malformed"},
		{"basic does not block the cookie", []string{"Authorization", "Basic dXNlcjpwYXNz",
			"Cookie", "__session=" + good}, ""},
		{"plain cookie", []string{"Cookie", "theme=dark; __session=" + good}, ""},
		{"quoted cookie", []string{"Cookie", `__session="` + good + `"`}, ""},
		{"suffixed cookie", []string{"Cookie", suffixed + "=" + good}, ""},
		{"suffixed beats plain, plain first", []string{"Cookie",
			"__session=" + bad + "; " + suffixed + "=" + good}, ""},
		{"suffixed beats plain, plain last", []string{"Cookie",
			suffixed + "=" + good + "; __session=" + bad}, ""},
		{"suffixed wins even when bad", []string{"Cookie",
			suffixed + "=" + bad + "; __session=" + good}, "token_malformed"},
		{"cookies in two headers", []string{"Cookie", "__session=" + bad,
			"Cookie", suffixed + "=" + good}, ""},
		{"other instance's cookie ignored", []string{"Cookie", foreign + "=" + good},
			"token_missing"},
		{"other instance's cookie loses to plain", []string{"Cookie",
			foreign + "=" + bad + "; __session=" + good}, ""},
		{"nothing", nil, "token_missing"},
		{"empty bearer", []string{"Authorization", "Bearer "}, "token_missing"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := e.check(request(tt.header...))
			if tt.code == "" {
				wantStatus(t, got, http.StatusOK, "")
				return
			}
			wantStatus(t, got, http.StatusUnauthorized, tt.code)
		})
	}
}
