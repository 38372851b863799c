package invites

import (
	"context"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/portal-auth/portal-auth/lib/clock"
)

// Pacer spaces out calls to Clerk with a token bucket and stops them for as
// long as a 429 answer's Retry-After asks. It is safe for concurrent use.
//
// For a limit of n requests per window w the bucket holds n/10 tokens (at
// least one) and refills the rest over w, so no interval of length w ever
// sees more than n requests, whatever the phase of Clerk's own window.
type Pacer struct {
	now func() time.Time

	mu          sync.Mutex
	perSecond   float64 // 0 disables the bucket
	burst       float64
	tokens      float64
	last        time.Time
	pausedUntil time.Time
}

// NewPacer returns a pacer allowing requests per window; requests < 0 (or
// a non-positive window) disables the bucket but keeps honouring 429s.
func NewPacer(requests int, window time.Duration) *Pacer {
	p := &Pacer{now: time.Now}
	if requests < 0 || window <= 0 {
		return p
	}
	requests = max(requests, 2)
	p.burst = float64(max(1, requests/10))
	p.perSecond = (float64(requests) - p.burst) / window.Seconds()
	p.tokens = p.burst
	return p
}

// Wait blocks until the next request may be sent. It returns ctx's error if
// ctx ends first; the reserved slot is then lost, which only slows later
// calls.
func (p *Pacer) Wait(ctx context.Context) error {
	return clock.Sleep(ctx, p.reserve())
}

// reserve takes a token and returns how long the caller must wait before
// using it: until the bucket has refilled and any pause has ended.
func (p *Pacer) reserve() time.Duration {
	p.mu.Lock()
	defer p.mu.Unlock()
	now := p.now()
	var wait time.Duration
	if p.perSecond > 0 {
		if !p.last.IsZero() {
			p.tokens = min(p.burst, p.tokens+now.Sub(p.last).Seconds()*p.perSecond)
		}
		p.last = now
		p.tokens--
		if p.tokens < 0 {
			wait = time.Duration(-p.tokens / p.perSecond * float64(time.Second))
		}
	}
	return max(wait, p.pausedUntil.Sub(now))
}

// Pause stops requests for d from now, unless a longer pause is on.
func (p *Pacer) Pause(d time.Duration) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if until := p.now().Add(d); until.After(p.pausedUntil) {
		p.pausedUntil = until
	}
}

// PausedUntil returns when the current pause ends; a time in the past
// means requests may be sent.
func (p *Pacer) PausedUntil() time.Time {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.pausedUntil
}

// Transport returns a RoundTripper that waits for the pacer before each
// request and pauses it when next answers 429. next nil means
// http.DefaultTransport.
func (p *Pacer) Transport(next http.RoundTripper) http.RoundTripper {
	if next == nil {
		next = http.DefaultTransport
	}
	return &pacedTransport{pacer: p, next: next}
}

type pacedTransport struct {
	pacer *Pacer
	next  http.RoundTripper
}

func (t *pacedTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if err := t.pacer.Wait(req.Context()); err != nil {
		if req.Body != nil {
			_ = req.Body.Close()
		}
		return nil, err
	}
	resp, err := t.next.RoundTrip(req)
	if err == nil && resp.StatusCode == http.StatusTooManyRequests {
		t.pacer.Pause(retryAfter(resp.Header, t.pacer.now()))
	}
	return resp, err
}

// retryAfter reads a Retry-After header in seconds or as an HTTP date. A
// 429 always pauses for at least a second, also when the header is missing
// or unreadable.
func retryAfter(h http.Header, now time.Time) time.Duration {
	v := h.Get("Retry-After")
	if s, err := strconv.Atoi(v); err == nil && s >= 0 {
		return max(time.Duration(s)*time.Second, time.Second)
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(t.Sub(now), time.Second)
	}
	return time.Second
}
