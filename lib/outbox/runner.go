package outbox

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/portal-auth/portal-auth/lib/clerkapi"
)

// Executor carries out one action against Clerk.
type Executor interface {
	Execute(ctx context.Context, a Action) error
}

// Runner claims due actions, executes them and records the outcome.
type Runner struct {
	Pool     *pgxpool.Pool
	Executor Executor
	Logger   *slog.Logger
	// MaxAttempts after which a failing action is marked dead (default 8).
	MaxAttempts int
	// Lease is how long a claimed row stays invisible to other runners
	// (default 2 minutes).
	Lease time.Duration
	// BaseBackoff is the delay after the first failure, doubled after each
	// further one up to a day (default 1 minute).
	BaseBackoff time.Duration
}

// Result counts what a run did.
type Result struct {
	Done        int `json:"done"`
	Rescheduled int `json:"rescheduled"`
	Dead        int `json:"dead"`
	// RateLimited is set when Clerk answered 429; the run stopped calling it.
	RateLimited bool `json:"rate_limited,omitempty"`
}

// Add accumulates o into r.
func (r *Result) Add(o Result) {
	r.Done += o.Done
	r.Rescheduled += o.Rescheduled
	r.Dead += o.Dead
	r.RateLimited = r.RateLimited || o.RateLimited
}

// RunIDs claims the given actions if they are still due and executes them,
// stopping when ctx ends; what is left stays queued.
func (r *Runner) RunIDs(ctx context.Context, ids []int64) (Result, error) {
	if len(ids) == 0 {
		return Result{}, nil
	}
	return r.run(ctx, ids, len(ids))
}

// RunDue claims up to limit due actions and executes them.
func (r *Runner) RunDue(ctx context.Context, limit int) (Result, error) {
	return r.run(ctx, nil, limit)
}

func (r *Runner) run(ctx context.Context, ids []int64, limit int) (Result, error) {
	actions, err := r.claim(ctx, ids, limit)
	if err != nil {
		return Result{}, err
	}
	var res Result
	var outcomes []outcome
	for _, a := range actions {
		if ctx.Err() != nil || res.RateLimited {
			outcomes = append(outcomes, r.release(a))
			continue
		}
		o := r.execute(ctx, a)
		res.RateLimited = res.RateLimited || o.rateLimited
		outcomes = append(outcomes, o)
	}
	for _, o := range outcomes {
		res.count(o)
	}
	return res, r.record(context.WithoutCancel(ctx), outcomes)
}

func (r *Result) count(o outcome) {
	switch o.status {
	case "done":
		r.Done++
	case "dead":
		r.Dead++
	case "pending":
		if !o.released {
			r.Rescheduled++
		}
	}
}

// claim runs detached from the caller's cancellation (under its own
// deadline): a claim that committed while its caller gave up would lease
// rows that nobody then tries until the lease ends.
func (r *Runner) claim(ctx context.Context, ids []int64, limit int) ([]Action, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("claim clerk actions: %w", err)
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	rows, err := r.Pool.Query(ctx, `
		UPDATE clerk_actions c
		   SET next_attempt_at = now() + $3 * interval '1 millisecond',
		       attempts = c.attempts + 1, updated_at = now()
		  FROM (SELECT id FROM clerk_actions
		         WHERE status = 'pending' AND next_attempt_at <= now()
		           AND ($1::bigint[] IS NULL OR id = ANY($1))
		         ORDER BY next_attempt_at, id
		         LIMIT $2
		         FOR UPDATE SKIP LOCKED) due
		 WHERE c.id = due.id
		RETURNING c.id, c.kind, c.target_id, coalesce(c.parent_id, ''),
		          coalesce(c.svix_id, ''), c.attempts`,
		ids, limit, r.lease().Milliseconds())
	if err != nil {
		return nil, fmt.Errorf("claim clerk actions: %w", err)
	}
	actions, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (Action, error) {
		var a Action
		err := row.Scan(&a.ID, &a.Kind, &a.TargetID, &a.ParentID, &a.SvixID, &a.Attempts)
		return a, err
	})
	if err != nil {
		return nil, fmt.Errorf("claim clerk actions: %w", err)
	}
	return actions, nil
}

// outcome is what happened to one claimed action.
type outcome struct {
	id          int64
	status      string // done, pending or dead
	delay       time.Duration
	lastError   string
	rateLimited bool
	released    bool
}

func (r *Runner) execute(ctx context.Context, a Action) outcome {
	err := r.Executor.Execute(ctx, a)
	if err == nil {
		return outcome{id: a.ID, status: "done"}
	}
	if ctx.Err() != nil {
		// Our own budget ran out mid-call: not Clerk's failure, so the
		// attempt is given back instead of counted.
		return r.release(a)
	}
	o := outcome{id: a.ID, status: "pending", lastError: truncate(err.Error(), 500)}
	o.delay = r.backoff(a.Attempts)
	if wait, limited := clerkapi.RetryAfter(err); limited {
		o.rateLimited = true
		o.delay = max(o.delay, wait)
	}
	if a.Attempts >= r.maxAttempts() && !o.rateLimited {
		o.status = "dead"
		r.Logger.Error("clerk action dead", "action_id", a.ID, "kind", a.Kind,
			"attempts", a.Attempts, "err", o.lastError)
		return o
	}
	r.Logger.Warn("clerk action failed", "action_id", a.ID, "kind", a.Kind,
		"attempts", a.Attempts, "retry_in_ms", o.delay.Milliseconds(), "err", o.lastError)
	return o
}

// release gives a claimed but unattempted action back, due at once.
func (r *Runner) release(a Action) outcome {
	return outcome{id: a.ID, status: "pending", released: true}
}

func (r *Runner) record(ctx context.Context, outcomes []outcome) error {
	if len(outcomes) == 0 {
		return nil
	}
	var ids, delays []int64
	var statuses, lastErrors []string
	var released []bool
	for _, o := range outcomes {
		ids = append(ids, o.id)
		statuses = append(statuses, o.status)
		delays = append(delays, o.delay.Milliseconds())
		lastErrors = append(lastErrors, o.lastError)
		released = append(released, o.released)
	}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	_, err := r.Pool.Exec(ctx, `
		UPDATE clerk_actions c
		   SET status = o.status,
		       next_attempt_at = CASE WHEN o.status = 'pending'
		           THEN now() + o.delay_ms * interval '1 millisecond'
		           ELSE c.next_attempt_at END,
		       attempts = CASE WHEN o.released THEN c.attempts - 1 ELSE c.attempts END,
		       last_error = CASE WHEN o.released THEN c.last_error
		           ELSE nullif(o.last_error, '') END,
		       done_at = CASE WHEN o.status = 'pending' THEN NULL ELSE now() END,
		       updated_at = now()
		  FROM unnest($1::bigint[], $2::text[], $3::bigint[], $4::text[], $5::bool[])
		       AS o(id, status, delay_ms, last_error, released)
		 WHERE c.id = o.id`, ids, statuses, delays, lastErrors, released)
	if err != nil {
		return fmt.Errorf("record clerk action outcomes: %w", err)
	}
	return nil
}

func (r *Runner) backoff(attempts int) time.Duration {
	base := r.BaseBackoff
	if base <= 0 {
		base = time.Minute
	}
	d := base
	for i := 1; i < attempts && d < 24*time.Hour; i++ {
		d *= 2
	}
	return min(d, 24*time.Hour)
}

func (r *Runner) maxAttempts() int {
	if r.MaxAttempts > 0 {
		return r.MaxAttempts
	}
	return 8
}

func (r *Runner) lease() time.Duration {
	if r.Lease > 0 {
		return r.Lease
	}
	return 2 * time.Minute
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}

// ClerkExecutor executes actions through the Backend API.
type ClerkExecutor struct{ Client *clerkapi.Client }

// Execute performs a's revocation; an unknown kind is an error.
func (e ClerkExecutor) Execute(ctx context.Context, a Action) error {
	switch a.Kind {
	case RevokeUserSessions:
		return e.Client.RevokeUserSessions(ctx, a.TargetID)
	case RevokeSession:
		return e.Client.RevokeSession(ctx, a.TargetID)
	case RevokeOrganizationInvitation:
		return e.Client.RevokeOrganizationInvitation(ctx, a.ParentID, a.TargetID)
	case RevokeApplicationInvitation:
		return e.Client.RevokeApplicationInvitation(ctx, a.TargetID)
	}
	return errors.New("unknown clerk action kind " + string(a.Kind))
}
