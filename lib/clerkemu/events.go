package clerkemu

import (
	"bytes"
	"encoding/json"
	"time"
)

// origin describes who caused a change, for the event_attributes of the
// webhook: Backend API calls have no client IP and the SDK's user agent,
// browser actions simulated by the emulator have both.
type origin struct {
	ClientIP  string `json:"client_ip"`
	UserAgent string `json:"user_agent"`
}

// browserOrigin stands for a person using the application in a browser.
var browserOrigin = origin{
	ClientIP:  "127.0.0.1",
	UserAgent: "Mozilla/5.0 (X11; Linux x86_64) clerkemu/1.0",
}

// envelope is the body of every Clerk webhook.
type envelope struct {
	Data            any             `json:"data"`
	EventAttributes eventAttributes `json:"event_attributes"`
	InstanceID      string          `json:"instance_id"`
	Object          string          `json:"object"`
	Timestamp       int64           `json:"timestamp"`
	Type            string          `json:"type"`
}

type eventAttributes struct {
	HTTPRequest origin `json:"http_request"`
}

// Event is one webhook event the emulator emitted, whether or not any
// endpoint was registered to receive it.
type Event struct {
	// ID is the Svix message id (msg_...), the svix-id header value.
	ID string
	// Type is the Clerk event type, e.g. "user.created".
	Type string
	// Payload is the exact body that is signed and sent.
	Payload []byte
	// Time is when the event was emitted.
	Time time.Time
}

// emitLocked renders an event from data now, while the state lock is held,
// and hands it to the dispatcher.
func (e *Emulator) emitLocked(typ string, data any, o origin) {
	env := envelope{
		Data:            data,
		EventAttributes: eventAttributes{HTTPRequest: o},
		InstanceID:      e.st.InstanceID,
		Object:          "event",
		Timestamp:       e.nowMS(),
		Type:            typ,
	}
	payload, err := marshalCompact(env)
	if err != nil {
		e.log.Error("encode event", "event_type", typ, "err", err)
		return
	}
	e.hooks.publish(Event{ID: newID("msg"), Type: typ, Payload: payload, Time: e.now()})
}

// marshalCompact encodes v as JSON without HTML escaping or a newline.
func marshalCompact(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimRight(buf.Bytes(), "\n"), nil
}
