package main

import (
	"context"
	"fmt"
	"io"

	"github.com/portal-auth/portal-auth/lib/migrate"
)

// runMigrate applies the migrations; use the direct (non-pooler) URL.
func runMigrate(ctx context.Context, args []string, stdout io.Writer) error {
	url, err := parseDatabaseURL("migrate", args)
	if err != nil {
		return err
	}
	applied, err := migrate.Up(ctx, url, nil)
	if err != nil {
		return err
	}
	for _, r := range applied {
		fmt.Fprintf(stdout, "applied %s in %s\n", r.Source, r.Duration.Round(1e6))
	}
	fmt.Fprintf(stdout, "%d migrations applied; schema up to date\n", len(applied))
	return nil
}
