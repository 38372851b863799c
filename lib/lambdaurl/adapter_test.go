package lambdaurl_test

import (
	"context"
	"encoding/base64"
	"io"
	"net/http"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/portal-auth/portal-auth/lib/lambdaurl"
)

func TestInvokeCarriesRequestAndResponse(t *testing.T) {
	h := lambdaurl.New(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		cookie, _ := r.Cookie("__session")
		w.Header().Set("x-echo", r.Method+" "+r.URL.Path+"?"+r.URL.RawQuery+" "+
			r.Header.Get("Authorization")+" "+cookie.Value)
		http.SetCookie(w, &http.Cookie{Name: "a", Value: "b"})
		w.WriteHeader(http.StatusTeapot)
		_, _ = w.Write(body)
	}))
	ev := events.LambdaFunctionURLRequest{
		RawPath: "/api/v1/session/check", RawQueryString: "x=1",
		Headers: map[string]string{"authorization": "Bearer t"},
		Cookies: []string{"__session=s1"},
		Body:    base64.StdEncoding.EncodeToString([]byte{0xff, 0x00}), IsBase64Encoded: true,
	}
	ev.RequestContext.HTTP.Method = http.MethodPost
	ev.RequestContext.DomainName = "fn.lambda-url.ap-southeast-2.on.aws"

	res, err := h.Invoke(context.Background(), ev)
	if err != nil {
		t.Fatal(err)
	}
	if res.StatusCode != http.StatusTeapot {
		t.Errorf("status %d", res.StatusCode)
	}
	if got := res.Headers["X-Echo"]; got != "POST /api/v1/session/check?x=1 Bearer t s1" {
		t.Errorf("echo %q", got)
	}
	if !res.IsBase64Encoded || res.Body != "/wA=" || len(res.Cookies) != 1 {
		t.Errorf("binary body or cookies lost: %+v", res)
	}
}
