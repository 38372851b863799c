// Package cron holds the scheduled functions Vercel's cron calls.
package cron

import (
	"net/http"

	"github.com/portal-auth/portal-auth/lib/app"
)

// Handler serves GET /api/v1/cron/invite-cleanup, called hourly by Vercel's
// cron with "Authorization: Bearer $CRON_SECRET" (401 without it, 405 for
// other methods). Within a time budget it expires stale organization and
// application invitations and revokes them in Clerk, retries queued Clerk
// side effects and drops data past retention, then answers 200 with counts.
func Handler(w http.ResponseWriter, r *http.Request) { app.ServeInviteCleanup(w, r) }
