package sessioncheck

import (
	"net/http"

	"github.com/portal-auth/portal-auth/lib/httpx"
)

// Reason is the stable code a refused check answers with in the "error"
// field of its body.
type Reason string

// The reasons a check is refused, by the status they carry.
const (
	// 401: the token is missing or not acceptable.
	TokenMissing          Reason = "token_missing"
	TokenMalformed        Reason = "token_malformed"
	TokenExpired          Reason = "token_expired"
	TokenNotYetValid      Reason = "token_not_yet_valid"
	TokenInvalidSignature Reason = "token_invalid_signature"
	TokenUnknownKID       Reason = "token_unknown_kid"
	TokenInvalidIssuer    Reason = "token_invalid_issuer"
	TokenInvalidAZP       Reason = "token_invalid_azp"

	// 401: the session behind a valid token is not usable.
	SessionPending Reason = "session_pending"
	SessionRevoked Reason = "session_revoked"
	SessionExpired Reason = "session_expired"

	// 403: the user may not act in the tenant.
	UserDisabled Reason = "user_disabled"
	NotAMember   Reason = "not_a_member"
	NoTenant     Reason = "no_tenant"
)

var messages = map[Reason]string{
	TokenMissing:          "no session token on the request",
	TokenMalformed:        "the session token is malformed",
	TokenExpired:          "the session token has expired",
	TokenNotYetValid:      "the session token is not valid yet",
	TokenInvalidSignature: "the session token signature is invalid",
	TokenUnknownKID:       "the session token is signed by an unknown key",
	TokenInvalidIssuer:    "the session token was issued by another instance",
	TokenInvalidAZP:       "the session token was issued to another origin",
	SessionPending:        "the session is pending",
	SessionRevoked:        "the session has been revoked",
	SessionExpired:        "the session has expired",
	UserDisabled:          "the user is disabled",
	NotAMember:            "the user is not a member of the tenant",
	NoTenant:              "no tenant was requested and the session has no active organization",
}

// refusals holds one immutable error per reason, so refusing allocates nothing.
var refusals = buildRefusals()

func buildRefusals() map[Reason]*httpx.Error {
	out := make(map[Reason]*httpx.Error, len(messages))
	for reason, msg := range messages {
		out[reason] = httpx.NewError(reason.Status(), string(reason), msg)
	}
	return out
}

// Status returns the HTTP status a refusal for r carries: 403 when the
// user may not act in the tenant, 401 otherwise.
func (r Reason) Status() int {
	switch r {
	case UserDisabled, NotAMember, NoTenant:
		return http.StatusForbidden
	}
	return http.StatusUnauthorized
}

// Error returns the reason code, so a Reason can travel as an error.
func (r Reason) Error() string { return string(r) }

// refuse returns the error the adapter turns into r's answer.
func refuse(r Reason) error { return refusals[r] }
