package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"

	"github.com/portal-auth/portal-auth/lib/config"
	"github.com/portal-auth/portal-auth/lib/invites"
	"github.com/portal-auth/portal-auth/lib/seed"
)

// runSeed creates the test accounts of a seed file in the Clerk instance
// that CLERK_SECRET_KEY and CLERK_API_URL name (portal seed). Flags: --file
// (default seeds/dev.yaml), --rate (requests per 10 s, default 100, a
// development instance's limit) and --allow-live (needed for an sk_live_
// key). It prints one line per object with its Clerk id, then the counts.
func runSeed(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("seed", flag.ContinueOnError)
	fs.SetOutput(stderr)
	file := fs.String("file", "seeds/dev.yaml", "seed file (YAML or JSON)")
	rate := fs.Int("rate", seed.DefaultRate, "Backend API requests per 10 s")
	allowLive := fs.Bool("allow-live", false, "allow a production instance (sk_live_ key)")
	if err := fs.Parse(args); err != nil {
		return fmt.Errorf("parse flags: %w", err)
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("seed: unexpected argument %q", fs.Arg(0))
	}
	if *rate <= 0 {
		return errors.New("seed: --rate must be positive")
	}

	cfg, err := config.Load(os.Getenv)
	if err != nil {
		return err
	}
	if cfg.ClerkSecretKey == "" {
		return errors.New("seed: set CLERK_SECRET_KEY (and CLERK_API_URL for the emulator)")
	}
	f, err := seed.Load(*file)
	if err != nil {
		return err
	}
	s, err := seed.New(seed.Options{
		APIURL: cfg.ClerkAPIURL, SecretKey: cfg.ClerkSecretKey, AllowLive: *allowLive,
		Pacer:  invites.NewPacer(*rate, seed.RateWindow),
		Logger: slog.New(slog.NewJSONHandler(stderr, &slog.HandlerOptions{Level: cfg.LogLevel})),
	})
	if errors.Is(err, seed.ErrLiveInstance) {
		return fmt.Errorf("%w; pass --allow-live if you mean it", err)
	}
	if err != nil {
		return err
	}

	fmt.Fprintf(stdout, "seeding %s from %s\n", cfg.ClerkAPIURL, *file)
	sum, runErr := s.Run(ctx, f)
	if err := sum.Write(stdout); err != nil {
		return errors.Join(runErr, fmt.Errorf("print summary: %w", err))
	}
	if runErr != nil {
		return fmt.Errorf("seed: %w", runErr)
	}
	return nil
}
