package devserver

import (
	"fmt"
	"net/url"
	"strings"
)

// envShown lists the variables the summary prints, in order.
var envShown = []string{
	"DATABASE_URL", "CLERK_API_URL", "CLERK_SECRET_KEY", "CLERK_WEBHOOK_SECRET",
	"CLERK_WEBHOOK_SIGNING_SECRET", "CLERK_JWT_KEY", "CLERK_PUBLISHABLE_KEY",
	"CLERK_ISSUER", "CLERK_AUTHORIZED_PARTIES", "CLERK_ALLOW_EMPTY_AZP", "CRON_SECRET",
	"INVITE_MAX_AGE", "SESSION_IDLE_TIMEOUT", "SESSION_MAX_AGE", "SENTRY_DSN", "LOG_LEVEL",
}

// secretVars are masked by maskSecret.
var secretVars = map[string]bool{
	"CLERK_SECRET_KEY": true, "CLERK_WEBHOOK_SECRET": true,
	"CLERK_WEBHOOK_SIGNING_SECRET": true, "CRON_SECRET": true, "SENTRY_DSN": true,
}

// secretPrefixes are kept visible: they tell which kind of key it is.
var secretPrefixes = []string{"sk_test_", "sk_live_", "whsec_"}

// displayValue is how the summary shows the value of variable name.
func displayValue(name, value string) string {
	switch {
	case name == "DATABASE_URL":
		return redactURL(value)
	case name == "CLERK_JWT_KEY":
		return fmt.Sprintf("(PEM public key, %d bytes)", len(value))
	case name == "CLERK_WEBHOOK_SECRET" || name == "CLERK_WEBHOOK_SIGNING_SECRET":
		parts := strings.FieldsFunc(value, func(r rune) bool { return r == ',' || r == ' ' })
		for i, p := range parts {
			parts[i] = maskSecret(p)
		}
		return strings.Join(parts, " ")
	case secretVars[name]:
		return maskSecret(value)
	}
	return value
}

// maskSecret shows a secret's kind prefix and, when it is long enough to
// keep most of it hidden, its last four characters: sk_test_…abcd.
func maskSecret(s string) string {
	prefix := ""
	for _, p := range secretPrefixes {
		if strings.HasPrefix(s, p) {
			prefix = p
			break
		}
	}
	rest := s[len(prefix):]
	if len(rest) < 16 {
		return prefix + "…"
	}
	return prefix + "…" + rest[len(rest)-4:]
}

// redactURL hides the password of a URL, in its user part or its query; a
// value that does not parse is hidden whole.
func redactURL(s string) string {
	u, err := url.Parse(s)
	if err != nil {
		return "(unparsable URL)"
	}
	if q := u.Query(); q.Has("password") {
		q.Set("password", "xxxxx")
		u.RawQuery = q.Encode()
	}
	return u.Redacted()
}
