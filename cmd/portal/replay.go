package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"time"

	"github.com/portal-auth/portal-auth/lib/config"
	"github.com/portal-auth/portal-auth/lib/replay"
	"github.com/portal-auth/portal-auth/lib/store"
)

// replayFlags are the flags of portal replay.
type replayFlags struct {
	svixID, since, until, file, url, secret, databaseURL string
}

// runReplay re-applies rejected webhook deliveries (portal replay --svix-id
// ID, or --since/--until), or signs and sends a local event file (portal
// replay --file FILE). Deliveries are sent to --url, signed with --secret
// (default: the first CLERK_WEBHOOK_SECRET). It prints one line per
// delivery and fails when one is left unapplied.
func runReplay(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	f, err := parseReplayFlags(args, stderr)
	if err != nil {
		return err
	}
	cfg, err := config.Load(os.Getenv)
	if err != nil {
		return err
	}
	secret := f.secret
	if secret == "" && len(cfg.WebhookSecrets) > 0 {
		secret = cfg.WebhookSecrets[0]
	}
	if secret == "" {
		return errors.New("replay: set CLERK_WEBHOOK_SECRET or --secret")
	}
	sender, err := replay.NewSender(f.url, secret, nil)
	if err != nil {
		return err
	}
	if f.file != "" {
		return sendFile(ctx, sender, f.file, stdout)
	}
	sel, err := f.selection(time.Now())
	if err != nil {
		return err
	}
	dbURL := f.databaseURL
	if dbURL == "" {
		dbURL = cfg.DatabaseURL
	}
	if dbURL == "" {
		return errors.New("replay: set DATABASE_URL or --database-url")
	}
	logger := slog.New(slog.NewJSONHandler(stderr, &slog.HandlerOptions{Level: cfg.LogLevel}))
	return replayStored(ctx, dbURL, sender, sel, stdout, logger)
}

func parseReplayFlags(args []string, stderr io.Writer) (*replayFlags, error) {
	fs := flag.NewFlagSet("replay", flag.ContinueOnError)
	fs.SetOutput(stderr)
	f := &replayFlags{}
	fs.StringVar(&f.svixID, "svix-id", "", "replay the rejected delivery with this svix-id")
	fs.StringVar(&f.since, "since", "", "replay rejected deliveries received from this time "+
		"(RFC 3339, or a duration ago such as 24h)")
	fs.StringVar(&f.until, "until", "", "... and before this time (same forms)")
	fs.StringVar(&f.file, "file", "", "sign and send this event file instead")
	fs.StringVar(&f.url, "url", replay.DefaultURL, "webhook URL to send to")
	fs.StringVar(&f.secret, "secret", "", "whsec_ signing secret; default $CLERK_WEBHOOK_SECRET")
	fs.StringVar(&f.databaseURL, "database-url", "", "Postgres URL; default $DATABASE_URL")
	if err := fs.Parse(args); err != nil {
		return nil, fmt.Errorf("parse flags: %w", err)
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("replay: unexpected argument %q", fs.Arg(0))
	}
	modes := 0
	for _, set := range []bool{f.file != "", f.svixID != "", f.since != "" || f.until != ""} {
		if set {
			modes++
		}
	}
	if modes != 1 {
		return nil, errors.New("replay: give one of --svix-id, --since/--until or --file")
	}
	return f, nil
}

// selection turns the flags into a replay.Selection, reading times as of now.
func (f *replayFlags) selection(now time.Time) (replay.Selection, error) {
	sel := replay.Selection{SvixID: f.svixID}
	var err error
	if sel.Since, err = replay.ParseWhen(f.since, now); err != nil {
		return sel, fmt.Errorf("replay: --since: %w", err)
	}
	if sel.Until, err = replay.ParseWhen(f.until, now); err != nil {
		return sel, fmt.Errorf("replay: --until: %w", err)
	}
	return sel, nil
}

// sendFile signs the file's bytes as they are under a fresh message id and
// prints the answer; a non-2xx answer is an error.
func sendFile(ctx context.Context, sender *replay.Sender, path string, stdout io.Writer) error {
	body, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("replay: read event file: %w", err)
	}
	id := replay.NewMessageID()
	ans, err := sender.Send(ctx, id, body)
	if err != nil {
		return fmt.Errorf("replay: %w", err)
	}
	fmt.Fprintf(stdout, "sent %s as %s: %s\n", path, id, ans)
	if !ans.OK() {
		return fmt.Errorf("replay: the webhook answered %s", ans)
	}
	return nil
}

// replayStored replays the selected deliveries and prints one line each
// (svix-id, event type, replay id, answer, outcome) and a count.
func replayStored(ctx context.Context, dbURL string, sender *replay.Sender,
	sel replay.Selection, stdout io.Writer, logger *slog.Logger) error {
	pool, err := store.NewPool(ctx, dbURL)
	if err != nil {
		return err
	}
	defer pool.Close()

	results, runErr := replay.New(pool, sender, logger).Run(ctx, sel)
	problems := 0
	for _, r := range results {
		line := fmt.Sprintf("%s %s -> %s: %s, %s", r.SvixID, r.EventType, orDash(r.ReplayID),
			r.Answer, r.Outcome)
		if r.Err != nil {
			line += " (" + r.Err.Error() + ")"
		}
		fmt.Fprintln(stdout, line)
		if r.Outcome.Problem() {
			problems++
		}
	}
	if runErr != nil {
		return runErr
	}
	fmt.Fprintf(stdout, "deliveries selected: %d, left unapplied: %d\n", len(results), problems)
	if problems > 0 {
		return fmt.Errorf("replay: %d deliveries left unapplied", problems)
	}
	return nil
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
