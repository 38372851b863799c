package app

// Route is a function and the path Vercel serves it at.
type Route struct {
	Path     string
	Function Function
}

// Routes lists every deployed function at its Vercel path.
func Routes() []Route {
	return []Route{
		{Path: "/api/v1/webhooks/clerk", Function: Webhook},
		{Path: "/api/v1/session/check", Function: SessionCheck},
		{Path: "/api/v1/cron/invite-cleanup", Function: InviteCleanup},
	}
}
