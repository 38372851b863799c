package demo

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/portal-auth/portal-auth/lib/devserver"
)

// SelfContainedInviteMaxAge is the INVITE_MAX_AGE of the dev server
// RunSelfContained starts, so an invitation turns stale within the demo.
const SelfContainedInviteMaxAge = 2 * time.Second

// Options configure RunSelfContained.
type Options struct {
	// Out receives the demo's steps.
	Out io.Writer
	// Getenv reads the environment. Only DATABASE_URL (a database to use
	// instead of a disposable PostgreSQL) and LOG_LEVEL are taken from it:
	// Clerk is always the emulator.
	Getenv func(string) string
	// Logger receives the functions' logs; nil discards them.
	Logger *slog.Logger
}

// RunSelfContained starts a dev server on a free loopback port, plays the
// demo against it and stops it, removing what it started. It returns the
// demo's error, or the dev server's when it could not start.
func RunSelfContained(ctx context.Context, opts Options) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	ready := make(chan *devserver.Env, 1)
	done := make(chan error, 1)
	go func() {
		done <- devserver.Run(ctx, devserver.Options{
			Addr:   "127.0.0.1:0",
			Getenv: selfContainedEnv(opts.Getenv),
			Logger: opts.Logger,
			Ready:  func(env *devserver.Env) { ready <- env },
		})
	}()

	var env *devserver.Env
	select {
	case env = <-ready:
	case err := <-done:
		if err == nil {
			err = errors.New("stopped before it was ready")
		}
		return fmt.Errorf("start dev server: %w", err)
	}
	t, err := TargetFromState(env.State())
	if err == nil {
		fmt.Fprintf(opts.Out, "dev server started at %s (self-contained)\n", env.BaseURL)
		err = Run(ctx, t, opts.Out)
	}
	cancel()
	return errors.Join(err, <-done)
}

// selfContainedEnv is the environment of the demo's own dev server.
func selfContainedEnv(getenv func(string) string) func(string) string {
	return func(name string) string {
		switch name {
		case "INVITE_MAX_AGE":
			return SelfContainedInviteMaxAge.String()
		case "DATABASE_URL", "LOG_LEVEL":
			if getenv != nil {
				return getenv(name)
			}
		}
		return ""
	}
}
