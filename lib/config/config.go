// Package config reads the portal-auth configuration from the environment in
// one place and reports every problem at once.
package config

import (
	"crypto/rsa"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"
)

// DefaultClerkAPIURL is Clerk's production Backend API base URL.
const DefaultClerkAPIURL = "https://api.clerk.com/v1"

// MinCronSecretLength is the shortest CRON_SECRET accepted.
const MinCronSecretLength = 16

// Function names one of the deployed functions, for Require.
type Function string

// The functions, by their concern.
const (
	Webhook      Function = "webhook"
	SessionCheck Function = "session-check"
	InviteCron   Function = "invite-cleanup"
)

// Config is the validated configuration of every function.
type Config struct {
	// DatabaseURL is the Postgres URL (Neon's pooled URL in production).
	DatabaseURL string

	// ClerkSecretKey authenticates Backend API calls (sk_test_/sk_live_).
	ClerkSecretKey string
	// ClerkAPIURL is the Backend API base URL, ending in /v1.
	ClerkAPIURL string

	// WebhookSecrets are the whsec_ secrets tried in order; several during rotation.
	WebhookSecrets []string

	// JWTKey is the PEM public key from CLERK_JWT_KEY; nil means use the JWKS.
	JWTKey *rsa.PublicKey
	// PublishableKey is Clerk's pk_test_/pk_live_ key, empty when unset.
	PublishableKey string
	// Issuer is the expected token issuer: CLERK_ISSUER, else derived from
	// the publishable key, else empty (unknown).
	Issuer string
	// AuthorizedParties are the origins accepted in a token's azp claim.
	AuthorizedParties []string
	// AllowEmptyAZP accepts tokens without azp (development only).
	AllowEmptyAZP bool
	// ClockLeeway is the tolerance for exp, nbf and iat.
	ClockLeeway time.Duration
	// SessionIdleTimeout ends a known session inactive for longer.
	SessionIdleTimeout time.Duration
	// SessionMaxAge ends a known session older than this.
	SessionMaxAge time.Duration

	// CronSecret is the bearer secret of the cron; empty refuses every run.
	CronSecret string
	// InviteMaxAge is the age past which a pending invitation is stale.
	InviteMaxAge time.Duration
	// PayloadRetention is how long the cron keeps webhook payloads.
	PayloadRetention time.Duration
	// SessionRetention is how long the cron keeps ended sessions.
	SessionRetention time.Duration

	// SentryDSN enables error reporting when set.
	SentryDSN string
	// SentryEnvironment and SentryRelease tag reported errors.
	SentryEnvironment, SentryRelease string

	// LogLevel is the minimum level logged.
	LogLevel slog.Level
	// Production is true when VERCEL_ENV is production.
	Production bool
}

// Load reads the configuration through getenv (os.Getenv in production). It
// returns one error listing every malformed value.
func Load(getenv func(string) string) (*Config, error) {
	r := reader{getenv: getenv}
	c := &Config{
		DatabaseURL:        r.str("DATABASE_URL"),
		ClerkSecretKey:     r.str("CLERK_SECRET_KEY"),
		ClerkAPIURL:        r.url("CLERK_API_URL", DefaultClerkAPIURL),
		WebhookSecrets:     r.webhookSecrets(),
		JWTKey:             r.rsaKey("CLERK_JWT_KEY"),
		PublishableKey:     r.first("CLERK_PUBLISHABLE_KEY", "NEXT_PUBLIC_CLERK_PUBLISHABLE_KEY"),
		AuthorizedParties:  r.list("CLERK_AUTHORIZED_PARTIES"),
		AllowEmptyAZP:      r.boolean("CLERK_ALLOW_EMPTY_AZP"),
		ClockLeeway:        r.duration("CLERK_CLOCK_LEEWAY", 5*time.Second),
		SessionIdleTimeout: r.duration("SESSION_IDLE_TIMEOUT", 12*time.Hour),
		SessionMaxAge:      r.duration("SESSION_MAX_AGE", 30*24*time.Hour),
		CronSecret:         r.str("CRON_SECRET"),
		InviteMaxAge:       r.duration("INVITE_MAX_AGE", 168*time.Hour),
		PayloadRetention:   r.duration("WEBHOOK_PAYLOAD_RETENTION", 30*24*time.Hour),
		SessionRetention:   r.duration("ENDED_SESSION_RETENTION", 90*24*time.Hour),
		SentryDSN:          r.str("SENTRY_DSN"),
		SentryEnvironment:  r.first("SENTRY_ENVIRONMENT", "VERCEL_ENV"),
		SentryRelease:      r.first("SENTRY_RELEASE", "VERCEL_GIT_COMMIT_SHA"),
		LogLevel:           r.logLevel("LOG_LEVEL"),
		Production:         r.str("VERCEL_ENV") == "production",
	}
	c.Issuer = r.issuer(c.PublishableKey)
	r.checkProduction(c)
	if len(r.problems) > 0 {
		return nil, fmt.Errorf("invalid configuration: %w", errors.Join(r.problems...))
	}
	return c, nil
}

// Require reports, in one error, the settings fn needs that are missing.
func (c *Config) Require(fn Function) error {
	var missing []string
	if c.DatabaseURL == "" {
		missing = append(missing, "DATABASE_URL")
	}
	switch fn {
	case Webhook:
		if len(c.WebhookSecrets) == 0 {
			missing = append(missing, "CLERK_WEBHOOK_SECRET")
		}
	case SessionCheck:
		if c.JWTKey == nil && c.ClerkSecretKey == "" {
			missing = append(missing, "CLERK_JWT_KEY or CLERK_SECRET_KEY")
		}
	case InviteCron:
		if c.ClerkSecretKey == "" {
			missing = append(missing, "CLERK_SECRET_KEY")
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("configuration for %s: missing %s", fn, strings.Join(missing, ", "))
	}
	return nil
}

// CronSecretProblem says why the cron secret refuses every request, or "".
func (c *Config) CronSecretProblem() string {
	switch {
	case c.CronSecret == "":
		return "CRON_SECRET is not set"
	case len(c.CronSecret) < MinCronSecretLength:
		return fmt.Sprintf("CRON_SECRET is shorter than %d characters", MinCronSecretLength)
	}
	return ""
}
