package clerkemu

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"strconv"
	"sync"
	"time"

	svix "github.com/svix/svix-webhooks/go"

	"github.com/portal-auth/portal-auth/lib/clock"
)

// Message states.
const (
	MessagePending   = "pending"
	MessageDelivered = "delivered"
	MessageFailed    = "failed"
	MessageCancelled = "cancelled"
)

// Message is the delivery of one event to one endpoint.
type Message struct {
	// ID is the svix-id, shared by every endpoint, retry and duplicate of
	// the same event.
	ID        string
	EventType string
	Endpoint  string
	Payload   []byte
	// Duplicate marks a copy sent on purpose by Chaos.Duplicate.
	Duplicate bool
	// State is MessagePending, MessageDelivered, MessageFailed or
	// MessageCancelled (the emulator closed first).
	State    string
	Attempts []Attempt
}

// Attempt is one HTTP delivery attempt.
type Attempt struct {
	// Time is when the attempt was made.
	Time time.Time
	// Timestamp is the svix-timestamp header (Unix seconds) it was signed
	// with.
	Timestamp int64
	// StatusCode is the endpoint's answer, zero on a transport error.
	StatusCode int
	// Err describes a transport error.
	Err string
}

// Chaos makes webhook delivery misbehave the way Svix may.
type Chaos struct {
	// Duplicate sends every message twice, with the same svix-id.
	Duplicate bool
	// MaxJitter delays each message's first attempt by a random duration
	// up to MaxJitter, so messages arrive out of order.
	MaxJitter time.Duration
}

type dispatcherConfig struct {
	secret   string
	schedule []time.Duration
	client   *http.Client
	now      func() time.Time
	log      *slog.Logger
}

// dispatcher delivers events to endpoints: first attempts in order per
// endpoint, retries on their own schedule.
type dispatcher struct {
	cfg    dispatcherConfig
	wh     *svix.Webhook
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup

	mu        sync.Mutex
	closed    bool
	endpoints []*endpoint
	events    []Event
	messages  []*Message
	chaos     Chaos
	pending   int
	idle      chan struct{}
}

// endpoint is one registered URL and its queue of first attempts.
type endpoint struct {
	url    string
	queue  []*Message
	signal chan struct{}
}

func newDispatcher(cfg dispatcherConfig) *dispatcher {
	if len(cfg.schedule) == 0 {
		cfg.schedule = SvixRetrySchedule
	}
	if cfg.client == nil {
		cfg.client = &http.Client{Timeout: 15 * time.Second}
	}
	wh, err := svix.NewWebhook(cfg.secret)
	if err != nil {
		// Secrets that are not base64 are signed with their raw bytes.
		wh, _ = svix.NewWebhookRaw([]byte(cfg.secret))
	}
	ctx, cancel := context.WithCancel(context.Background())
	idle := make(chan struct{})
	close(idle)
	return &dispatcher{cfg: cfg, wh: wh, ctx: ctx, cancel: cancel, idle: idle}
}

// addEndpoint registers url once and starts its worker.
func (d *dispatcher) addEndpoint(url string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	for _, ep := range d.endpoints {
		if ep.url == url {
			return
		}
	}
	ep := &endpoint{url: url, signal: make(chan struct{}, 1)}
	d.endpoints = append(d.endpoints, ep)
	if !d.closed {
		d.wg.Add(1)
		go d.work(ep)
	}
}

// publish records ev and queues one message per endpoint.
func (d *dispatcher) publish(ev Event) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.events = append(d.events, ev)
	for _, ep := range d.endpoints {
		d.queueLocked(ep, ev, false)
		if d.chaos.Duplicate {
			d.queueLocked(ep, ev, true)
		}
	}
}

func (d *dispatcher) queueLocked(ep *endpoint, ev Event, dup bool) {
	m := &Message{
		ID: ev.ID, EventType: ev.Type, Endpoint: ep.url, Payload: ev.Payload,
		Duplicate: dup, State: MessagePending,
	}
	d.messages = append(d.messages, m)
	if d.closed {
		m.State = MessageCancelled
		return
	}
	d.startLocked()
	if d.chaos.MaxJitter > 0 {
		jitter := rand.N(d.chaos.MaxJitter)
		d.wg.Add(1)
		go d.retryFrom(m, 0, jitter)
		return
	}
	ep.queue = append(ep.queue, m)
	select {
	case ep.signal <- struct{}{}:
	default:
	}
}

// startLocked counts one more message in flight.
func (d *dispatcher) startLocked() {
	if d.pending == 0 {
		d.idle = make(chan struct{})
	}
	d.pending++
}

// finish settles m in state.
func (d *dispatcher) finish(m *Message, state string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	m.State = state
	d.pending--
	if d.pending == 0 {
		close(d.idle)
	}
}

// work makes first attempts for ep in order; failures continue on the
// retry schedule in their own goroutine.
func (d *dispatcher) work(ep *endpoint) {
	defer d.wg.Done()
	for {
		m := d.next(ep)
		if m == nil {
			select {
			case <-ep.signal:
				continue
			case <-d.ctx.Done():
				d.cancelQueue(ep)
				return
			}
		}
		if d.ctx.Err() != nil {
			d.finish(m, MessageCancelled)
			continue
		}
		if d.attempt(m) {
			d.finish(m, MessageDelivered)
			continue
		}
		d.mu.Lock()
		d.wg.Add(1)
		d.mu.Unlock()
		go d.retryFrom(m, 1, 0)
	}
}

func (d *dispatcher) next(ep *endpoint) *Message {
	d.mu.Lock()
	defer d.mu.Unlock()
	if len(ep.queue) == 0 {
		return nil
	}
	m := ep.queue[0]
	ep.queue = ep.queue[1:]
	return m
}

func (d *dispatcher) cancelQueue(ep *endpoint) {
	for m := d.next(ep); m != nil; m = d.next(ep) {
		d.finish(m, MessageCancelled)
	}
}

// retryFrom makes attempts from schedule index i on, after an extra delay.
func (d *dispatcher) retryFrom(m *Message, i int, extra time.Duration) {
	defer d.wg.Done()
	if clock.Sleep(d.ctx, extra) != nil {
		d.finish(m, MessageCancelled)
		return
	}
	for ; i < len(d.cfg.schedule); i++ {
		if clock.Sleep(d.ctx, d.cfg.schedule[i]) != nil {
			d.finish(m, MessageCancelled)
			return
		}
		if d.attempt(m) {
			d.finish(m, MessageDelivered)
			return
		}
	}
	d.finish(m, MessageFailed)
}

// attempt signs m with a fresh timestamp, posts it and records the result.
// It reports whether the endpoint answered 2xx.
func (d *dispatcher) attempt(m *Message) bool {
	now := d.cfg.now()
	status, err := d.post(m, now)
	a := Attempt{Time: now, Timestamp: now.Unix(), StatusCode: status}
	if err != nil {
		a.Err = err.Error()
	}
	d.mu.Lock()
	m.Attempts = append(m.Attempts, a)
	d.mu.Unlock()

	ok := err == nil && status >= 200 && status < 300
	if !ok {
		d.cfg.log.Warn("webhook attempt failed", "svix_id", m.ID,
			"event_type", m.EventType, "status", status, "err", a.Err)
	}
	return ok
}

func (d *dispatcher) post(m *Message, now time.Time) (int, error) {
	sig, err := d.wh.Sign(m.ID, now, m.Payload)
	if err != nil {
		return 0, fmt.Errorf("sign: %w", err)
	}
	ctx, cancel := context.WithTimeout(d.ctx, 15*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, m.Endpoint,
		bytes.NewReader(m.Payload))
	if err != nil {
		return 0, fmt.Errorf("build request: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "Svix-Webhooks/1.44 (clerkemu)")
	req.Header.Set("svix-id", m.ID)
	req.Header.Set("svix-timestamp", strconv.FormatInt(now.Unix(), 10))
	req.Header.Set("svix-signature", sig)
	resp, err := d.cfg.client.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
	return resp.StatusCode, nil
}

// close cancels every delivery and waits for the goroutines to end.
func (d *dispatcher) close() {
	d.mu.Lock()
	d.closed = true
	d.mu.Unlock()
	d.cancel()
	d.wg.Wait()
}
