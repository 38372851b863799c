package main

import (
	"errors"
	"flag"
	"os"
)

// parseDatabaseURL parses args for a command that needs only a database:
// --database-url, defaulting to $DATABASE_URL, and refuses an empty one.
func parseDatabaseURL(command string, args []string) (string, error) {
	fs := flag.NewFlagSet(command, flag.ContinueOnError)
	url := fs.String("database-url", os.Getenv("DATABASE_URL"), "Postgres URL; default $DATABASE_URL")
	if err := fs.Parse(args); err != nil {
		return "", err
	}
	if *url == "" {
		return "", errors.New(command + ": set DATABASE_URL or --database-url")
	}
	return *url, nil
}
