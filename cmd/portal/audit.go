package main

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/portal-auth/portal-auth/lib/audit"
	"github.com/portal-auth/portal-auth/lib/store"
)

func runAudit(ctx context.Context, args []string, stdout io.Writer) error {
	if len(args) == 0 || args[0] != "verify" {
		return errors.New("usage: portal audit verify [--database-url URL]")
	}
	url, err := parseDatabaseURL("audit verify", args[1:])
	if err != nil {
		return err
	}
	pool, err := store.NewPool(ctx, url)
	if err != nil {
		return err
	}
	defer pool.Close()
	report, err := audit.Verify(ctx, pool)
	if err != nil {
		return err
	}
	if !report.OK() {
		return fmt.Errorf("audit chain broken at row %d: %s", report.FirstBad, report.Problem)
	}
	fmt.Fprintf(stdout, "audit chain intact: %d rows verified\n", report.Rows)
	return nil
}
