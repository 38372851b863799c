package clerkemu

import (
	"net/http"
	"time"
)

// adminRoutes mounts the emulator-only endpoints under /__emulator/. They
// need the secret key too, are not rate limited and ignore faults.
//
//	POST   /__emulator/sign_in               {"user_id","organization_id"} → {"session","jwt"}
//	POST   /__emulator/sessions/{id}/end     → session (session.ended)
//	POST   /__emulator/sessions/{id}/remove  → session (session.removed)
//	PUT    /__emulator/faults                {"route","status","delay_ms","body","times"}
//	DELETE /__emulator/faults                clears every fault
//	PUT    /__emulator/rate_limit            {"limit","window_ms"}
//	POST   /__emulator/rotate_key            {"grace_ms"}
//	POST   /__emulator/webhook_endpoints     {"url"}
//	GET    /__emulator/messages              → webhook messages and attempts
func (e *Emulator) adminRoutes(mux *http.ServeMux) {
	admin := func(pattern string, fn apiFunc) {
		mux.Handle(pattern, e.adminWrap(fn))
	}
	admin("POST /__emulator/sign_in", e.adminSignIn)
	admin("POST /__emulator/sessions/{id}/end", e.adminFinishSession(e.EndSession))
	admin("POST /__emulator/sessions/{id}/remove", e.adminFinishSession(e.RemoveSession))
	admin("PUT /__emulator/faults", e.adminSetFault)
	admin("DELETE /__emulator/faults", func(*http.Request) (any, error) {
		e.ClearFaults()
		return map[string]bool{"ok": true}, nil
	})
	admin("PUT /__emulator/rate_limit", e.adminRateLimit)
	admin("POST /__emulator/rotate_key", e.adminRotateKey)
	admin("POST /__emulator/webhook_endpoints", e.adminAddEndpoint)
	admin("GET /__emulator/messages", func(*http.Request) (any, error) {
		return e.Messages(), nil
	})
}

func (e *Emulator) adminWrap(fn apiFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Clerk-Trace-Id", randomHex(16))
		if !e.authorized(r) {
			writeAPIError(w, errUnauthorized())
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

// toAPIError turns a Go-level error into an HTTP answer.
func toAPIError(err error) error {
	if ae := asAPIError(err); ae != nil {
		return ae
	}
	return errBadRequest("emulator_error", "emulator error", err.Error())
}

func (e *Emulator) adminSignIn(r *http.Request) (any, error) {
	var b struct {
		UserID         string `json:"user_id"`
		OrganizationID string `json:"organization_id"`
	}
	if err := decodeBody(r, &b); err != nil {
		return nil, err
	}
	s, tok, err := e.SignIn(b.UserID, b.OrganizationID)
	if err != nil {
		return nil, toAPIError(err)
	}
	return map[string]any{"session": s, "jwt": tok}, nil
}

func (e *Emulator) adminFinishSession(finish func(string) (Session, error)) apiFunc {
	return func(r *http.Request) (any, error) {
		s, err := finish(r.PathValue("id"))
		if err != nil {
			return nil, toAPIError(err)
		}
		return s, nil
	}
}

func (e *Emulator) adminSetFault(r *http.Request) (any, error) {
	var b struct {
		Route   string `json:"route"`
		Status  int    `json:"status"`
		DelayMS int64  `json:"delay_ms"`
		Body    string `json:"body"`
		Times   int    `json:"times"`
	}
	if err := decodeBody(r, &b); err != nil {
		return nil, err
	}
	if b.Route == "" {
		return nil, errMissing("route")
	}
	f := Fault{Status: b.Status, Delay: time.Duration(b.DelayMS) * time.Millisecond,
		Body: b.Body, Times: b.Times}
	e.SetFault(b.Route, f)
	return f, nil
}

func (e *Emulator) adminRateLimit(r *http.Request) (any, error) {
	var b struct {
		Limit    int   `json:"limit"`
		WindowMS int64 `json:"window_ms"`
	}
	if err := decodeBody(r, &b); err != nil {
		return nil, err
	}
	e.SetRateLimit(b.Limit, time.Duration(b.WindowMS)*time.Millisecond)
	return map[string]bool{"ok": true}, nil
}

func (e *Emulator) adminRotateKey(r *http.Request) (any, error) {
	var b struct {
		GraceMS int64 `json:"grace_ms"`
	}
	if err := decodeBody(r, &b); err != nil {
		return nil, err
	}
	if err := e.RotateKey(time.Duration(b.GraceMS) * time.Millisecond); err != nil {
		return nil, err
	}
	return map[string]string{"kid": e.KeyID()}, nil
}

func (e *Emulator) adminAddEndpoint(r *http.Request) (any, error) {
	var b struct {
		URL string `json:"url"`
	}
	if err := decodeBody(r, &b); err != nil {
		return nil, err
	}
	if b.URL == "" {
		return nil, errMissing("url")
	}
	e.AddWebhookEndpoint(b.URL)
	return map[string][]string{"endpoints": e.WebhookEndpoints()}, nil
}
