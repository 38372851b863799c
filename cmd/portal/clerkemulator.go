package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"

	"github.com/portal-auth/portal-auth/lib/clerkemu"
)

// runClerkEmulator serves the offline Clerk emulator (portal clerk-emulator)
// until ctx is done. It prints the environment lines that point the portal
// at it, then blocks. Flags: --addr (default 127.0.0.1:0), --state (JSON
// file kept across runs, so keys and secrets stay the same) and
// --webhook-url (repeatable or comma-separated).
func runClerkEmulator(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("clerk-emulator", flag.ContinueOnError)
	addr := fs.String("addr", "127.0.0.1:0", "address to listen on")
	statePath := fs.String("state", "", "JSON file to load the state from and save it to")
	var hooks urlList
	fs.Var(&hooks, "webhook-url", "webhook endpoint URL (repeatable, or comma-separated)")
	if err := fs.Parse(args); err != nil {
		return fmt.Errorf("parse flags: %w", err)
	}

	srv, err := clerkemu.Start(*addr, clerkemu.Options{
		StatePath: *statePath,
		Logger:    slog.New(slog.NewJSONHandler(os.Stderr, nil)),
	})
	if err != nil {
		return fmt.Errorf("start clerk emulator: %w", err)
	}
	for _, u := range hooks {
		srv.AddWebhookEndpoint(u)
	}

	if _, err := io.WriteString(stdout, envLines(srv)); err != nil {
		return errors.Join(fmt.Errorf("print environment: %w", err), srv.Close())
	}
	<-ctx.Done()
	if err := srv.Close(); err != nil {
		return fmt.Errorf("close clerk emulator: %w", err)
	}
	return nil
}

// envLines renders the variables to paste into a shell or .env file. The
// PEM key spans lines inside single quotes, which both accept.
func envLines(srv *clerkemu.Server) string {
	var b strings.Builder
	fmt.Fprintf(&b, "CLERK_API_URL=%s\n", srv.URL())
	fmt.Fprintf(&b, "CLERK_SECRET_KEY=%s\n", srv.SecretKey())
	fmt.Fprintf(&b, "CLERK_JWT_KEY='%s'\n", strings.TrimSpace(srv.PublicKeyPEM()))
	fmt.Fprintf(&b, "CLERK_WEBHOOK_SECRET=%s\n", srv.WebhookSecret())
	fmt.Fprintf(&b, "CLERK_PUBLISHABLE_KEY=%s\n", srv.PublishableKey())
	return b.String()
}

// urlList is a repeatable flag whose values may also be comma-separated.
type urlList []string

func (l *urlList) String() string { return strings.Join(*l, ",") }

func (l *urlList) Set(v string) error {
	for _, u := range strings.Split(v, ",") {
		if u = strings.TrimSpace(u); u != "" {
			*l = append(*l, u)
		}
	}
	return nil
}
