package app

import (
	"net/http"

	"github.com/portal-auth/portal-auth/lib/config"
	"github.com/portal-auth/portal-auth/lib/httpx"
	"github.com/portal-auth/portal-auth/lib/sessioncheck"
)

// SessionCheck is the session-check function: it verifies the Clerk session
// token and checks the user, session and membership state in the database.
var SessionCheck = Function{
	Name:     "session-check",
	Requires: config.SessionCheck,
	Build: func(d *Deps) (httpx.HandlerFunc, error) {
		c, err := sessioncheck.New(sessioncheck.Options{
			Config:     d.Config,
			DB:         d.Pool,
			HTTPClient: d.HTTPClient,
			Now:        d.Now,
		})
		if err != nil {
			return nil, err
		}
		return c.Serve, nil
	},
}

var sessioncheckInstance = &instance{fn: SessionCheck}

// ServeSessionCheck serves the session-check function from the instance's dependency set.
func ServeSessionCheck(w http.ResponseWriter, r *http.Request) { sessioncheckInstance.serve(w, r) }
