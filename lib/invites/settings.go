package invites

import "time"

// Settings tunes a Cleaner. Zero fields take the value of DefaultSettings.
type Settings struct {
	// Budget is how long a run may start new work. It stays well under the
	// function's maxDuration (60 s) to leave room for Grace.
	Budget time.Duration
	// Grace is how long work started before the end of Budget may take to
	// finish: Budget+Grace bounds every database and Clerk call of a run.
	Grace time.Duration

	// MaxAge is the age (by Clerk's created_at) past which a pending
	// invitation is stale even if it has not reached its expires_at.
	MaxAge time.Duration
	// PayloadRetention is how long a webhook payload is kept.
	PayloadRetention time.Duration
	// SessionRetention is how long an ended session row is kept.
	SessionRetention time.Duration

	// BatchSize is the number of rows one statement expires or purges.
	BatchSize int
	// PageSize is the number of application invitations asked of Clerk per
	// page (Clerk allows 1 to 500).
	PageSize int
	// ActionBatch is the number of outbox actions claimed at a time.
	ActionBatch int

	// ClerkRequests per ClerkWindow bounds the rate of Clerk calls; a
	// negative ClerkRequests disables pacing.
	ClerkRequests int
	// ClerkWindow is the window of ClerkRequests.
	ClerkWindow time.Duration
	// CallTimeout bounds one Clerk HTTP request.
	CallTimeout time.Duration

	// MaxAttempts after which a failing outbox action is dead.
	MaxAttempts int
	// BaseBackoff is the delay after an action's first failure.
	BaseBackoff time.Duration
	// Lease is how long a claimed outbox action stays invisible to others.
	Lease time.Duration
}

// DefaultSettings returns the production settings. The pacer allows 90
// Clerk requests per 10 s: under the development instance's 100, with room
// for the webhook function's side effects.
func DefaultSettings() Settings {
	return Settings{
		Budget:           45 * time.Second,
		Grace:            7 * time.Second,
		MaxAge:           168 * time.Hour,
		PayloadRetention: 30 * 24 * time.Hour,
		SessionRetention: 90 * 24 * time.Hour,
		BatchSize:        500,
		PageSize:         500,
		ActionBatch:      100,
		ClerkRequests:    90,
		ClerkWindow:      10 * time.Second,
		CallTimeout:      5 * time.Second,
		MaxAttempts:      8,
		BaseBackoff:      time.Minute,
		Lease:            2 * time.Minute,
	}
}

// withDefaults returns s with every zero field set from DefaultSettings.
func (s Settings) withDefaults() Settings {
	d := DefaultSettings()
	pick(&s.Budget, d.Budget)
	pick(&s.Grace, d.Grace)
	pick(&s.MaxAge, d.MaxAge)
	pick(&s.PayloadRetention, d.PayloadRetention)
	pick(&s.SessionRetention, d.SessionRetention)
	pick(&s.BatchSize, d.BatchSize)
	pick(&s.PageSize, d.PageSize)
	pick(&s.ActionBatch, d.ActionBatch)
	pick(&s.ClerkRequests, d.ClerkRequests)
	pick(&s.ClerkWindow, d.ClerkWindow)
	pick(&s.CallTimeout, d.CallTimeout)
	pick(&s.MaxAttempts, d.MaxAttempts)
	pick(&s.BaseBackoff, d.BaseBackoff)
	pick(&s.Lease, d.Lease)
	return s
}

func pick[T int | time.Duration](v *T, def T) {
	if *v == 0 {
		*v = def
	}
}
