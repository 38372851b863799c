package outbox_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/portal-auth/portal-auth/lib/outbox"
	"github.com/portal-auth/portal-auth/lib/pgtest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// recorder is an Executor that records calls and answers with fn. The
// runner's mechanics are tested here; the Clerk calls themselves are tested
// against the emulator in lib/webhook and lib/invites.
type recorder struct {
	mu    sync.Mutex
	calls map[string]int
	fn    func(ctx context.Context, a outbox.Action) error
}

func (r *recorder) Execute(ctx context.Context, a outbox.Action) error {
	r.mu.Lock()
	r.calls[a.TargetID]++
	r.mu.Unlock()
	if r.fn == nil {
		return nil
	}
	return r.fn(ctx, a)
}

func setup(t *testing.T, fn func(context.Context, outbox.Action) error) (*pgxpool.Pool, *outbox.Runner, *recorder) {
	t.Helper()
	pool := pgtest.NewPool(t)
	rec := &recorder{calls: map[string]int{}, fn: fn}
	runner := &outbox.Runner{Pool: pool, Executor: rec, MaxAttempts: 3,
		BaseBackoff: time.Millisecond, Logger: slog.New(slog.NewJSONHandler(io.Discard, nil))}
	return pool, runner, rec
}

func enqueue(t *testing.T, pool *pgxpool.Pool, targets ...string) []int64 {
	t.Helper()
	var actions []outbox.Action
	for _, target := range targets {
		actions = append(actions, outbox.Action{Kind: outbox.RevokeUserSessions, TargetID: target})
	}
	ids, err := outbox.Enqueue(context.Background(), pool, actions)
	if err != nil {
		t.Fatal(err)
	}
	return ids
}

func count(t *testing.T, pool *pgxpool.Pool, sql string) int {
	t.Helper()
	var n int
	if err := pool.QueryRow(context.Background(), sql).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestEnqueueDoesNotDuplicatePendingActions(t *testing.T) {
	pool, _, _ := setup(t, nil)
	first := enqueue(t, pool, "user_a")
	second := enqueue(t, pool, "user_a")
	if first[0] != second[0] || count(t, pool, `SELECT count(*) FROM clerk_actions`) != 1 {
		t.Errorf("pending action queued twice: %v %v", first, second)
	}
}

func TestConcurrentRunnersNeverTakeTheSameRow(t *testing.T) {
	pool, runner, rec := setup(t, func(context.Context, outbox.Action) error {
		time.Sleep(time.Millisecond)
		return nil
	})
	targets := make([]string, 200)
	for i := range targets {
		targets[i] = "user_" + string(rune('a'+i%26)) + string(rune('a'+i/26))
	}
	enqueue(t, pool, targets...)
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				res, err := runner.RunDue(context.Background(), 10)
				if err != nil {
					t.Error(err)
					return
				}
				if res.Done == 0 {
					return
				}
			}
		}()
	}
	wg.Wait()
	for target, n := range rec.calls {
		if n != 1 {
			t.Errorf("%s executed %d times", target, n)
		}
	}
	if len(rec.calls) != len(targets) {
		t.Errorf("executed %d of %d actions", len(rec.calls), len(targets))
	}
}

func TestFailingActionBacksOffThenDies(t *testing.T) {
	pool, runner, _ := setup(t, func(context.Context, outbox.Action) error {
		return errors.New("clerk said no")
	})
	enqueue(t, pool, "user_a")
	for attempt := 1; attempt <= 3; attempt++ {
		time.Sleep(time.Duration(1<<attempt) * time.Millisecond)
		if _, err := runner.RunDue(context.Background(), 10); err != nil {
			t.Fatal(err)
		}
	}
	if n := count(t, pool, `SELECT count(*) FROM clerk_actions WHERE status = 'dead'
		AND attempts = 3 AND last_error = 'clerk said no'`); n != 1 {
		t.Error("the action is not dead after 3 failed attempts")
	}
}

func TestCallCutByOurBudgetIsGivenBack(t *testing.T) {
	pool, runner, _ := setup(t, func(ctx context.Context, _ outbox.Action) error {
		<-ctx.Done()
		return ctx.Err()
	})
	ids := enqueue(t, pool, "user_a")
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if _, err := runner.RunIDs(ctx, ids); err != nil {
		t.Fatal(err)
	}
	if n := count(t, pool, `SELECT count(*) FROM clerk_actions WHERE status = 'pending'
		AND attempts = 0 AND last_error IS NULL AND next_attempt_at <= now()`); n != 1 {
		t.Error("a call cut by the caller's deadline used up an attempt or was delayed")
	}
}
