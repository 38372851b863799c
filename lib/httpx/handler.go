package httpx

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// HandlerFunc is an HTTP handler that returns its failure instead of writing it.
type HandlerFunc func(w http.ResponseWriter, r *http.Request) error

// Reporter sends a server-side failure to error tracking.
type Reporter func(ctx context.Context, err error)

// Adapter turns HandlerFuncs into http.Handlers with the project's conventions.
type Adapter struct {
	// Logger receives one line per request.
	Logger *slog.Logger
	// Report, when set, receives every 5xx cause and recovered panic.
	Report Reporter
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// Handle wraps h for the named function: it sets x-request-id, recovers
// panics into a 500, writes returned errors as JSON and logs one summary line.
func (a Adapter) Handle(function string, h HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := a.now()
		id := requestID(r)
		rec := &recorder{ResponseWriter: w, status: http.StatusOK}
		rec.Header().Set("x-request-id", id)
		attrs := &logAttrs{}
		ctx := context.WithValue(r.Context(), attrsKey{}, attrs)
		ctx = context.WithValue(ctx, requestIDKey{}, id)

		err := a.serve(rec, r.WithContext(ctx), h)
		if err != nil {
			a.writeError(ctx, rec, err)
		}
		a.logRequest(ctx, function, id, rec.status, start, err, attrs)
	})
}

func (a Adapter) serve(w http.ResponseWriter, r *http.Request, h HandlerFunc) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = Wrap(http.StatusInternalServerError, "internal", "internal error",
				fmt.Errorf("panic: %v", p))
		}
	}()
	return h(w, r)
}

func (a Adapter) writeError(ctx context.Context, w *recorder, err error) {
	e := asError(err)
	if e.Status >= 500 && a.Report != nil {
		a.Report(ctx, err)
	}
	if w.wrote {
		return
	}
	if e.RetryAfter > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(int((e.RetryAfter+time.Second-1)/time.Second)))
	}
	if e.Allow != "" {
		w.Header().Set("Allow", e.Allow)
	}
	WriteJSON(w, e.Status, map[string]string{"error": e.Code, "message": e.Message})
}

func (a Adapter) logRequest(ctx context.Context, function, id string, status int,
	start time.Time, err error, attrs *logAttrs) {
	level := slog.LevelInfo
	switch {
	case status >= 500:
		level = slog.LevelError
	case status >= 400:
		level = slog.LevelWarn
	}
	all := []slog.Attr{
		slog.String("request_id", id),
		slog.String("function", function),
		slog.Int("status", status),
		slog.Int64("duration_ms", a.now().Sub(start).Milliseconds()),
	}
	if err != nil {
		all = append(all, slog.String("err", err.Error()))
	}
	all = append(all, attrs.list()...)
	a.Logger.LogAttrs(ctx, level, "request", all...)
}

func (a Adapter) now() time.Time {
	if a.Now != nil {
		return a.Now()
	}
	return time.Now()
}

// WriteJSON writes v as a JSON body with the given status.
func WriteJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

type requestIDKey struct{}

// RequestID returns the id of the request ctx belongs to, or "".
func RequestID(ctx context.Context) string {
	id, _ := ctx.Value(requestIDKey{}).(string)
	return id
}

func requestID(r *http.Request) string {
	if id := r.Header.Get("x-vercel-id"); id != "" && len(id) <= 128 {
		return id
	}
	var b [12]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

type attrsKey struct{}

type logAttrs struct {
	mu    sync.Mutex
	attrs []slog.Attr
}

func (l *logAttrs) list() []slog.Attr {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.attrs
}

// LogAttrs adds attributes to the request's summary log line.
func LogAttrs(ctx context.Context, attrs ...slog.Attr) {
	if l, ok := ctx.Value(attrsKey{}).(*logAttrs); ok {
		l.mu.Lock()
		l.attrs = append(l.attrs, attrs...)
		l.mu.Unlock()
	}
}

// recorder remembers the status written through it.
type recorder struct {
	http.ResponseWriter
	status int
	wrote  bool
}

func (r *recorder) WriteHeader(status int) {
	if !r.wrote {
		r.status, r.wrote = status, true
	}
	r.ResponseWriter.WriteHeader(status)
}

func (r *recorder) Write(b []byte) (int, error) {
	if !r.wrote {
		r.WriteHeader(http.StatusOK)
	}
	return r.ResponseWriter.Write(b)
}
