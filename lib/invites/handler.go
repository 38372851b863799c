package invites

import (
	"crypto/sha256"
	"crypto/subtle"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/portal-auth/portal-auth/lib/config"
	"github.com/portal-auth/portal-auth/lib/httpx"
	"github.com/portal-auth/portal-auth/lib/store"
)

// unavailableRetry is the Retry-After of a 503. Vercel's cron does not
// retry, but a person or a script calling the endpoint may.
const unavailableRetry = time.Minute

// Handler returns the cron endpoint. It accepts GET only (405 otherwise)
// with "Authorization: Bearer <CRON_SECRET>" (401 otherwise), runs c once
// and answers 200 with the Result as JSON, or 503 with Retry-After when the
// database is unavailable.
//
// The scheme is matched case-insensitively ("bearer" is accepted), as
// RFC 9110 says authentication schemes are; the secret is compared in
// constant time. A CRON_SECRET that is unset or shorter than
// config.MinCronSecretLength refuses every request and logs a
// configuration error, so an empty secret never matches "Bearer ".
func Handler(c *Cleaner, cfg *config.Config, logger *slog.Logger) httpx.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		// Check the method, then the secret.
		if r.Method != http.MethodGet {
			return httpx.MethodNotAllowed(http.MethodGet)
		}
		if problem := cfg.CronSecretProblem(); problem != "" {
			logger.ErrorContext(r.Context(), "cron secret misconfigured", "problem", problem)
			return unauthorized(w)
		}
		if !bearerMatches(r.Header.Get("Authorization"), cfg.CronSecret) {
			return unauthorized(w)
		}

		// Run, then answer with the counts.
		res, err := c.Run(r.Context())
		httpx.LogAttrs(r.Context(), resultAttrs(res)...)
		if err != nil && store.IsUnavailable(err) {
			return httpx.Unavailable("the database is unavailable", unavailableRetry, err)
		}
		if err != nil {
			return err
		}
		w.Header().Set("Cache-Control", "no-store")
		httpx.WriteJSON(w, http.StatusOK, res)
		return nil
	}
}

func unauthorized(w http.ResponseWriter) error {
	w.Header().Set("WWW-Authenticate", "Bearer")
	return httpx.NewError(http.StatusUnauthorized, "unauthorized",
		"this endpoint needs the cron bearer secret")
}

// bearerMatches reports whether header is "Bearer <secret>" (any case of
// the scheme) for a non-empty secret. Both sides are hashed first so the
// comparison takes the same time whatever their lengths.
func bearerMatches(header, secret string) bool {
	scheme, token, ok := strings.Cut(header, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") || token == "" || secret == "" {
		return false
	}
	got, want := sha256.Sum256([]byte(token)), sha256.Sum256([]byte(secret))
	return subtle.ConstantTimeCompare(got[:], want[:]) == 1
}

// resultAttrs are the counts added to the request's summary log line.
func resultAttrs(res Result) []slog.Attr {
	return []slog.Attr{
		slog.Int("expired", res.Expired),
		slog.Int("revoked", res.Revoked),
		slog.Int("actions_done", res.ActionsDone),
		slog.Int("actions_rescheduled", res.ActionsRescheduled),
		slog.Int("actions_dead", res.ActionsDead),
		slog.Int("payloads_purged", res.PayloadsPurged),
		slog.Int("sessions_purged", res.SessionsPurged),
		slog.Int("application_synced", res.ApplicationSynced),
		slog.Int("remaining", res.Remaining),
		slog.Bool("rate_limited", res.RateLimited),
		slog.Bool("complete", res.Complete),
	}
}
