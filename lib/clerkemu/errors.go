package clerkemu

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
)

// ErrNotFound is returned by Go-level calls for an unknown id.
var ErrNotFound = errors.New("clerkemu: not found")

// Error codes the emulator answers with. Clerk's public codes are used where
// known; the rest follow Clerk's snake_case style.
const (
	codeNotFound         = "resource_not_found"
	codeUnauthorized     = "authentication_invalid"
	codeRateLimited      = "too_many_requests"
	codeParamMissing     = "form_param_missing"
	codeParamInvalid     = "form_param_value_invalid"
	codeIdentifierExists = "form_identifier_exists"
	codeAlreadyMember    = "already_a_member_in_organization"
	codeSessionNotActive = "session_not_active"
	codeNotPending       = "invitation_not_pending"
	codeInternal         = "internal_clerk_error"
	codeFaultInjected    = "emulator_fault_injected"
)

// apiError is a Clerk-shaped error with its HTTP status.
type apiError struct {
	Status      int
	Code        string
	Message     string
	LongMessage string
	Meta        map[string]any
}

func (e *apiError) Error() string {
	return fmt.Sprintf("%d %s: %s", e.Status, e.Code, e.LongMessage)
}

func errNotFound(what string) *apiError {
	return &apiError{
		Status:      http.StatusNotFound,
		Code:        codeNotFound,
		Message:     "not found",
		LongMessage: what + " not found",
	}
}

func errMissing(param string) *apiError {
	return &apiError{
		Status:      http.StatusUnprocessableEntity,
		Code:        codeParamMissing,
		Message:     "missing required parameter",
		LongMessage: param + " must be included.",
		Meta:        map[string]any{"param_name": param},
	}
}

func errInvalid(param, long string) *apiError {
	return &apiError{
		Status:      http.StatusUnprocessableEntity,
		Code:        codeParamInvalid,
		Message:     "is invalid",
		LongMessage: long,
		Meta:        map[string]any{"param_name": param},
	}
}

func errBadRequest(code, message, long string) *apiError {
	return &apiError{Status: http.StatusBadRequest, Code: code, Message: message, LongMessage: long}
}

// errorBody is Clerk's error envelope.
type errorBody struct {
	Errors  []errorItem `json:"errors"`
	TraceID string      `json:"clerk_trace_id"`
}

type errorItem struct {
	Message     string         `json:"message"`
	LongMessage string         `json:"long_message"`
	Code        string         `json:"code"`
	Meta        map[string]any `json:"meta,omitempty"`
}

// writeAPIError answers with err in Clerk's error shape. Errors that are not
// *apiError become a 500.
func writeAPIError(w http.ResponseWriter, err error) {
	var ae *apiError
	if !errors.As(err, &ae) {
		ae = &apiError{
			Status:      http.StatusInternalServerError,
			Code:        codeInternal,
			Message:     "something went wrong",
			LongMessage: "The emulator failed to handle the request.",
		}
	}
	trace := w.Header().Get("Clerk-Trace-Id")
	body := errorBody{
		Errors:  []errorItem{{ae.Message, ae.LongMessage, ae.Code, ae.Meta}},
		TraceID: trace,
	}
	writeJSON(w, ae.Status, body)
}

// writeJSON answers with v encoded as JSON.
func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		http.Error(w, "encode response", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}
