// Package invites is the hourly invitation cleanup: it expires stale
// organization and application invitations and revokes them in Clerk,
// drains the outbox of Clerk side effects, and applies the retention rules
// to webhook payloads and ended sessions.
//
// A run works within a time budget and leaves what it could not finish to
// the next run. Overlapping runs share the work instead of repeating it:
// every batch claims its rows with FOR UPDATE SKIP LOCKED, so no row is
// processed twice, and no session-level lock is ever taken.
package invites

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/portal-auth/portal-auth/lib/clerkapi"
	"github.com/portal-auth/portal-auth/lib/clock"
)

// Cleaner runs the cleanup against one database and one Clerk instance.
type Cleaner struct {
	pool     *pgxpool.Pool
	clerk    *clerkapi.Client
	pacer    *Pacer
	logger   *slog.Logger
	now      func() time.Time
	settings Settings
}

// Clerk says where the Backend API is and how to authenticate.
type Clerk struct {
	// APIURL is the Backend API base URL, ending in /v1.
	APIURL string
	// SecretKey is the Backend API secret key.
	SecretKey string
	// Transport, when set, carries the requests (tests count them with it).
	Transport http.RoundTripper
}

// New returns a Cleaner. Its Clerk client is its own, built on a paced
// transport so that every Clerk request of a run, retries and read-backs
// included, is counted against Settings.ClerkRequests. now is the clock that
// decides staleness and retention (nil means time.Now); budgets are always
// measured on the real clock. A nil logger discards.
func New(pool *pgxpool.Pool, ck Clerk, logger *slog.Logger, now func() time.Time,
	s Settings) *Cleaner {
	s = s.withDefaults()
	if now == nil {
		now = time.Now
	}
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	pacer := NewPacer(s.ClerkRequests, s.ClerkWindow)
	httpClient := &http.Client{Timeout: s.CallTimeout, Transport: pacer.Transport(ck.Transport)}
	return &Cleaner{
		pool:     pool,
		clerk:    clerkapi.New(ck.APIURL, ck.SecretKey, httpClient),
		pacer:    pacer,
		logger:   logger,
		now:      now,
		settings: s,
	}
}

// Result counts what one run did; it is the cron's JSON answer.
type Result struct {
	// Expired counts invitations moved from pending to expired.
	Expired int `json:"expired"`
	// Revoked counts invitations revoked in Clerk, whichever run expired them.
	Revoked int `json:"revoked"`
	// ActionsDone, ActionsRescheduled and ActionsDead count the outcomes of
	// the outbox actions attempted, the revocations above included.
	ActionsDone        int `json:"actions_done"`
	ActionsRescheduled int `json:"actions_rescheduled"`
	ActionsDead        int `json:"actions_dead"`
	// PayloadsPurged counts webhook payloads dropped by retention.
	PayloadsPurged int `json:"payloads_purged"`
	// SessionsPurged counts ended sessions deleted by retention.
	SessionsPurged int `json:"sessions_purged"`
	// Remaining is the work known to be left for later runs: stale
	// organization invitations, pending outbox actions (due or backing
	// off), rows past retention and unread application invitations.
	Remaining int `json:"remaining"`
	// DurationMS is the run's wall-clock time.
	DurationMS int64 `json:"duration_ms"`

	// ApplicationSynced counts application invitations read from Clerk.
	ApplicationSynced int `json:"application_synced"`
	// Reconciled counts application invitations that left Clerk's pending
	// list and took the status Clerk holds (accepted, revoked, expired).
	Reconciled int `json:"reconciled"`
	// RateLimited is set when Clerk answered 429 during the run.
	RateLimited bool `json:"rate_limited,omitempty"`
	// Complete is false when work is left or a step could not finish.
	Complete bool `json:"complete"`
}

// run is the state of one Run: its deadlines and what it has counted.
type run struct {
	*Cleaner
	now     time.Time // the business clock at the start of the run
	softEnd time.Time // no new work starts after this
	res     Result
	partial bool // work of unknown size may be left (Clerk's list was not read)
	appLeft int  // application invitations Clerk listed beyond what was read
	// listed holds the ids of Clerk's pending application invitations read
	// so far in this run.
	listed []string
}

// Run does one cleanup pass within Settings.Budget and returns its counts.
// It returns an error only for a database failure (check it with
// store.IsUnavailable); Clerk failures are counted, logged and retried by
// the outbox.
func (c *Cleaner) Run(ctx context.Context) (Result, error) {
	start := time.Now()
	ctx, cancel := context.WithDeadline(ctx, start.Add(c.settings.Budget+c.settings.Grace))
	defer cancel()
	r := &run{Cleaner: c, now: c.now().UTC(), softEnd: start.Add(c.settings.Budget)}

	err := r.steps(ctx)
	r.res.DurationMS = time.Since(start).Milliseconds()
	if err != nil {
		return r.res, err
	}
	r.res.Complete = r.res.Remaining == 0 && !r.partial
	return r.res, nil
}

// steps runs the database-only steps first, so that a long Clerk backlog
// cannot starve them, then the steps that call Clerk.
func (r *run) steps(ctx context.Context) error {
	if err := r.expireOrganizationInvitations(ctx); err != nil {
		return err
	}
	if err := r.purgePayloads(ctx); err != nil {
		return err
	}
	if err := r.purgeSessions(ctx); err != nil {
		return err
	}
	if err := r.syncApplicationInvitations(ctx); err != nil {
		return err
	}
	if err := r.drainOutbox(ctx); err != nil {
		return err
	}
	return r.countRemaining(ctx)
}

// timeLeft reports whether the budget allows starting more work.
func (r *run) timeLeft() bool { return time.Now().Before(r.softEnd) }

// clerkAvailable reports whether Clerk may be called now, waiting out a
// 429 pause that ends within the budget.
func (r *run) clerkAvailable(ctx context.Context) bool {
	until := r.pacer.PausedUntil()
	if !until.After(time.Now()) {
		return true
	}
	r.res.RateLimited = true
	if until.After(r.softEnd) {
		return false
	}
	return clock.Sleep(ctx, time.Until(until)) == nil
}

// countRemaining counts the work known to be left: stale organization
// invitations, pending outbox actions (due now or after a backoff),
// payloads and sessions past retention, and application invitations Clerk
// listed that this run did not read.
func (r *run) countRemaining(ctx context.Context) error {
	s := r.settings
	var n int
	err := r.pool.QueryRow(ctx, `
		SELECT (SELECT count(*) FROM invitations
		         WHERE status = 'pending' AND kind = 'organization'
		           AND (expires_at < $1 OR clerk_created_at < $2))
		     + (SELECT count(*) FROM clerk_actions WHERE status = 'pending')
		     + (SELECT count(*) FROM webhook_deliveries
		         WHERE payload IS NOT NULL AND received_at < $3)
		     + (SELECT count(*) FROM sessions WHERE ended_at < $4)`,
		r.now, r.now.Add(-s.MaxAge), r.now.Add(-s.PayloadRetention),
		r.now.Add(-s.SessionRetention)).Scan(&n)
	if err != nil {
		return fmt.Errorf("count remaining work: %w", err)
	}
	r.res.Remaining = n + r.appLeft
	return nil
}
