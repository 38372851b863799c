package replay_test

import (
	"context"
	"errors"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/portal-auth/portal-auth/lib/replay"
)

func TestReplayByIDAppliesAndMarksOriginal(t *testing.T) {
	e := newEnv(t)
	e.storeRejected("msg_fixed", userCreated("user_fixed"), time.Now().Add(-time.Hour))

	res := e.one(e.replayer().Run(context.Background(), replay.Selection{SvixID: "msg_fixed"}))

	want := replay.Result{SvixID: "msg_fixed", EventType: "user.created",
		ReplayID: "replay_msg_fixed", Outcome: replay.Replayed,
		Answer: replay.Answer{HTTPStatus: http.StatusOK, Status: "processed"}}
	if diff := cmp.Diff(want, res); diff != "" {
		t.Errorf("result (-want +got):\n%s", diff)
	}
	if n := e.count(`SELECT count(*) FROM users WHERE id = 'user_fixed'`); n != 1 {
		t.Errorf("user rows = %d, want 1", n)
	}
	if n := e.count(`SELECT count(*) FROM audit_events
		WHERE svix_id = 'replay_msg_fixed' AND action = 'user.created'`); n != 1 {
		t.Errorf("audit rows under the replay id = %d, want 1", n)
	}
	if got := e.status("msg_fixed"); got != "replayed" {
		t.Errorf("original status = %q, want replayed", got)
	}
	if got := e.status("replay_msg_fixed"); got != "processed" {
		t.Errorf("replay status = %q, want processed", got)
	}
}

func TestReplayTwiceAppliesOnce(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.storeRejected("msg_twice", userCreated("user_twice"), time.Now().Add(-time.Hour))
	sel := replay.Selection{SvixID: "msg_twice"}
	if res := e.one(e.replayer().Run(ctx, sel)); res.Outcome != replay.Replayed {
		t.Fatalf("first replay: %+v", res)
	}
	sent := e.requests.Load()

	// The original is marked: nothing is sent again.
	if res := e.one(e.replayer().Run(ctx, sel)); res.Outcome != replay.AlreadyReplayed {
		t.Errorf("second replay outcome = %q, want %q", res.Outcome, replay.AlreadyReplayed)
	}
	if e.requests.Load() != sent {
		t.Error("an already replayed delivery was sent again")
	}

	// A crash between the answer and the marking leaves the original
	// rejected; replaying again must still not apply the event twice.
	if _, err := e.pool.Exec(ctx, `UPDATE webhook_deliveries SET status = 'rejected'
		WHERE svix_id = 'msg_twice'`); err != nil {
		t.Fatal(err)
	}
	res := e.one(e.replayer().Run(ctx, sel))
	if res.Outcome != replay.Replayed || res.ReplayID != "replay_msg_twice" {
		t.Errorf("replay after a lost mark: %+v", res)
	}
	if n := e.applications("user_twice"); n != 1 {
		t.Errorf("the event was applied %d times, want once", n)
	}
	if got := e.status("msg_twice"); got != "replayed" {
		t.Errorf("original status = %q, want replayed", got)
	}
}

func TestConcurrentReplaysApplyOnce(t *testing.T) {
	e := newEnv(t)
	e.storeRejected("msg_race", userCreated("user_race"), time.Now().Add(-time.Hour))

	var wg sync.WaitGroup
	results := make([]replay.Result, 4)
	for i := range results {
		wg.Go(func() {
			res, err := e.replayer().Run(context.Background(), replay.Selection{SvixID: "msg_race"})
			if err != nil || len(res) != 1 {
				t.Errorf("run %d: %v %+v", i, err, res)
				return
			}
			results[i] = res[0]
		})
	}
	wg.Wait()

	for i, res := range results {
		if res.Outcome != replay.Replayed && res.Outcome != replay.AlreadyReplayed {
			t.Errorf("run %d: %+v", i, res)
		}
	}
	if n := e.applications("user_race"); n != 1 {
		t.Errorf("the event was applied %d times, want once", n)
	}
}

func TestReplayAnsweredDuplicateUsesTheRecordedStatus(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.storeRejected("msg_dup_ok", userCreated("user_dup_ok"), time.Now().Add(-time.Hour))
	e.storeRejected("msg_dup_bad", undecodable(), time.Now().Add(-time.Hour))
	e.racer.Store(true)

	ok := e.one(e.replayer().Run(ctx, replay.Selection{SvixID: "msg_dup_ok"}))
	if ok.Answer.Status != "duplicate" || ok.Outcome != replay.Replayed {
		t.Errorf("duplicate of an applied replay: %+v", ok)
	}
	if got := e.status("msg_dup_ok"); got != "replayed" {
		t.Errorf("original status = %q, want replayed", got)
	}
	if n := e.applications("user_dup_ok"); n != 1 {
		t.Errorf("the event was applied %d times, want once", n)
	}

	bad := e.one(e.replayer().Run(ctx, replay.Selection{SvixID: "msg_dup_bad"}))
	if bad.Answer.Status != "duplicate" || bad.Outcome != replay.StillRejected {
		t.Errorf("duplicate of a rejected replay: %+v", bad)
	}
	if got := e.status("msg_dup_bad"); got != "rejected" {
		t.Errorf("original status = %q, want rejected", got)
	}
}

func TestReplayStillRejectedKeepsOriginalAndRetriesLater(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.storeRejected("msg_broken", undecodable(), time.Now().Add(-time.Hour))
	all := replay.Selection{Since: time.Now().Add(-24 * time.Hour)}

	res := e.one(e.replayer().Run(ctx, all))
	if res.Outcome != replay.StillRejected || res.Answer.Status != "rejected" {
		t.Fatalf("replay of an undecodable body: %+v", res)
	}
	if got := e.status("msg_broken"); got != "rejected" {
		t.Errorf("original status = %q, want it still rejected", got)
	}

	// The fix arrives (simulated by making the stored body decodable). The
	// range selects the original again, not the rejected replay row, and
	// the next attempt gets the next id.
	if _, err := e.pool.Exec(ctx, `UPDATE webhook_deliveries SET payload = $1
		WHERE svix_id = 'msg_broken'`, userCreated("user_broken")); err != nil {
		t.Fatal(err)
	}
	res = e.one(e.replayer().Run(ctx, all))
	if res.Outcome != replay.Replayed || res.ReplayID != "replay_msg_broken.2" {
		t.Errorf("replay after the fix: %+v", res)
	}
	if n := e.applications("user_broken"); n != 1 {
		t.Errorf("the event was applied %d times, want once", n)
	}
	if got := e.status("msg_broken"); got != "replayed" {
		t.Errorf("original status = %q, want replayed", got)
	}
}

func TestReplaySelectsByTimeRange(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	now := time.Now()
	e.storeRejected("msg_3h", userCreated("user_3h"), now.Add(-3*time.Hour))
	e.storeRejected("msg_2h", userCreated("user_2h"), now.Add(-2*time.Hour))
	e.storeRejected("msg_30m", userCreated("user_30m"), now.Add(-30*time.Minute))
	if _, err := e.pool.Exec(ctx, `INSERT INTO webhook_deliveries (svix_id, status, received_at)
		VALUES ('msg_done', 'processed', $1)`, now.Add(-2*time.Hour)); err != nil {
		t.Fatal(err)
	}

	results, err := e.replayer().Run(ctx, replay.Selection{
		Since: now.Add(-150 * time.Minute), Until: now.Add(-time.Hour)})
	if got, want := e.ids(results, err), []string{"msg_2h"}; !cmp.Equal(got, want) {
		t.Errorf("replayed %v, want %v", got, want)
	}
	if e.applications("user_3h")+e.applications("user_30m") != 0 {
		t.Error("a delivery outside the range was applied")
	}

	results, err = e.replayer().Run(ctx, replay.Selection{Since: now.Add(-4 * time.Hour)})
	if got, want := e.ids(results, err), []string{"msg_3h", "msg_30m"}; !cmp.Equal(got, want) {
		t.Errorf("replayed %v, want %v (oldest first, the replayed one left out)", got, want)
	}
	results, err = e.replayer().Run(ctx, replay.Selection{Until: now})
	if got := e.ids(results, err); len(got) != 0 {
		t.Errorf("nothing is left to replay, but %v were selected", got)
	}
}

// ids returns the svix-ids of results that were replayed now.
func (e *env) ids(results []replay.Result, err error) []string {
	e.t.Helper()
	if err != nil {
		e.t.Fatalf("run: %v", err)
	}
	out := []string{}
	for _, r := range results {
		if r.Outcome != replay.Replayed {
			e.t.Errorf("%s: %+v", r.SvixID, r)
		}
		out = append(out, r.SvixID)
	}
	return out
}

func TestReplayRefusals(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.storeRejected("msg_dropped", nil, time.Now())

	if _, err := e.replayer().Run(ctx, replay.Selection{SvixID: "msg_unknown"}); !errors.Is(err,
		replay.ErrNotFound) {
		t.Errorf("unknown id: %v, want ErrNotFound", err)
	}
	if _, err := e.replayer().Run(ctx, replay.Selection{}); err == nil {
		t.Error("an empty selection was accepted")
	}
	now := time.Now()
	if _, err := e.replayer().Run(ctx, replay.Selection{Since: now, Until: now}); err == nil {
		t.Error("an empty time range was accepted")
	}
	if _, err := e.replayer().Run(ctx, replay.Selection{SvixID: "replay_msg_x"}); err == nil {
		t.Error("replaying a replay was accepted")
	}
	res := e.one(e.replayer().Run(ctx, replay.Selection{SvixID: "msg_dropped"}))
	if res.Outcome != replay.NoPayload || e.requests.Load() != 0 {
		t.Errorf("dropped payload: %+v, %d requests", res, e.requests.Load())
	}
}

func TestParseWhen(t *testing.T) {
	now := time.Date(2025, 10, 6, 12, 0, 0, 0, time.UTC)
	for _, tt := range []struct {
		in   string
		want time.Time
	}{
		{"", time.Time{}},
		{"24h", now.Add(-24 * time.Hour)},
		{"90m", now.Add(-90 * time.Minute)},
		{"2025-10-05T08:30:00+10:00", time.Date(2025, 10, 4, 22, 30, 0, 0, time.UTC)},
	} {
		got, err := replay.ParseWhen(tt.in, now)
		if err != nil || !got.Equal(tt.want) {
			t.Errorf("ParseWhen(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
		}
	}
	for _, bad := range []string{"yesterday", "-1h", "2025-10-05"} {
		if _, err := replay.ParseWhen(bad, now); err == nil {
			t.Errorf("ParseWhen(%q) accepted", bad)
		}
	}
}
