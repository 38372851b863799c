// Command portal is the portal-auth command line: it runs the functions
// locally, plays the demo, applies migrations, checks the audit chain, runs
// the Clerk emulator, seeds test accounts and replays webhook deliveries.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

const usage = `usage: portal <command> [flags]

commands:
  dev              serve every function locally (disposable PostgreSQL and
                   Clerk emulator unless DATABASE_URL / CLERK_SECRET_KEY are set)
  demo             play the identity lifecycle through the functions (self-contained,
                   or --url of a running portal dev); fails on an unexpected answer
  migrate          apply the embedded migrations to DATABASE_URL
  audit verify     recompute the audit log's hash chain
  clerk-emulator   run the offline Clerk emulator on its own
  seed             create the test accounts of seeds/dev.yaml (or --file) in Clerk
  replay           re-apply rejected webhook deliveries (--svix-id, --since/--until),
                   or sign and send an event file (--file) to a webhook URL
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "portal:", err)
		os.Exit(1)
	}
}

var errUsage = errors.New("unknown command (see portal help)")

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return errUsage
	}
	rest := args[1:]
	switch args[0] {
	case "dev":
		return runDev(ctx, rest, stdout)
	case "demo":
		return runDemo(ctx, rest, stdout)
	case "migrate":
		return runMigrate(ctx, rest, stdout)
	case "audit":
		return runAudit(ctx, rest, stdout)
	case "clerk-emulator":
		return runClerkEmulator(ctx, rest, stdout)
	case "seed":
		return runSeed(ctx, rest, stdout, stderr)
	case "replay":
		return runReplay(ctx, rest, stdout, stderr)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	}
	fmt.Fprint(stderr, usage)
	return errUsage
}
