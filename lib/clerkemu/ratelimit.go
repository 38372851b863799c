package clerkemu

import (
	"sync"
	"time"
)

// rateLimiter is a fixed-window request counter, like the per-instance limit
// of Clerk's Backend API.
type rateLimiter struct {
	mu     sync.Mutex
	limit  int
	window time.Duration
	start  time.Time
	count  int
}

func newRateLimiter(limit int, window time.Duration) *rateLimiter {
	l := &rateLimiter{}
	l.set(limit, window)
	return l
}

// set changes the limit: zero means the default, negative disables it.
func (l *rateLimiter) set(limit int, window time.Duration) {
	if limit == 0 {
		limit = DefaultRateLimit
	}
	if window <= 0 {
		window = DefaultRateWindow
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	l.limit, l.window = limit, window
	l.start, l.count = time.Time{}, 0
}

// allow counts a request at now. When the window is full it returns false
// and how long until the window resets.
func (l *rateLimiter) allow(now time.Time) (bool, time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.limit < 0 {
		return true, 0
	}
	if now.Sub(l.start) >= l.window || now.Before(l.start) {
		l.start, l.count = now, 0
	}
	if l.count >= l.limit {
		return false, l.start.Add(l.window).Sub(now)
	}
	l.count++
	return true, 0
}

// SetRateLimit changes the Backend API rate limit at run time and starts a
// new window: limit requests per window; 0 restores the default (100 per
// 10 s) and a negative limit disables limiting.
func (e *Emulator) SetRateLimit(limit int, window time.Duration) {
	e.limiter.set(limit, window)
}
