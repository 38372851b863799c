package clerkemu

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/clerk/clerk-sdk-go/v2"
	"github.com/clerk/clerk-sdk-go/v2/jwks"
	"github.com/clerk/clerk-sdk-go/v2/user"
)

func TestWrongSecretKey(t *testing.T) {
	s := startEmu(t, Options{})
	cfg := config(s)
	cfg.Key = clerk.String("sk_test_wrong")

	_, err := user.NewClient(cfg).Get(context.Background(), "user_x")
	apiErr(t, err, http.StatusUnauthorized, codeUnauthorized)
}

func TestRateLimit(t *testing.T) {
	ctx := context.Background()
	clock := &manualClock{now: time.Now()}
	s := startEmu(t, Options{RateLimit: 3, RateWindow: 10 * time.Second, Now: clock.Now})
	keys := jwks.NewClient(config(s))

	for i := range 3 {
		if _, err := keys.Get(ctx, &jwks.GetParams{}); err != nil {
			t.Fatalf("call %d: %v", i, err)
		}
	}
	clock.Advance(2500 * time.Millisecond)
	_, err := keys.Get(ctx, &jwks.GetParams{})
	ae := apiErr(t, err, http.StatusTooManyRequests, codeRateLimited)
	if got := ae.Response.Header.Get("Retry-After"); got != "8" {
		t.Errorf("Retry-After = %q, want 8", got)
	}

	clock.Advance(8 * time.Second)
	if _, err := keys.Get(ctx, &jwks.GetParams{}); err != nil {
		t.Errorf("after the window: %v", err)
	}
	s.SetRateLimit(-1, 0)
	for range 5 {
		if _, err := keys.Get(ctx, &jwks.GetParams{}); err != nil {
			t.Fatalf("limit disabled: %v", err)
		}
	}
}

func TestDefaultRateLimit(t *testing.T) {
	s := startEmu(t, Options{})
	s.SetRateLimit(0, 0)
	users := user.NewClient(config(s))
	var limited int
	for range DefaultRateLimit + 1 {
		_, err := users.Get(context.Background(), "user_x")
		var ae *clerk.APIErrorResponse
		if errors.As(err, &ae) && ae.HTTPStatusCode == http.StatusTooManyRequests {
			limited++
		}
	}
	if limited != 1 {
		t.Errorf("%d of %d calls limited, want 1", limited, DefaultRateLimit+1)
	}
}

func TestFaults(t *testing.T) {
	ctx := context.Background()
	s := startEmu(t, Options{})
	users := user.NewClient(config(s))
	u, _ := s.CreateUser(UserParams{EmailAddresses: []string{"f@example.com"}})
	const route = "GET /users/{id}"

	tests := []struct {
		name  string
		route string
		fault Fault
		check func(t *testing.T, err error)
	}{
		{"clerk-shaped 503", route, Fault{Status: 503}, func(t *testing.T, err error) {
			apiErr(t, err, http.StatusServiceUnavailable, codeFaultInjected)
		}},
		{"non-JSON body", route, Fault{Status: 502, Body: "<html>bad gateway</html>"},
			func(t *testing.T, err error) {
				var ae *clerk.APIErrorResponse
				if err == nil || errors.As(err, &ae) {
					t.Errorf("err = %v, want a plain error", err)
				}
			}},
		{"all routes", AllRoutes, Fault{Status: 500}, func(t *testing.T, err error) {
			apiErr(t, err, http.StatusInternalServerError, codeFaultInjected)
		}},
		{"other route untouched", "GET /organizations/{id}", Fault{Status: 500},
			func(t *testing.T, err error) {
				if err != nil {
					t.Errorf("err = %v", err)
				}
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s.SetFault(tt.route, tt.fault)
			_, err := users.Get(ctx, u.ID)
			tt.check(t, err)

			s.ClearFaults()
			if _, err := users.Get(ctx, u.ID); err != nil {
				t.Errorf("after ClearFaults: %v", err)
			}
		})
	}
}

func TestFaultTimesAndDelay(t *testing.T) {
	s := startEmu(t, Options{})
	users := user.NewClient(config(s))
	u, _ := s.CreateUser(UserParams{EmailAddresses: []string{"f@example.com"}})

	s.SetFault("GET /users/{id}", Fault{Status: 500, Times: 2})
	var statuses []int
	for range 3 {
		_, err := users.Get(context.Background(), u.ID)
		status := 200
		var ae *clerk.APIErrorResponse
		if errors.As(err, &ae) {
			status = ae.HTTPStatusCode
		}
		statuses = append(statuses, status)
	}
	if statuses[0] != 500 || statuses[1] != 500 || statuses[2] != 200 {
		t.Errorf("statuses = %v, want [500 500 200]", statuses)
	}

	s.SetFault("GET /users/{id}", Fault{Delay: time.Second})
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if _, err := users.Get(ctx, u.ID); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("delayed call err = %v, want deadline exceeded", err)
	}
}

func TestAdminFaultEndpoint(t *testing.T) {
	s := startEmu(t, Options{})
	users := user.NewClient(config(s))
	admin := func(method, body string) int {
		req, _ := http.NewRequest(method, "http://"+s.Addr()+"/__emulator/faults",
			bytes.NewReader([]byte(body)))
		req.Header.Set("Authorization", "Bearer "+s.SecretKey())
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}

	if got := admin(http.MethodPut, `{"route":"GET /users/{id}","status":429}`); got != 200 {
		t.Fatalf("PUT faults = %d", got)
	}
	_, err := users.Get(context.Background(), "user_x")
	apiErr(t, err, http.StatusTooManyRequests, codeFaultInjected)

	if got := admin(http.MethodDelete, ""); got != 200 {
		t.Fatalf("DELETE faults = %d", got)
	}
	_, err = users.Get(context.Background(), "user_x")
	apiErr(t, err, http.StatusNotFound, codeNotFound)
}
