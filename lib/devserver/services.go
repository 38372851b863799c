package devserver

import (
	"context"
	"fmt"
	"path/filepath"

	"github.com/portal-auth/portal-auth/lib/clerkemu"
	"github.com/portal-auth/portal-auth/lib/migrate"
	"github.com/portal-auth/portal-auth/lib/pglocal"
)

// devCronSecret is the CRON_SECRET supplied when none is set.
const devCronSecret = "dev-cron-secret-0123456789"

// emulatorStateFile, inside Options.DataDir, keeps the emulator's users,
// keys and secrets next to the database that mirrors them.
const emulatorStateFile = "clerk-emulator.json"

// services are the stand-ins Run started, stopped in reverse order.
type services struct {
	postgres *pglocal.Server
	emulator *clerkemu.Server
	stops    []func()
}

func (s *services) stop() {
	for i := len(s.stops) - 1; i >= 0; i-- {
		s.stops[i]()
	}
	s.stops = nil
}

// startServices starts PostgreSQL unless DATABASE_URL is set, applies the
// migrations and starts the Clerk emulator unless CLERK_SECRET_KEY is set.
// What started is in the result even when it returns an error.
func startServices(ctx context.Context, baseURL string, opts Options,
	vars *overlay) (*services, error) {
	svc := &services{}
	if vars.get("DATABASE_URL") == "" {
		server, err := pglocal.Start(ctx, pglocal.Options{Dir: opts.DataDir})
		if err != nil {
			return svc, fmt.Errorf("start local postgres: %w", err)
		}
		svc.postgres = server
		svc.stops = append(svc.stops, func() { _ = server.Stop() })
		vars.set["DATABASE_URL"] = server.URL
	}
	if _, err := migrate.Up(ctx, vars.get("DATABASE_URL"), nil); err != nil {
		return svc, fmt.Errorf("migrate: %w", err)
	}
	if vars.get("CLERK_SECRET_KEY") == "" {
		emu, err := startEmulator(baseURL, opts.DataDir, vars)
		if err != nil {
			return svc, err
		}
		svc.emulator = emu
		svc.stops = append(svc.stops, func() { _ = emu.Close() })
	}
	return svc, nil
}

// startEmulator starts the emulator with its webhooks pointed at the local
// webhook function and supplies the variables that point the functions at
// it. With a data directory its state persists there.
func startEmulator(baseURL, dataDir string, vars *overlay) (*clerkemu.Server, error) {
	opts := clerkemu.Options{AuthorizedParty: baseURL}
	if dataDir != "" {
		opts.StatePath = filepath.Join(dataDir, emulatorStateFile)
	}
	emu, err := clerkemu.Start("", opts)
	if err != nil {
		return nil, fmt.Errorf("start clerk emulator: %w", err)
	}
	emu.AddWebhookEndpoint(baseURL + "/api/v1/webhooks/clerk")
	for name, value := range map[string]string{
		"CLERK_API_URL":            emu.URL(),
		"CLERK_SECRET_KEY":         emu.SecretKey(),
		"CLERK_WEBHOOK_SECRET":     emu.WebhookSecret(),
		"CLERK_JWT_KEY":            emu.PublicKeyPEM(),
		"CLERK_PUBLISHABLE_KEY":    emu.PublishableKey(),
		"CLERK_AUTHORIZED_PARTIES": baseURL,
	} {
		vars.set[name] = value
	}
	if vars.get("CRON_SECRET") == "" {
		vars.set["CRON_SECRET"] = devCronSecret
	}
	return emu, nil
}
