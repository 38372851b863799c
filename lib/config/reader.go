package config

import (
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// reader collects problems while it parses variables.
type reader struct {
	getenv   func(string) string
	problems []error
}

func (r *reader) fail(name, format string, args ...any) {
	r.problems = append(r.problems, fmt.Errorf("%s: "+format, append([]any{name}, args...)...))
}

func (r *reader) str(name string) string { return strings.TrimSpace(r.getenv(name)) }

func (r *reader) first(names ...string) string {
	for _, name := range names {
		if v := r.str(name); v != "" {
			return v
		}
	}
	return ""
}

func (r *reader) list(name string) []string {
	var out []string
	for _, item := range strings.FieldsFunc(r.str(name), isListSeparator) {
		out = append(out, strings.TrimRight(item, "/"))
	}
	return out
}

func isListSeparator(c rune) bool { return c == ',' || c == ' ' || c == '\n' || c == '\t' }

func (r *reader) boolean(name string) bool {
	v := r.str(name)
	if v == "" {
		return false
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		r.fail(name, "not a boolean")
	}
	return b
}

func (r *reader) duration(name string, def time.Duration) time.Duration {
	v := r.str(name)
	if v == "" {
		return def
	}
	d, err := time.ParseDuration(v)
	if err != nil || d <= 0 {
		r.fail(name, "want a positive duration such as 168h")
		return def
	}
	return d
}

func (r *reader) url(name, def string) string {
	v := r.str(name)
	if v == "" {
		return def
	}
	u, err := url.Parse(v)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		r.fail(name, "want an absolute http(s) URL")
		return def
	}
	return strings.TrimRight(v, "/")
}

func (r *reader) logLevel(name string) slog.Level {
	var level slog.Level
	v := r.str(name)
	if v == "" {
		return slog.LevelInfo
	}
	if err := level.UnmarshalText([]byte(v)); err != nil {
		r.fail(name, "want debug, info, warn or error")
	}
	return level
}

// webhookSecrets reads CLERK_WEBHOOK_SECRET (or its alias) and refuses any
// secret that is empty or not whsec_ followed by base64.
func (r *reader) webhookSecrets() []string {
	name := "CLERK_WEBHOOK_SECRET"
	raw := r.getenv(name)
	if strings.TrimSpace(raw) == "" {
		name = "CLERK_WEBHOOK_SIGNING_SECRET"
		raw = r.getenv(name)
	}
	var secrets []string
	for _, s := range strings.FieldsFunc(raw, isListSeparator) {
		if err := checkWebhookSecret(s); err != nil {
			r.fail(name, "%v", err)
			continue
		}
		secrets = append(secrets, s)
	}
	if raw != "" && len(secrets) == 0 && len(r.problems) == 0 {
		r.fail(name, "holds no secret")
	}
	return secrets
}

func checkWebhookSecret(s string) error {
	body, ok := strings.CutPrefix(s, "whsec_")
	if !ok {
		return errors.New("a secret does not start with whsec_")
	}
	key, err := base64.StdEncoding.DecodeString(body)
	if err != nil {
		return errors.New("a secret is not valid base64 after whsec_")
	}
	if len(key) < 16 {
		return errors.New("a secret is shorter than 16 bytes")
	}
	return nil
}

func (r *reader) rsaKey(name string) *rsa.PublicKey {
	v := strings.TrimSpace(strings.ReplaceAll(r.getenv(name), `\n`, "\n"))
	if v == "" {
		return nil
	}
	block, _ := pem.Decode([]byte(v))
	if block == nil {
		r.fail(name, "not a PEM block")
		return nil
	}
	parsed, err := x509.ParsePKIXPublicKey(block.Bytes)
	if err != nil {
		r.fail(name, "not a PKIX public key")
		return nil
	}
	key, ok := parsed.(*rsa.PublicKey)
	if !ok || key.N.BitLen() < 2048 {
		r.fail(name, "not an RSA public key of at least 2048 bits")
		return nil
	}
	return key
}

// issuer returns CLERK_ISSUER, else the issuer the publishable key encodes.
func (r *reader) issuer(publishableKey string) string {
	if v := r.str("CLERK_ISSUER"); v != "" {
		return strings.TrimRight(v, "/")
	}
	if publishableKey == "" {
		return ""
	}
	issuer, err := IssuerFromPublishableKey(publishableKey)
	if err != nil {
		r.fail("CLERK_PUBLISHABLE_KEY", "%v", err)
	}
	return issuer
}

func (r *reader) checkProduction(c *Config) {
	if !c.Production {
		return
	}
	if len(c.AuthorizedParties) == 0 {
		r.fail("CLERK_AUTHORIZED_PARTIES", "required in production")
	}
	if c.AllowEmptyAZP {
		r.fail("CLERK_ALLOW_EMPTY_AZP", "not allowed in production")
	}
}

// IssuerFromPublishableKey decodes the Frontend API host a Clerk publishable
// key carries (pk_test_ or pk_live_ then base64 of "host$") into the issuer.
func IssuerFromPublishableKey(key string) (string, error) {
	body, ok := strings.CutPrefix(key, "pk_test_")
	if !ok {
		body, ok = strings.CutPrefix(key, "pk_live_")
	}
	if !ok {
		return "", errors.New("want pk_test_ or pk_live_ followed by base64")
	}
	decoded, err := base64.RawStdEncoding.DecodeString(strings.TrimRight(body, "="))
	if err != nil {
		return "", errors.New("not valid base64 after the prefix")
	}
	host, ok := strings.CutSuffix(string(decoded), "$")
	if !ok || host == "" || strings.ContainsAny(host, "/ $") {
		return "", errors.New("does not encode a Frontend API host")
	}
	return "https://" + host, nil
}
