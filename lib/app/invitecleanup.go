package app

import (
	"net/http"

	"github.com/portal-auth/portal-auth/lib/config"
	"github.com/portal-auth/portal-auth/lib/httpx"
	"github.com/portal-auth/portal-auth/lib/invites"
)

// InviteCleanup is the invite-cleanup function: the hourly cron that expires
// and revokes stale invitations, drains the Clerk outbox and applies
// retention. It needs CLERK_SECRET_KEY besides the database.
var InviteCleanup = Function{
	Name:     "invite-cleanup",
	Requires: config.InviteCron,
	Build:    buildInviteCleanup,
}

func buildInviteCleanup(d *Deps) (httpx.HandlerFunc, error) {
	settings := invites.DefaultSettings()
	settings.MaxAge = d.Config.InviteMaxAge
	settings.PayloadRetention = d.Config.PayloadRetention
	settings.SessionRetention = d.Config.SessionRetention
	ck := invites.Clerk{APIURL: d.Config.ClerkAPIURL, SecretKey: d.Config.ClerkSecretKey}
	cleaner := invites.New(d.Pool, ck, d.Logger, d.Now, settings)
	return invites.Handler(cleaner, d.Config, d.Logger), nil
}

var invitecleanupInstance = &instance{fn: InviteCleanup}

// ServeInviteCleanup serves the invite-cleanup function from the instance's
// dependency set.
func ServeInviteCleanup(w http.ResponseWriter, r *http.Request) {
	invitecleanupInstance.serve(w, r)
}
