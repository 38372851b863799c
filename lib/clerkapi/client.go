// Package clerkapi reaches Clerk's Backend API through clerk-sdk-go clients
// built for one base URL and key, and carries out the side effects the
// portal asks of Clerk (revoking sessions and invitations) idempotently.
package clerkapi

import (
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/clerk/clerk-sdk-go/v2"
	"github.com/clerk/clerk-sdk-go/v2/invitation"
	"github.com/clerk/clerk-sdk-go/v2/organizationinvitation"
	"github.com/clerk/clerk-sdk-go/v2/session"
)

// Client holds the Backend API clients the functions use.
type Client struct {
	Sessions       *session.Client
	Invitations    *invitation.Client
	OrgInvitations *organizationinvitation.Client
}

// New builds clients for the Backend API at apiURL (ending in /v1) with the
// given secret key. httpClient may be nil for a client with a 5 s timeout.
func New(apiURL, secretKey string, httpClient *http.Client) *Client {
	if httpClient == nil {
		httpClient = &http.Client{Timeout: 5 * time.Second}
	}
	cfg := &clerk.ClientConfig{BackendConfig: clerk.BackendConfig{
		URL: &apiURL, Key: &secretKey, HTTPClient: httpClient,
	}}
	return &Client{
		Sessions:       session.NewClient(cfg),
		Invitations:    invitation.NewClient(cfg),
		OrgInvitations: organizationinvitation.NewClient(cfg),
	}
}

// StatusOf returns the HTTP status of a Clerk API error, or 0 when err did
// not come from a Clerk-shaped error response.
func StatusOf(err error) int {
	var apiErr *clerk.APIErrorResponse
	if errors.As(err, &apiErr) {
		return apiErr.HTTPStatusCode
	}
	return 0
}

// RetryAfter returns how long a 429 asks to wait, and whether err is a 429.
func RetryAfter(err error) (time.Duration, bool) {
	var apiErr *clerk.APIErrorResponse
	if !errors.As(err, &apiErr) || apiErr.HTTPStatusCode != http.StatusTooManyRequests {
		return 0, false
	}
	wait := time.Second
	if apiErr.Response != nil {
		if s, err := strconv.Atoi(apiErr.Response.Header.Get("Retry-After")); err == nil && s >= 0 {
			wait = time.Duration(s) * time.Second
		}
	}
	return wait, true
}

// isClientError reports a 4xx other than auth and rate limiting: the request
// was understood and refused, which for a revocation may mean "already done".
func isClientError(err error) bool {
	switch status := StatusOf(err); {
	case status == http.StatusUnauthorized, status == http.StatusForbidden,
		status == http.StatusTooManyRequests:
		return false
	default:
		return status >= 400 && status < 500
	}
}
