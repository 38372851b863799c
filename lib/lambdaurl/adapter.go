// Package lambdaurl runs the functions on AWS Lambda behind a function URL,
// for deployments outside Vercel: it turns a function URL event into an
// http.Request, serves it with the function's handler and buffers the
// answer into the event response, as Vercel's own bridge does.
package lambdaurl

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"unicode/utf8"

	"github.com/aws/aws-lambda-go/events"
)

// Handler serves function URL events with h.
type Handler struct{ h http.Handler }

// New returns a Handler for h.
func New(h http.Handler) *Handler { return &Handler{h: h} }

// Invoke serves one event. It returns an error only when the event cannot
// be turned into a request.
func (a *Handler) Invoke(ctx context.Context, ev events.LambdaFunctionURLRequest) (
	events.LambdaFunctionURLResponse, error) {
	req, err := toRequest(ctx, ev)
	if err != nil {
		return events.LambdaFunctionURLResponse{}, err
	}
	rec := httptest.NewRecorder()
	a.h.ServeHTTP(rec, req)
	return toResponse(rec), nil
}

func toRequest(ctx context.Context, ev events.LambdaFunctionURLRequest) (*http.Request, error) {
	body := []byte(ev.Body)
	if ev.IsBase64Encoded {
		decoded, err := base64.StdEncoding.DecodeString(ev.Body)
		if err != nil {
			return nil, fmt.Errorf("decode event body: %w", err)
		}
		body = decoded
	}
	target := ev.RawPath
	if ev.RawQueryString != "" {
		target += "?" + ev.RawQueryString
	}
	req, err := http.NewRequestWithContext(ctx, ev.RequestContext.HTTP.Method,
		"https://"+ev.RequestContext.DomainName+target, bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("build request: %w", err)
	}
	for name, value := range ev.Headers {
		req.Header.Set(name, value)
	}
	if len(ev.Cookies) > 0 {
		req.Header.Set("Cookie", strings.Join(ev.Cookies, "; "))
	}
	req.RemoteAddr = ev.RequestContext.HTTP.SourceIP
	return req, nil
}

func toResponse(rec *httptest.ResponseRecorder) events.LambdaFunctionURLResponse {
	res := events.LambdaFunctionURLResponse{StatusCode: rec.Code, Headers: map[string]string{}}
	for name, values := range rec.Header() {
		if strings.EqualFold(name, "Set-Cookie") {
			res.Cookies = append(res.Cookies, values...)
			continue
		}
		res.Headers[name] = strings.Join(values, ", ")
	}
	body := rec.Body.Bytes()
	if utf8.Valid(body) {
		res.Body = string(body)
	} else {
		res.Body, res.IsBase64Encoded = base64.StdEncoding.EncodeToString(body), true
	}
	return res
}
