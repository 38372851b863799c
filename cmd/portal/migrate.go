package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/portal-auth/portal-auth/lib/migrate"
)

func runMigrate(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("migrate", flag.ContinueOnError)
	url := fs.String("database-url", os.Getenv("DATABASE_URL"),
		"direct (non-pooler) Postgres URL; default $DATABASE_URL")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *url == "" {
		return errors.New("migrate: set DATABASE_URL or --database-url")
	}
	applied, err := migrate.Up(ctx, *url, nil)
	if err != nil {
		return err
	}
	for _, r := range applied {
		fmt.Fprintf(stdout, "applied %s in %s\n", r.Source, r.Duration.Round(1e6))
	}
	fmt.Fprintf(stdout, "%d migrations applied; schema up to date\n", len(applied))
	return nil
}
