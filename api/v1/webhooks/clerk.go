// Package webhooks is the Vercel function for Clerk webhooks.
package webhooks

import (
	"net/http"

	"github.com/portal-auth/portal-auth/lib/app"
)

// Handler serves POST /api/v1/webhooks/clerk. Auth: a Svix signature over
// the raw body, made with CLERK_WEBHOOK_SECRET. Effect: applies the Clerk
// event to Postgres exactly once with an audit row, and revokes the Clerk
// sessions of users who were banned, deleted or removed from a tenant.
func Handler(w http.ResponseWriter, r *http.Request) { app.ServeWebhook(w, r) }
