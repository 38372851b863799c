// Package devserver runs every function at its Vercel path on one local
// address, with a disposable PostgreSQL and the Clerk emulator standing in
// for the cloud services that are not configured.
package devserver

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"time"

	"github.com/portal-auth/portal-auth/lib/app"
	"github.com/portal-auth/portal-auth/lib/clerkemu"
	"github.com/portal-auth/portal-auth/lib/config"
	"github.com/portal-auth/portal-auth/lib/migrate"
	"github.com/portal-auth/portal-auth/lib/obs"
	"github.com/portal-auth/portal-auth/lib/pglocal"
)

// Options configure Run.
type Options struct {
	// Addr is where the functions are served (default 127.0.0.1:3000).
	Addr string
	// Getenv reads the environment.
	Getenv func(string) string
	// DataDir keeps the local database between runs when set.
	DataDir string
	// Out receives the human-readable summary.
	Out io.Writer
	// Logger receives the functions' logs; nil means JSON on stderr at
	// LOG_LEVEL.
	Logger *slog.Logger
	// Ready, when set, receives the running environment once serving.
	Ready func(*Env)
}

// Env is what a running dev server uses.
type Env struct {
	// BaseURL is where the functions are served.
	BaseURL string
	// Config is the configuration the functions run with.
	Config *config.Config
	// Emulator is the Clerk emulator, nil when real Clerk is configured.
	Emulator *clerkemu.Server
	// Deps is the dependency set shared by every function.
	Deps *app.Deps
}

// Run serves until ctx ends, then stops everything it started.
func Run(ctx context.Context, opts Options) error {
	if opts.Addr == "" {
		opts.Addr = "127.0.0.1:3000"
	}
	ln, err := net.Listen("tcp", opts.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", opts.Addr, err)
	}
	defer ln.Close()
	baseURL := "http://" + ln.Addr().String()

	vars := overlay{base: opts.Getenv, set: map[string]string{}}
	stop, err := startServices(ctx, baseURL, opts, &vars)
	defer stop()
	if err != nil {
		return err
	}
	env, err := build(ctx, baseURL, opts, &vars)
	if err != nil {
		return err
	}
	defer env.Deps.Close()
	env.Emulator = vars.emulator
	return serve(ctx, ln, env, opts)
}

func startServices(ctx context.Context, baseURL string, opts Options, vars *overlay) (func(), error) {
	var stops []func()
	stop := func() {
		for i := len(stops) - 1; i >= 0; i-- {
			stops[i]()
		}
	}
	if vars.get("DATABASE_URL") == "" {
		server, err := pglocal.Start(ctx, pglocal.Options{Dir: opts.DataDir})
		if err != nil {
			return stop, fmt.Errorf("start local postgres: %w", err)
		}
		stops = append(stops, func() { _ = server.Stop() })
		vars.set["DATABASE_URL"] = server.URL
		fmt.Fprintf(opts.Out, "postgres    %s (local, %s)\n", server.URL, keptOrTemporary(opts.DataDir))
	}
	if _, err := migrate.Up(ctx, vars.get("DATABASE_URL"), nil); err != nil {
		return stop, err
	}
	if vars.get("CLERK_SECRET_KEY") == "" {
		emu, err := startEmulator(baseURL, vars)
		if err != nil {
			return stop, err
		}
		stops = append(stops, func() { _ = emu.Close() })
		fmt.Fprintf(opts.Out, "clerk       %s (emulator)\n", emu.URL())
	}
	return stop, nil
}

func keptOrTemporary(dir string) string {
	if dir == "" {
		return "removed on exit"
	}
	return "kept in " + dir
}

func startEmulator(baseURL string, vars *overlay) (*clerkemu.Server, error) {
	emu, err := clerkemu.Start("", clerkemu.Options{AuthorizedParty: baseURL})
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
		vars.set["CRON_SECRET"] = "dev-cron-secret-0123456789"
	}
	vars.emulator = emu
	return emu, nil
}

func build(ctx context.Context, baseURL string, opts Options, vars *overlay) (*Env, error) {
	cfg, err := config.Load(vars.get)
	if err != nil {
		return nil, err
	}
	logger := opts.Logger
	if logger == nil {
		logger = obs.NewLogger(os.Stderr, cfg.LogLevel)
	}
	deps, err := app.New(ctx, cfg, logger)
	if err != nil {
		return nil, err
	}
	return &Env{BaseURL: baseURL, Config: cfg, Deps: deps}, nil
}

func serve(ctx context.Context, ln net.Listener, env *Env, opts Options) error {
	mux := http.NewServeMux()
	for _, route := range app.Routes() {
		h, err := route.Function.Handler(env.Deps)
		if err != nil {
			return err
		}
		mux.Handle(route.Path, h)
		fmt.Fprintf(opts.Out, "function    %s%s\n", env.BaseURL, route.Path)
	}
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	if opts.Ready != nil {
		opts.Ready(env)
	}
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("shut down: %w", err)
	}
	return nil
}

// overlay is the environment with the values the dev server supplies.
type overlay struct {
	base     func(string) string
	set      map[string]string
	emulator *clerkemu.Server
}

func (o *overlay) get(name string) string {
	if v, ok := o.set[name]; ok {
		return v
	}
	return o.base(name)
}
