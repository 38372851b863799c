// Package obs sets up observability: the JSON slog logger and Sentry error
// reporting.
package obs

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/getsentry/sentry-go"

	"github.com/portal-auth/portal-auth/lib/config"
	"github.com/portal-auth/portal-auth/lib/httpx"
)

// NewLogger returns a JSON logger writing to w at the given level.
func NewLogger(w io.Writer, level slog.Level) *slog.Logger {
	return slog.New(slog.NewJSONHandler(w, &slog.HandlerOptions{Level: level}))
}

// NewReporter initialises Sentry when cfg has a DSN and returns a reporter
// that sends an error and flushes before the instance can be frozen. Without
// a DSN it returns nil.
func NewReporter(cfg *config.Config) (httpx.Reporter, error) {
	if cfg.SentryDSN == "" {
		return nil, nil
	}
	err := sentry.Init(sentry.ClientOptions{
		Dsn:         cfg.SentryDSN,
		Environment: cfg.SentryEnvironment,
		Release:     cfg.SentryRelease,
	})
	if err != nil {
		return nil, fmt.Errorf("init sentry: %w", err)
	}
	return report, nil
}

func report(ctx context.Context, err error) {
	hub := sentry.CurrentHub().Clone()
	hub.ConfigureScope(func(s *sentry.Scope) {
		s.SetTag("request_id", httpx.RequestID(ctx))
	})
	hub.CaptureException(err)
	hub.Flush(2 * time.Second)
}
