// Package devserver runs every function at its Vercel path on one local
// address, with a disposable PostgreSQL and the Clerk emulator standing in
// for the cloud services that are not configured.
//
// Run prints what it runs: the URLs, the environment with secrets masked, a
// session token for a seeded user and curl lines for each function. When it
// returns, everything it started has stopped and its temporary state is
// removed.
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
	"github.com/portal-auth/portal-auth/lib/obs"
	"github.com/portal-auth/portal-auth/lib/pglocal"
)

// Options configure Run.
type Options struct {
	// Addr is where the functions are served (default 127.0.0.1:3000).
	Addr string
	// Getenv reads the environment.
	Getenv func(string) string
	// DataDir keeps the local database, and the emulator's state, between
	// runs when set.
	DataDir string
	// Seed signs a user in to tenant "Acme" in the emulator (creating them
	// when needed) and prints a session token for them.
	Seed bool
	// StateFile, when set, receives the running server's State as JSON
	// while it runs (portal demo reads it); it is removed on exit.
	StateFile string
	// Out receives the human-readable summary.
	Out io.Writer
	// Logger receives the functions' logs; nil means JSON on stderr at
	// LOG_LEVEL.
	Logger *slog.Logger
	// Ready, when set, receives the running environment once serving.
	Ready func(*Env)
	// Wrap, when set, wraps the handler serving the functions (local
	// middleware, such as a delay in tests).
	Wrap func(http.Handler) http.Handler
}

// Env is what a running dev server uses.
type Env struct {
	// BaseURL is where the functions are served.
	BaseURL string
	// Config is the configuration the functions run with.
	Config *config.Config
	// Emulator is the Clerk emulator, nil when real Clerk is configured.
	Emulator *clerkemu.Server
	// Postgres is the local PostgreSQL, nil when DATABASE_URL was given.
	Postgres *pglocal.Server
	// Seed is the signed-in seeded user, nil when Options.Seed is off or
	// real Clerk is configured.
	Seed *Seed
	// Deps is the dependency set shared by every function.
	Deps *app.Deps

	vars    *overlay
	dataDir string
}

// Run serves until ctx ends, then stops everything it started. It returns
// an error when a service cannot start or the configuration is invalid; one
// caused by ctx ending during the start (Ctrl-C) is not reported.
func Run(ctx context.Context, opts Options) error {
	err := run(ctx, opts)
	if err != nil && ctx.Err() != nil {
		return nil
	}
	return err
}

func run(ctx context.Context, opts Options) error {
	if opts.Addr == "" {
		opts.Addr = "127.0.0.1:3000"
	}
	if opts.Out == nil {
		opts.Out = io.Discard
	}
	ln, err := net.Listen("tcp", opts.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", opts.Addr, err)
	}
	defer ln.Close()
	baseURL := "http://" + ln.Addr().String()

	vars := &overlay{base: opts.Getenv, set: map[string]string{}}
	svc, err := startServices(ctx, baseURL, opts, vars)
	defer svc.stop()
	if err != nil {
		return err
	}
	env, err := build(ctx, baseURL, opts, vars)
	if err != nil {
		return err
	}
	defer env.Deps.Close()
	env.Emulator, env.Postgres = svc.emulator, svc.postgres
	return serve(ctx, ln, env, opts)
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
	return &Env{BaseURL: baseURL, Config: cfg, Deps: deps, vars: vars, dataDir: opts.DataDir}, nil
}

func serve(ctx context.Context, ln net.Listener, env *Env, opts Options) error {
	mux := http.NewServeMux()
	for _, route := range app.Routes() {
		h, err := route.Function.Handler(env.Deps)
		if err != nil {
			return err
		}
		mux.Handle(route.Path, h)
	}
	var handler http.Handler = mux
	if opts.Wrap != nil {
		handler = opts.Wrap(mux)
	}
	srv := &http.Server{Handler: handler, ReadHeaderTimeout: 10 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	defer shutdown(srv)

	// Seeding needs the functions up: the emulator's webhooks land on them.
	if err := announce(ctx, env, opts); err != nil {
		return err
	}
	if opts.StateFile != "" {
		defer removeState(opts.StateFile)
	}
	if opts.Ready != nil {
		opts.Ready(env)
	}
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
		return nil
	}
}

// announce seeds the emulator when asked, prints the summary and writes the
// state file.
func announce(ctx context.Context, env *Env, opts Options) error {
	if opts.Seed && env.Emulator != nil {
		seed, err := seedEmulator(ctx, env)
		if err != nil {
			return err
		}
		env.Seed = seed
	}
	printSummary(opts.Out, env)
	if opts.StateFile == "" {
		return nil
	}
	return writeState(opts.StateFile, env.State())
}

func shutdown(srv *http.Server) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(ctx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		_ = srv.Close()
	}
}

// overlay is the environment with the values the dev server supplies.
type overlay struct {
	base func(string) string
	set  map[string]string
}

func (o *overlay) get(name string) string {
	if v, ok := o.set[name]; ok {
		return v
	}
	if o.base == nil {
		return ""
	}
	return o.base(name)
}

// supplied reports whether the dev server supplied name's value.
func (o *overlay) supplied(name string) bool {
	_, ok := o.set[name]
	return ok
}
