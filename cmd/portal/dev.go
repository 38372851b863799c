package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/portal-auth/portal-auth/lib/devserver"
)

// runDev serves every function locally (portal dev) until ctx is done, with
// a disposable PostgreSQL and the Clerk emulator, seeded with a signed-in
// admin of tenant "Acme", unless DATABASE_URL / CLERK_SECRET_KEY are set.
// Flags: --addr, --keep DIR (keep the database and the emulator's state
// between runs) and --state-file (where portal demo finds the server).
func runDev(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("dev", flag.ContinueOnError)
	addr := fs.String("addr", "127.0.0.1:3000", "address to serve the functions on")
	keep := fs.String("keep", "", "keep the local database in this directory between runs")
	stateFile := fs.String("state-file", devserver.DefaultStateFile,
		"where to describe the running server for portal demo (removed on exit; empty: none)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	return devserver.Run(ctx, devserver.Options{
		Addr:      *addr,
		Getenv:    os.Getenv,
		DataDir:   *keep,
		Seed:      true,
		StateFile: *stateFile,
		Out:       stdout,
		Ready: func(env *devserver.Env) {
			fmt.Fprintf(stdout, "\nready       %s (Ctrl-C stops everything)\n", env.BaseURL)
		},
	})
}
