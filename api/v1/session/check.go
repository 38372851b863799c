// Package session holds the session-check function.
package session

import (
	"net/http"

	"github.com/portal-auth/portal-auth/lib/app"
)

// Handler serves GET (or HEAD) /api/v1/session/check, called by the portal's
// Next.js middleware on every request. Auth: a Clerk session token, as
// "Authorization: Bearer" or the __session cookie (or its suffixed form).
// Effect: none; it answers 200 with x-user-id, x-tenant-id and x-role when
// the token is valid and the user may act in the tenant named by x-tenant-id
// (else the token's active organization), 401 or 403 with the reason
// otherwise, and 503 when keys or the database are unavailable.
func Handler(w http.ResponseWriter, r *http.Request) { app.ServeSessionCheck(w, r) }
