// Package app builds the dependency set once per warm instance and exposes
// one http.HandlerFunc per deployed function for the api/ entrypoints.
package app

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/portal-auth/portal-auth/lib/clerkapi"
	"github.com/portal-auth/portal-auth/lib/config"
	"github.com/portal-auth/portal-auth/lib/httpx"
	"github.com/portal-auth/portal-auth/lib/obs"
	"github.com/portal-auth/portal-auth/lib/store"
)

// Deps is everything a function needs, built once per warm instance.
type Deps struct {
	Config *config.Config
	Pool   *pgxpool.Pool
	// Clerk is nil when CLERK_SECRET_KEY is unset.
	Clerk      *clerkapi.Client
	HTTPClient *http.Client
	Logger     *slog.Logger
	Adapter    httpx.Adapter
	Now        func() time.Time
}

// Load builds Deps from the environment read through getenv. It connects to
// nothing: the pool connects on first use.
func Load(ctx context.Context, getenv func(string) string) (*Deps, error) {
	cfg, err := config.Load(getenv)
	if err != nil {
		return nil, err
	}
	logger := obs.NewLogger(os.Stderr, cfg.LogLevel)
	return New(ctx, cfg, logger)
}

// New builds Deps from a loaded configuration.
func New(ctx context.Context, cfg *config.Config, logger *slog.Logger) (*Deps, error) {
	reporter, err := obs.NewReporter(cfg)
	if err != nil {
		return nil, err
	}
	d := &Deps{
		Config:     cfg,
		HTTPClient: &http.Client{Timeout: 5 * time.Second},
		Logger:     logger,
		Adapter:    httpx.Adapter{Logger: logger, Report: reporter},
		Now:        time.Now,
	}
	if cfg.DatabaseURL != "" {
		if d.Pool, err = store.NewPool(ctx, cfg.DatabaseURL); err != nil {
			return nil, fmt.Errorf("build dependencies: %w", err)
		}
	}
	if cfg.ClerkSecretKey != "" {
		d.Clerk = clerkapi.New(cfg.ClerkAPIURL, cfg.ClerkSecretKey, d.HTTPClient)
	}
	return d, nil
}

// Close releases the pool.
func (d *Deps) Close() {
	if d.Pool != nil {
		d.Pool.Close()
	}
}
