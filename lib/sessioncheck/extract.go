package sessioncheck

import (
	"crypto/sha1"
	"encoding/base64"
	"net/http"
	"strings"
)

// sessionCookie is the cookie Clerk's frontend keeps the session token in.
const sessionCookie = "__session"

// CookieSuffix returns the suffix Clerk's frontend appends to its cookie
// names for the instance of publishableKey: the first 8 characters of the
// base64url SHA-1 of the key, as @clerk/shared's getCookieSuffix computes
// it. It returns "" for an empty key.
func CookieSuffix(publishableKey string) string {
	if publishableKey == "" {
		return ""
	}
	sum := sha1.Sum([]byte(publishableKey))
	return base64.RawURLEncoding.EncodeToString(sum[:])[:8]
}

// extractor finds the session token on a request.
type extractor struct {
	// suffixed is "__session_<suffix>", or "" without a publishable key.
	suffixed string
}

func newExtractor(publishableKey string) extractor {
	if s := CookieSuffix(publishableKey); s != "" {
		return extractor{suffixed: sessionCookie + "_" + s}
	}
	return extractor{}
}

// token returns the bearer token of the Authorization header, else the
// suffixed session cookie of our instance, else the plain session cookie,
// else "". An Authorization header of another scheme is ignored.
func (x extractor) token(r *http.Request) string {
	if t := bearer(r.Header.Get("Authorization")); t != "" {
		return t
	}
	var plain string
	for _, line := range r.Header["Cookie"] {
		for line != "" {
			var pair string
			pair, line, _ = strings.Cut(line, ";")
			name, value, ok := strings.Cut(strings.TrimSpace(pair), "=")
			if !ok {
				continue
			}
			switch {
			case x.suffixed != "" && name == x.suffixed:
				return unquote(value)
			case name == sessionCookie && plain == "":
				plain = unquote(value)
			}
		}
	}
	return plain
}

// bearer returns the credentials of a Bearer authorization, the scheme
// matched without regard to case.
func bearer(h string) string {
	const scheme = "Bearer "
	if len(h) <= len(scheme) || !strings.EqualFold(h[:len(scheme)], scheme) {
		return ""
	}
	return strings.TrimSpace(h[len(scheme):])
}

// unquote strips the double quotes a cookie value may be wrapped in.
func unquote(v string) string {
	if len(v) >= 2 && v[0] == '"' && v[len(v)-1] == '"' {
		return v[1 : len(v)-1]
	}
	return v
}
