// Package sessioncheck answers GET /api/v1/session/check: is the Clerk
// session token on this request valid, and may its user act in the requested
// tenant right now?
//
// A check costs one RS256 verification and one database round trip. The
// token is verified without the network, with the PEM key from the
// configuration or with keys from the Backend API's JWKS held in a cache.
// Verification is stricter than Clerk's SDK: exp, iat, sub and sid are
// required, the issuer and azp are checked exactly, pending sessions are
// refused. One SQL statement then reads what the webhooks recorded about the
// user, the session, the membership and the tenant, so a ban, a revoked
// session or a removed membership takes effect before the token expires.
package sessioncheck
