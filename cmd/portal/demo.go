package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"strings"

	"github.com/portal-auth/portal-auth/lib/demo"
	"github.com/portal-auth/portal-auth/lib/devserver"
	"github.com/portal-auth/portal-auth/lib/obs"
)

// runDemo plays the identity lifecycle (portal demo) and fails on the first
// unexpected answer. Without --url it is self-contained: it starts its own
// dev server with a disposable PostgreSQL and the Clerk emulator, whatever
// DATABASE_URL says. With --url it plays against a running portal dev,
// found through the state file that server wrote.
func runDemo(ctx context.Context, args []string, stdout io.Writer) error {
	flags := flag.NewFlagSet("demo", flag.ContinueOnError)
	url := flags.String("url", "", "base URL of a running portal dev (default: start one)")
	stateFile := flags.String("state-file", devserver.DefaultStateFile,
		"state file of the running portal dev (with --url)")
	if err := flags.Parse(args); err != nil {
		return err
	}
	if *url == "" {
		return demo.RunSelfContained(ctx, demo.Options{
			Out:    stdout,
			Getenv: func(string) string { return "" },
			Logger: obs.NewLogger(os.Stderr, slog.LevelError),
		})
	}
	target, err := runningTarget(*stateFile, *url)
	if err != nil {
		return err
	}
	return demo.Run(ctx, target, stdout)
}

// runningTarget reads the state file of the portal dev serving url.
func runningTarget(stateFile, url string) (demo.Target, error) {
	st, err := devserver.ReadState(stateFile)
	if errors.Is(err, fs.ErrNotExist) {
		return demo.Target{}, fmt.Errorf("no running portal dev described in %s: start "+
			"portal dev (with INVITE_MAX_AGE=3s), or run portal demo without --url", stateFile)
	}
	if err != nil {
		return demo.Target{}, err
	}
	if strings.TrimSuffix(url, "/") != st.BaseURL {
		return demo.Target{}, fmt.Errorf("%s describes the portal dev at %s, not %s",
			stateFile, st.BaseURL, url)
	}
	return demo.TargetFromState(st)
}
