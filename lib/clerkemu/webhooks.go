package clerkemu

import (
	"context"
	"slices"
)

// AddWebhookEndpoint registers url to receive every event emitted from now
// on (Svix does not replay earlier ones). Adding a URL twice has no effect.
func (e *Emulator) AddWebhookEndpoint(url string) {
	e.hooks.addEndpoint(url)
}

// WebhookEndpoints returns the registered endpoint URLs.
func (e *Emulator) WebhookEndpoints() []string {
	d := e.hooks
	d.mu.Lock()
	defer d.mu.Unlock()
	var urls []string
	for _, ep := range d.endpoints {
		urls = append(urls, ep.url)
	}
	return urls
}

// SetWebhookChaos changes how messages queued from now on are delivered.
func (e *Emulator) SetWebhookChaos(c Chaos) {
	d := e.hooks
	d.mu.Lock()
	defer d.mu.Unlock()
	d.chaos = c
}

// Events returns every event emitted so far, oldest first.
func (e *Emulator) Events() []Event {
	d := e.hooks
	d.mu.Lock()
	defer d.mu.Unlock()
	out := make([]Event, len(d.events))
	for i, ev := range d.events {
		ev.Payload = slices.Clone(ev.Payload)
		out[i] = ev
	}
	return out
}

// Messages returns a snapshot of every delivery and its attempts, in the
// order the messages were queued.
func (e *Emulator) Messages() []Message {
	d := e.hooks
	d.mu.Lock()
	defer d.mu.Unlock()
	out := make([]Message, len(d.messages))
	for i, m := range d.messages {
		c := *m
		c.Payload = slices.Clone(m.Payload)
		c.Attempts = slices.Clone(m.Attempts)
		out[i] = c
	}
	return out
}

// WaitIdle blocks until no webhook message is pending (each one delivered,
// failed for good or cancelled) or ctx ends, whose error it then returns.
func (e *Emulator) WaitIdle(ctx context.Context) error {
	d := e.hooks
	for {
		d.mu.Lock()
		if d.pending == 0 {
			d.mu.Unlock()
			return nil
		}
		idle := d.idle
		d.mu.Unlock()
		select {
		case <-idle:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}
