package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/portal-auth/portal-auth/lib/devserver"
)

func runDev(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("dev", flag.ContinueOnError)
	addr := fs.String("addr", "127.0.0.1:3000", "address to serve the functions on")
	keep := fs.String("keep", "", "keep the local database in this directory between runs")
	if err := fs.Parse(args); err != nil {
		return err
	}
	return devserver.Run(ctx, devserver.Options{
		Addr:    *addr,
		Getenv:  os.Getenv,
		DataDir: *keep,
		Out:     stdout,
		Ready: func(env *devserver.Env) {
			fmt.Fprintf(stdout, "ready       %s (Ctrl-C stops everything)\n", env.BaseURL)
		},
	})
}
