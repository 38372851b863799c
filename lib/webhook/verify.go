package webhook

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	svix "github.com/svix/svix-webhooks/go"
)

// Tolerance is how far a delivery's timestamp may be from now.
const Tolerance = 5 * time.Minute

// Reasons a signature check fails; each is logged as the rejection reason.
var (
	ErrMissingHeaders   = errors.New("missing_headers")
	ErrBadTimestamp     = errors.New("bad_timestamp")
	ErrStaleTimestamp   = errors.New("stale_timestamp")
	ErrFutureTimestamp  = errors.New("future_timestamp")
	ErrSignatureInvalid = errors.New("signature_mismatch")
	ErrBadMessageID     = errors.New("bad_message_id")
)

// validMessageID accepts what Svix message ids are made of (msg_ and
// base62) with room to spare: printable ASCII without spaces, 1 to 256 bytes.
func validMessageID(id string) bool {
	if len(id) > 256 {
		return false
	}
	for i := 0; i < len(id); i++ {
		if id[i] <= ' ' || id[i] > '~' {
			return false
		}
	}
	return true
}

// Verifier checks Svix signatures against one or more secrets.
type Verifier struct {
	hooks []*svix.Webhook
	now   func() time.Time
}

// NewVerifier returns a Verifier for the given whsec_ secrets, which must
// already be validated (config does). It refuses an empty list.
func NewVerifier(secrets []string, now func() time.Time) (*Verifier, error) {
	if len(secrets) == 0 {
		return nil, errors.New("webhook verifier: no secret configured")
	}
	v := &Verifier{now: now}
	for i, s := range secrets {
		hook, err := svix.NewWebhook(s)
		if err != nil {
			return nil, fmt.Errorf("webhook verifier: secret %d: %w", i+1, err)
		}
		v.hooks = append(v.hooks, hook)
	}
	return v, nil
}

// Signed is what a verified delivery's headers say.
type Signed struct {
	ID        string
	Timestamp time.Time
}

// Verify checks body against the svix-* (or webhook-*) headers and returns
// the message id and timestamp. The error is one of the Err reasons.
func (v *Verifier) Verify(body []byte, h http.Header) (Signed, error) {
	id, ts, sig := h.Get("svix-id"), h.Get("svix-timestamp"), h.Get("svix-signature")
	if id == "" || ts == "" || sig == "" {
		id, ts, sig = h.Get("webhook-id"), h.Get("webhook-timestamp"), h.Get("webhook-signature")
	}
	if id == "" || ts == "" || sig == "" {
		return Signed{}, ErrMissingHeaders
	}
	if !validMessageID(id) {
		return Signed{}, ErrBadMessageID
	}
	seconds, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return Signed{}, ErrBadTimestamp
	}
	signed := Signed{ID: id, Timestamp: time.Unix(seconds, 0)}
	now := v.now()
	switch {
	case now.Sub(signed.Timestamp) > Tolerance:
		return Signed{}, ErrStaleTimestamp
	case signed.Timestamp.Sub(now) > Tolerance:
		return Signed{}, ErrFutureTimestamp
	}
	// The library checks the timestamp against the wall clock; we did it
	// against the injected clock, so only the signature is left to check.
	headers := http.Header{}
	headers.Set("svix-id", id)
	headers.Set("svix-timestamp", ts)
	headers.Set("svix-signature", sig)
	for _, hook := range v.hooks {
		if hook.VerifyIgnoringTimestamp(body, headers) == nil {
			return signed, nil
		}
	}
	return Signed{}, ErrSignatureInvalid
}
