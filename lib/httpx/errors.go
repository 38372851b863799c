// Package httpx is the HTTP plumbing shared by every function: handlers that
// return errors, one adapter that turns them into the JSON error shape, a
// request id, panic recovery and one structured log line per request.
package httpx

import (
	"errors"
	"fmt"
	"net/http"
	"time"
)

// Error is an error with the HTTP status and stable code a caller sees.
type Error struct {
	// Status is the HTTP status code.
	Status int
	// Code is the stable machine-readable reason, such as "token_expired".
	Code string
	// Message is a sentence safe to show the caller.
	Message string
	// RetryAfter, when positive, is sent as the Retry-After header.
	RetryAfter time.Duration
	// Allow, for a 405, lists the allowed methods.
	Allow string
	// Err is the underlying cause, logged but never shown.
	Err error
}

// Error returns the code, the message and the cause.
func (e *Error) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("%s: %s: %v", e.Code, e.Message, e.Err)
	}
	return fmt.Sprintf("%s: %s", e.Code, e.Message)
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// NewError returns an Error with the given status, code and message.
func NewError(status int, code, message string) *Error {
	return &Error{Status: status, Code: code, Message: message}
}

// Wrap returns an Error with the given status and code around cause.
func Wrap(status int, code, message string, cause error) *Error {
	return &Error{Status: status, Code: code, Message: message, Err: cause}
}

// Unavailable is a 503 that asks the caller to retry after the given delay.
func Unavailable(message string, retryAfter time.Duration, cause error) *Error {
	return &Error{Status: http.StatusServiceUnavailable, Code: "unavailable",
		Message: message, RetryAfter: retryAfter, Err: cause}
}

// MethodNotAllowed is a 405 naming the allowed method.
func MethodNotAllowed(allowed string) *Error {
	e := NewError(http.StatusMethodNotAllowed, "method_not_allowed",
		"this endpoint accepts "+allowed+" only")
	e.Allow = allowed
	return e
}

// asError maps any error to an *Error; unknown errors become a 500.
func asError(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return Wrap(http.StatusInternalServerError, "internal", "internal error", err)
}
