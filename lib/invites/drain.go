package invites

import (
	"context"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/portal-auth/portal-auth/lib/outbox"
)

// drainOutbox carries out due clerk_actions (this run's revocations and
// anything left by earlier runs or webhooks) until none is due or the
// budget is spent. After a 429 it waits out Retry-After when that fits the
// budget and otherwise leaves the rest to the next run.
func (r *run) drainOutbox(ctx context.Context) error {
	batch, stop := context.WithCancel(ctx)
	defer stop()
	hardEnd, _ := ctx.Deadline()
	exec := &executor{
		inner: outbox.ClerkExecutor{Client: r.clerk}, end: hardEnd,
		softEnd: r.softEnd, stop: stop,
	}
	runner := &outbox.Runner{
		Pool:        r.pool,
		Executor:    exec,
		Logger:      r.logger,
		MaxAttempts: r.settings.MaxAttempts,
		Lease:       r.settings.Lease,
		BaseBackoff: r.settings.BaseBackoff,
	}
	defer func() { r.res.Revoked += int(exec.revoked.Load()) }()

	for r.timeLeft() && r.clerkAvailable(ctx) {
		res, err := runner.RunDue(batch, r.settings.ActionBatch)
		r.res.ActionsDone += res.Done
		r.res.ActionsRescheduled += res.Rescheduled
		r.res.ActionsDead += res.Dead
		if err != nil {
			return fmt.Errorf("drain clerk actions: %w", err)
		}
		if res.RateLimited {
			r.res.RateLimited = true
			continue
		}
		if res.Done+res.Rescheduled+res.Dead == 0 {
			return nil
		}
	}
	return nil
}

// executor carries out actions through Clerk and counts the invitation
// revocations that succeed.
//
// The budget ends a batch through stop, called after the call that crosses
// softEnd: the runner then gives the rest of its claimed actions back. The
// batch context is never cut while the runner claims or records, which
// would leave claimed rows leased but unattempted, and a call in flight
// may finish (within the hard deadline end) instead of counting as a
// failure.
type executor struct {
	inner   outbox.Executor
	end     time.Time
	softEnd time.Time
	stop    context.CancelFunc
	revoked atomic.Int64
}

// Execute runs a through the inner executor.
func (e *executor) Execute(ctx context.Context, a outbox.Action) error {
	defer func() {
		if !time.Now().Before(e.softEnd) {
			e.stop()
		}
	}()
	ctx = context.WithoutCancel(ctx)
	if !e.end.IsZero() {
		var cancel context.CancelFunc
		ctx, cancel = context.WithDeadline(ctx, e.end)
		defer cancel()
	}
	err := e.inner.Execute(ctx, a)
	if err == nil && (a.Kind == outbox.RevokeOrganizationInvitation ||
		a.Kind == outbox.RevokeApplicationInvitation) {
		e.revoked.Add(1)
	}
	return err
}
