// Package replay re-applies webhook deliveries that were stored as rejected
// (a correctly signed body the decoder could not read), once the decoder is
// fixed, and sends local event files to a webhook URL for debugging.
//
// A delivery is replayed over HTTP through the deployed webhook function,
// so the fixed decoder is the one that runs, and every check (signature,
// exactly-once, ordering, audit) applies as for a delivery from Clerk. The
// stored raw payload is re-sent, freshly signed with the configured
// secret, under a new message id derived from the original:
// replay_<svix-id> (then replay_<svix-id>.2, .3, ... when a replay itself
// comes back rejected, i.e. the fix is not deployed yet). The original
// id cannot be reused: its row already exists, so the function would
// answer "duplicate". Because the new id is deterministic, replaying the
// same delivery twice, or from two terminals at once, sends the same id
// and the function applies it once. The audit rows of a replay carry the
// replay id, which names the original.
//
// The original row is marked 'replayed' once a replay was answered
// processed or ignored (or a duplicate of an earlier replay that was);
// until then it stays 'rejected' and is selected again by a time range.
package replay

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
)

const dbTimeout = 10 * time.Second

// ErrNotFound is returned when no delivery has the requested svix-id.
var ErrNotFound = errors.New("no such delivery")

// Outcome is what became of one selected delivery.
type Outcome string

// The outcomes.
const (
	// Replayed: the payload is applied now; the original is marked replayed.
	Replayed Outcome = "replayed"
	// StillRejected: the function could still not decode the payload.
	StillRejected Outcome = "still_rejected"
	// Failed: no usable answer (network, 4xx/5xx); try again later.
	Failed Outcome = "failed"
	// AlreadyReplayed: the delivery was replayed before; nothing was sent.
	AlreadyReplayed Outcome = "already_replayed"
	// NotRejected: the delivery was processed or ignored; nothing to do.
	NotRejected Outcome = "not_rejected"
	// NoPayload: the raw body was dropped by retention; it cannot be replayed.
	NoPayload Outcome = "no_payload"
)

// Problem reports whether the outcome leaves a rejected delivery unapplied.
func (o Outcome) Problem() bool {
	return o == StillRejected || o == Failed || o == NoPayload
}

// Selection chooses deliveries: one by SvixID, or every rejected delivery
// received in [Since, Until) (a zero bound is open).
type Selection struct {
	SvixID       string
	Since, Until time.Time
}

// Result is the report on one delivery.
type Result struct {
	SvixID    string
	EventType string
	// ReplayID is the message id sent (or found applied earlier).
	ReplayID string
	// Answer is the function's reply; zero when nothing was sent.
	Answer  Answer
	Outcome Outcome
	// Err says why the outcome is Failed.
	Err error
}

// Replayer replays stored deliveries through a Sender.
type Replayer struct {
	pool   *pgxpool.Pool
	sender *Sender
	log    *slog.Logger
}

// New returns a Replayer reading webhook_deliveries from pool; logger nil
// discards.
func New(pool *pgxpool.Pool, sender *Sender, logger *slog.Logger) *Replayer {
	if logger == nil {
		logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	return &Replayer{pool: pool, sender: sender, log: logger}
}

// Run replays the selected deliveries in the order they were received and
// reports on each. It returns an error when the selection is empty or an
// empty range, the svix-id is unknown (ErrNotFound) or names a replay, or
// the database fails; a failure of one delivery is in its Result.
func (r *Replayer) Run(ctx context.Context, sel Selection) ([]Result, error) {
	if sel.SvixID == "" && sel.Since.IsZero() && sel.Until.IsZero() {
		return nil, errors.New("replay: select a svix-id or a time range")
	}
	if !sel.Since.IsZero() && !sel.Until.IsZero() && !sel.Since.Before(sel.Until) {
		return nil, errors.New("replay: the start of the time range is not before its end")
	}
	if strings.HasPrefix(sel.SvixID, IDPrefix) {
		return nil, fmt.Errorf("replay: %s is itself a replay; replay the original", sel.SvixID)
	}
	rows, err := r.selectRows(ctx, sel)
	if err != nil {
		return nil, err
	}
	results := make([]Result, 0, len(rows))
	for _, x := range rows {
		res, err := r.replayOne(ctx, x)
		if err != nil {
			return results, fmt.Errorf("replay %s: %w", x.svixID, err)
		}
		r.log.InfoContext(ctx, "replay delivery", "svix_id", res.SvixID,
			"replay_id", res.ReplayID, "event_type", res.EventType,
			"outcome", string(res.Outcome), "status", res.Answer.HTTPStatus)
		results = append(results, res)
	}
	return results, nil
}

// replayOne replays one delivery. The error is a database failure; a
// delivery that could not be sent is reported as Failed.
func (r *Replayer) replayOne(ctx context.Context, x row) (Result, error) {
	res := Result{SvixID: x.svixID, EventType: x.eventType}
	switch x.status {
	case "replayed":
		res.Outcome = AlreadyReplayed
		return res, nil
	case "rejected":
	default:
		res.Outcome = NotRejected
		return res, nil
	}

	// An earlier replay may have been applied without the original being
	// marked (a crash in between): mark it now and send nothing.
	earlier, err := r.attempts(ctx, x.svixID)
	if err != nil {
		return res, err
	}
	for i, status := range earlier {
		if applied(status) {
			res.ReplayID, res.Outcome = ReplayID(x.svixID, i+1), Replayed
			return res, r.markReplayed(ctx, x.svixID)
		}
	}
	if len(earlier) >= MaxAttempts {
		res.Outcome, res.Err = Failed, fmt.Errorf("%d replays were rejected", len(earlier))
		return res, nil
	}
	res.ReplayID = ReplayID(x.svixID, len(earlier)+1)
	return r.send(ctx, res)
}

// send posts the stored payload under res.ReplayID and records the outcome.
func (r *Replayer) send(ctx context.Context, res Result) (Result, error) {
	body, err := r.payload(ctx, res.SvixID)
	if err != nil {
		return res, err
	}
	if body == nil {
		res.Outcome = NoPayload
		return res, nil
	}
	res.Answer, res.Err = r.sender.Send(ctx, res.ReplayID, body)
	if res.Err != nil || !res.Answer.OK() {
		res.Outcome = Failed
		return res, nil
	}

	status := res.Answer.Status
	if status == "duplicate" {
		// Another run sent this id first: its recorded status decides.
		if status, err = r.status(ctx, res.ReplayID); err != nil {
			return res, err
		}
	}
	switch {
	case applied(status):
		res.Outcome = Replayed
		return res, r.markReplayed(ctx, res.SvixID)
	case status == "rejected":
		res.Outcome = StillRejected
	case status == "":
		res.Outcome, res.Err = Failed, errors.New("answered duplicate, but the database has "+
			"no row for it: do the URL and the database belong to the same deployment?")
	default:
		res.Outcome, res.Err = Failed, fmt.Errorf("unexpected answer %q", status)
	}
	return res, nil
}

// applied reports a delivery status meaning the event took effect (or was
// of a type the portal does not use).
func applied(status string) bool { return status == "processed" || status == "ignored" }

// ParseWhen reads a time given on the command line: RFC 3339, or a
// duration before now such as 24h. An empty string is the zero time (an
// open bound).
func ParseWhen(s string, now time.Time) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d < 0 {
		return time.Time{}, fmt.Errorf("%q is neither an RFC 3339 time nor a duration ago", s)
	}
	return now.Add(-d), nil
}
