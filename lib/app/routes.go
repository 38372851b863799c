package app

import "net/http"

// Route is a function, the path Vercel serves it at, and its entrypoint
// for a serverless instance that runs only that function.
type Route struct {
	Path     string
	Function Function
	Serve    http.HandlerFunc
}

// Routes lists every deployed function at its Vercel path.
func Routes() []Route {
	return []Route{
		{Path: "/api/v1/webhooks/clerk", Function: Webhook, Serve: ServeWebhook},
		{Path: "/api/v1/session/check", Function: SessionCheck, Serve: ServeSessionCheck},
		{Path: "/api/v1/cron/invite-cleanup", Function: InviteCleanup, Serve: ServeInviteCleanup},
	}
}
