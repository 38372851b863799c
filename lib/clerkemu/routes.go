package clerkemu

import (
	"encoding/json"
	"errors"
	"io"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// apiFunc handles one Backend API route and returns the JSON body to send
// with 200, or an error (an *apiError becomes a Clerk-shaped error).
type apiFunc func(r *http.Request) (any, error)

type apiRoute struct {
	name string
	fn   apiFunc
}

// apiRoutes lists the Backend API routes; names are "METHOD /path" below /v1.
func (e *Emulator) apiRoutes() []apiRoute {
	return []apiRoute{
		{"GET /jwks", e.getJWKS},
		{"POST /sessions", e.createSessionRoute},
		{"GET /sessions", e.listSessionsRoute},
		{"GET /sessions/{id}", e.getSessionRoute},
		{"POST /sessions/{id}/revoke", e.revokeSessionRoute},
		{"POST /sessions/{id}/tokens", e.createTokenRoute},
		{"POST /sessions/{id}/tokens/{template}", e.createTokenRoute},
		{"POST /users", e.createUserRoute},
		{"GET /users", e.listUsersRoute},
		{"GET /users/count", e.countUsersRoute},
		{"GET /users/{id}", e.getUserRoute},
		{"PATCH /users/{id}", e.updateUserRoute},
		{"DELETE /users/{id}", e.deleteUserRoute},
		{"PATCH /users/{id}/metadata", e.updateUserMetadataRoute},
		{"POST /users/{id}/ban", e.userFlagRoute(func(u *User) { u.Banned = true })},
		{"POST /users/{id}/unban", e.userFlagRoute(func(u *User) { u.Banned = false })},
		{"POST /users/{id}/lock", e.userFlagRoute(func(u *User) { u.Locked = true })},
		{"POST /users/{id}/unlock", e.userFlagRoute(func(u *User) { u.Locked = false })},
		{"GET /users/{id}/organization_memberships", e.listUserMembershipsRoute},
		{"POST /invitations", e.createInvitationRoute},
		{"GET /invitations", e.listInvitationsRoute},
		{"POST /invitations/{id}/revoke", e.revokeInvitationRoute},
		{"POST /invitations/{id}/accept", e.acceptInvitationRoute},
		{"POST /organizations", e.createOrgRoute},
		{"GET /organizations", e.listOrgsRoute},
		{"GET /organizations/{id}", e.getOrgRoute},
		{"PATCH /organizations/{id}", e.updateOrgRoute},
		{"PATCH /organizations/{id}/metadata", e.updateOrgMetadataRoute},
		{"DELETE /organizations/{id}", e.deleteOrgRoute},
		{"POST /organizations/{id}/memberships", e.createMembershipRoute},
		{"GET /organizations/{id}/memberships", e.listMembershipsRoute},
		{"PATCH /organizations/{id}/memberships/{user}", e.updateMembershipRoute},
		{"DELETE /organizations/{id}/memberships/{user}", e.deleteMembershipRoute},
		{"POST /organizations/{id}/invitations", e.createOrgInvitationRoute},
		{"GET /organizations/{id}/invitations", e.listOrgInvitationsRoute},
		{"GET /organizations/{id}/invitations/{inv}", e.getOrgInvitationRoute},
		{"POST /organizations/{id}/invitations/{inv}/revoke", e.revokeOrgInvitationRoute},
		{"POST /organizations/{id}/invitations/{inv}/accept", e.acceptOrgInvitationRoute},
	}
}

// Routes returns the names of the Backend API routes, the keys SetFault
// accepts. The two ".../accept" routes are emulator-only.
func (e *Emulator) Routes() []string {
	var names []string
	for _, rt := range e.apiRoutes() {
		names = append(names, rt.name)
	}
	return names
}

func (e *Emulator) routes() http.Handler {
	mux := http.NewServeMux()
	for _, rt := range e.apiRoutes() {
		method, path, _ := strings.Cut(rt.name, " ")
		mux.Handle(method+" /v1"+path, e.wrap(rt.name, rt.fn))
	}
	mux.Handle("/v1/", e.wrap("", func(*http.Request) (any, error) {
		return nil, errNotFound("route")
	}))
	e.adminRoutes(mux)
	return mux
}

// wrap adds what every Backend API route does: a trace id, the secret key
// check, the rate limit and fault injection.
func (e *Emulator) wrap(name string, fn apiFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Clerk-Trace-Id", randomHex(16))
		if !e.authorized(r) {
			writeAPIError(w, errUnauthorized())
			return
		}
		if ok, retry := e.limiter.allow(e.now()); !ok {
			secs := int(math.Ceil(retry.Seconds()))
			w.Header().Set("Retry-After", strconv.Itoa(max(secs, 1)))
			writeAPIError(w, errRateLimited())
			return
		}
		if f, ok := e.faults.take(name); ok && applyFault(w, r, f) {
			return
		}
		v, err := fn(r)
		if err != nil {
			writeAPIError(w, err)
			return
		}
		writeJSON(w, http.StatusOK, v)
	})
}

// authorized reports whether r carries the secret key as a bearer token.
func (e *Emulator) authorized(r *http.Request) bool {
	token, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	return ok && token == e.st.SecretKey
}

func errUnauthorized() *apiError {
	return &apiError{
		Status:      http.StatusUnauthorized,
		Code:        codeUnauthorized,
		Message:     "Invalid authentication",
		LongMessage: "The request needs a valid Clerk secret key as a bearer token.",
	}
}

func errRateLimited() *apiError {
	return &apiError{
		Status:      http.StatusTooManyRequests,
		Code:        codeRateLimited,
		Message:     "Too many requests",
		LongMessage: "The rate limit of this instance was exceeded; retry later.",
	}
}

// decodeBody reads a JSON request body into v; an empty body is allowed.
func decodeBody(r *http.Request, v any) error {
	b, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		return errBadRequest("request_body_invalid", "invalid body", err.Error())
	}
	if len(b) == 0 {
		return nil
	}
	if err := json.Unmarshal(b, v); err != nil {
		return errBadRequest("request_body_invalid", "invalid body", err.Error())
	}
	return nil
}

// pageParams reads limit (default 10, at most 500) and offset.
func pageParams(q url.Values) (limit, offset int, err error) {
	limit, offset = 10, 0
	if s := q.Get("limit"); s != "" {
		limit, err = strconv.Atoi(s)
		if err != nil || limit < 1 || limit > 500 {
			return 0, 0, errInvalid("limit", "limit must be between 1 and 500.")
		}
	}
	if s := q.Get("offset"); s != "" {
		offset, err = strconv.Atoi(s)
		if err != nil || offset < 0 {
			return 0, 0, errInvalid("offset", "offset must be zero or more.")
		}
	}
	return limit, offset, nil
}

// paginate returns the page of items selected by the query's limit and
// offset, and the total count.
func paginate[T any](q url.Values, items []T) ([]T, int64, error) {
	limit, offset, err := pageParams(q)
	if err != nil {
		return nil, 0, err
	}
	total := int64(len(items))
	if offset > len(items) {
		offset = len(items)
	}
	end := min(offset+limit, len(items))
	return append([]T{}, items[offset:end]...), total, nil
}

// newestFirst returns items in reverse insertion order, Clerk's default
// ordering (-created_at).
func newestFirst[T any](items []T) []T {
	out := make([]T, 0, len(items))
	for i := len(items) - 1; i >= 0; i-- {
		out = append(out, items[i])
	}
	return out
}

// boolParam parses an optional boolean query parameter.
func boolParam(q url.Values, name string) (*bool, error) {
	s := q.Get(name)
	if s == "" {
		return nil, nil
	}
	b, err := strconv.ParseBool(s)
	if err != nil {
		return nil, errInvalid(name, name+" must be true or false.")
	}
	return &b, nil
}

// asAPIError unwraps err to an *apiError, for Go-level callers.
func asAPIError(err error) *apiError {
	var ae *apiError
	if errors.As(err, &ae) {
		return ae
	}
	return nil
}
