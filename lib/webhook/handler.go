// Package webhook receives Clerk's Svix-signed webhooks and applies each
// event to Postgres exactly once, with its audit row, in one transaction.
//
// The raw body is verified before it is decoded. The delivery's svix-id is
// the idempotency key: its webhook_deliveries row is written in the same
// transaction as the event's effect, so a repeated or concurrent copy
// changes nothing. Events carry Clerk's updated_at, and a change applies only
// when it is not older than the stored state, so deliveries may arrive in any
// order. Forced logouts are queued in clerk_actions in that transaction and
// attempted right after the commit; what fails stays queued for the cron.
package webhook

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/portal-auth/portal-auth/lib/httpx"
	"github.com/portal-auth/portal-auth/lib/outbox"
	"github.com/portal-auth/portal-auth/lib/store"
)

// MaxBody is the largest body accepted.
const MaxBody = 1 << 20

const (
	dbTimeout        = 5 * time.Second
	sideEffectBudget = 3 * time.Second
	rollbackTimeout  = 2 * time.Second
	dbRetryAfter     = 10 * time.Second
)

// Options configure a Handler.
type Options struct {
	Pool     *pgxpool.Pool
	Verifier *Verifier
	// Runner carries out queued Clerk actions after the commit; nil leaves
	// them for the cron.
	Runner *outbox.Runner
	Logger *slog.Logger
}

// Handler serves POST /api/v1/webhooks/clerk.
type Handler struct{ opts Options }

// New returns a Handler; Pool, Verifier and Logger are required.
func New(opts Options) (*Handler, error) {
	if opts.Pool == nil || opts.Verifier == nil || opts.Logger == nil {
		return nil, errors.New("webhook: pool, verifier and logger are required")
	}
	return &Handler{opts: opts}, nil
}

// Serve verifies, records and applies one delivery.
func (h *Handler) Serve(w http.ResponseWriter, r *http.Request) error {
	if r.Method != http.MethodPost {
		return httpx.MethodNotAllowed(http.MethodPost)
	}
	ctx := r.Context()

	// Read the exact bytes, then verify them before anything else.
	body, err := readBody(w, r)
	if err != nil {
		return err
	}
	signed, err := h.opts.Verifier.Verify(body, r.Header)
	if err != nil {
		httpx.LogAttrs(ctx, slog.String("reason", err.Error()))
		return httpx.Wrap(http.StatusUnauthorized, "invalid_signature",
			"the webhook signature could not be verified", err)
	}
	httpx.LogAttrs(ctx, slog.String("svix_id", signed.ID))

	// Decode and plan; a body that cannot be decoded is kept as rejected.
	d := prepare(signed, body)
	httpx.LogAttrs(ctx, slog.String("event_type", d.eventType))

	// Apply in one transaction under a deadline.
	dbCtx, cancel := context.WithTimeout(ctx, dbTimeout)
	outcome, actionIDs, err := save(dbCtx, h.opts.Pool, d)
	cancel()
	if err != nil {
		return storeError(err)
	}
	h.logOutcome(ctx, d, outcome)

	// Attempt the queued Clerk actions within a small budget.
	h.runActions(ctx, actionIDs)
	httpx.WriteJSON(w, http.StatusOK, map[string]string{"status": string(outcome)})
	return nil
}

func readBody(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxBody))
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		return nil, httpx.NewError(http.StatusRequestEntityTooLarge, "body_too_large",
			fmt.Sprintf("the body exceeds %d bytes", MaxBody))
	}
	if err != nil {
		return nil, httpx.Wrap(http.StatusBadRequest, "unreadable_body",
			"the body could not be read", err)
	}
	return body, nil
}

func prepare(signed Signed, body []byte) *delivery {
	d := &delivery{signed: signed, body: body}
	env, err := DecodeEnvelope(body)
	if err != nil {
		d.rejectReason = err.Error()
		return d
	}
	d.eventType = env.Type
	p, err := planFor(env, signed.ID)
	switch {
	case errors.Is(err, errUnsupported):
	case err != nil:
		d.rejectReason = err.Error()
	default:
		d.plan = p
	}
	return d
}

func storeError(err error) error {
	if store.IsUnavailable(err) {
		return httpx.Unavailable("the database is unavailable; retry later", dbRetryAfter, err)
	}
	return httpx.Wrap(http.StatusInternalServerError, "internal", "internal error", err)
}

func (h *Handler) logOutcome(ctx context.Context, d *delivery, outcome Outcome) {
	httpx.LogAttrs(ctx, slog.String("outcome", string(outcome)))
	if d.plan != nil {
		httpx.LogAttrs(ctx, slog.String("subject_type", d.plan.subjectType),
			slog.String("subject_id", d.plan.subjectID))
	}
	if outcome == Rejected {
		h.opts.Logger.ErrorContext(ctx, "webhook delivery rejected",
			"request_id", httpx.RequestID(ctx), "svix_id", d.signed.ID,
			"event_type", d.eventType, "err", d.rejectReason)
	}
}

func (h *Handler) runActions(ctx context.Context, ids []int64) {
	if len(ids) == 0 || h.opts.Runner == nil {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, sideEffectBudget)
	defer cancel()
	res, err := h.opts.Runner.RunIDs(ctx, ids)
	if err != nil {
		h.opts.Logger.WarnContext(ctx, "clerk actions left queued",
			"request_id", httpx.RequestID(ctx), "err", err.Error())
	}
	httpx.LogAttrs(ctx, slog.Int("actions_done", res.Done),
		slog.Int("actions_rescheduled", res.Rescheduled))
}
