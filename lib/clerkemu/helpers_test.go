package clerkemu

import (
	"crypto/rand"
	"crypto/rsa"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/clerk/clerk-sdk-go/v2"
)

var (
	testKeyOnce sync.Once
	testKey     *rsa.PrivateKey
)

// sharedKey returns one RSA key for the whole test run; generating a key per
// emulator would dominate the run time.
func sharedKey(t *testing.T) *rsa.PrivateKey {
	t.Helper()
	testKeyOnce.Do(func() {
		var err error
		testKey, err = rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			panic(err)
		}
	})
	return testKey
}

// startEmu starts an emulator on loopback with rate limiting off and a fast
// retry schedule unless opts says otherwise.
func startEmu(t *testing.T, opts Options) *Server {
	t.Helper()
	if opts.SigningKey == nil {
		opts.SigningKey = sharedKey(t)
	}
	if opts.RateLimit == 0 {
		opts.RateLimit = -1
	}
	if opts.RetrySchedule == nil {
		opts.RetrySchedule = []time.Duration{0, 5 * time.Millisecond, 10 * time.Millisecond}
	}
	s, err := Start("", opts)
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return s
}

// config returns an SDK client configuration aimed at s.
func config(s *Server) *clerk.ClientConfig {
	url, key := s.URL(), s.SecretKey()
	return &clerk.ClientConfig{BackendConfig: clerk.BackendConfig{URL: &url, Key: &key}}
}

// apiErr asserts err is a Clerk API error with the given status and code.
func apiErr(t *testing.T, err error, status int, code string) *clerk.APIErrorResponse {
	t.Helper()
	var ae *clerk.APIErrorResponse
	if !errors.As(err, &ae) {
		t.Fatalf("error %v (%T) is not *clerk.APIErrorResponse", err, err)
	}
	if ae.HTTPStatusCode != status {
		t.Errorf("status = %d, want %d", ae.HTTPStatusCode, status)
	}
	if len(ae.Errors) != 1 || (code != "" && ae.Errors[0].Code != code) {
		t.Errorf("errors = %+v, want one with code %q", ae.Errors, code)
	}
	if ae.TraceID == "" {
		t.Error("clerk_trace_id is empty")
	}
	return ae
}

// stepClock is a clock that moves one second forward on every reading, so
// successive webhook attempts carry distinct svix-timestamps.
type stepClock struct {
	base time.Time
	n    atomic.Int64
}

func (c *stepClock) Now() time.Time {
	return c.base.Add(time.Duration(c.n.Add(1)) * time.Second)
}

// manualClock is a clock tests move by hand.
type manualClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *manualClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *manualClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// delivery is one webhook request a receiver got.
type delivery struct {
	Header http.Header
	Body   []byte
}

// receiver is a webhook endpoint that answers with the next status of its
// script (then 204) and records every request.
type receiver struct {
	*httptest.Server
	mu       sync.Mutex
	statuses []int
	got      []delivery
}

func newReceiver(t *testing.T, statuses ...int) *receiver {
	t.Helper()
	rc := &receiver{statuses: statuses}
	rc.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		rc.mu.Lock()
		rc.got = append(rc.got, delivery{Header: r.Header.Clone(), Body: body})
		status := http.StatusNoContent
		if len(rc.statuses) > 0 {
			status, rc.statuses = rc.statuses[0], rc.statuses[1:]
		}
		rc.mu.Unlock()
		w.WriteHeader(status)
	}))
	t.Cleanup(rc.Close)
	return rc
}

func (rc *receiver) deliveries() []delivery {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return append([]delivery(nil), rc.got...)
}
