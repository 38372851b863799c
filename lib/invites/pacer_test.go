package invites

import (
	"net/http"
	"testing"
	"time"
)

func TestPacerNeverExceedsLimitInAnyWindow(t *testing.T) {
	for _, limit := range []int{2, 10, 90, 100, 1000} {
		window := 10 * time.Second
		now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
		p := NewPacer(limit, window)
		p.now = func() time.Time { return now }

		// A greedy caller sends each request as soon as it may.
		var sent []time.Time
		for range 5 * limit {
			now = now.Add(p.reserve())
			sent = append(sent, now)
		}

		for i := range sent {
			n := 0
			for j := i; j < len(sent) && sent[j].Sub(sent[i]) < window; j++ {
				n++
			}
			if n > limit {
				t.Fatalf("limit %d: %d requests in the window starting at request %d", limit, n, i)
			}
		}
		// The sustained rate is 90% of the limit: a tenth is the burst.
		if span := sent[len(sent)-1].Sub(sent[0]); limit >= 10 && span > 6*window {
			t.Errorf("limit %d: %d requests took %v, pacing far below the limit",
				limit, len(sent), span)
		}
	}
}

func TestPacerPauseDelaysRequests(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	p := NewPacer(-1, 0)
	p.now = func() time.Time { return now }
	if d := p.reserve(); d != 0 {
		t.Fatalf("unpaced, unpaused wait = %v, want 0", d)
	}
	p.Pause(30 * time.Second)
	p.Pause(5 * time.Second) // a shorter pause does not shorten it
	if d := p.reserve(); d != 30*time.Second {
		t.Errorf("wait = %v, want 30s", d)
	}
}

func TestRetryAfter(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		header string
		want   time.Duration
	}{
		{"7", 7 * time.Second},
		{"0", time.Second},
		{"", time.Second},
		{"soon", time.Second},
		{now.Add(20 * time.Second).Format(http.TimeFormat), 20 * time.Second},
	}
	for _, tt := range tests {
		h := http.Header{}
		if tt.header != "" {
			h.Set("Retry-After", tt.header)
		}
		if got := retryAfter(h, now); got != tt.want {
			t.Errorf("retryAfter(%q) = %v, want %v", tt.header, got, tt.want)
		}
	}
}
