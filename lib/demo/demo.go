// Package demo plays the identity lifecycle against a running dev server:
// through the Clerk emulator's Backend API and the real functions over HTTP,
// printing each step with its HTTP status and the audit rows it produced.
//
// An admin creates tenant "Acme", invites a member who accepts; the session
// check answers with the member's role, then with the promoted one; the
// member is removed, the webhook revokes their sessions and the same token
// is refused; a stale invitation is expired and revoked by the cron; the
// audit chain verifies. Run stops at the first unexpected answer.
package demo

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/portal-auth/portal-auth/lib/devserver"
)

// MaxStaleWait is the longest INVITE_MAX_AGE the demo waits out to make an
// invitation stale.
const MaxStaleWait = time.Minute

// ErrNoEmulator is returned for a target whose Clerk is not the emulator.
var ErrNoEmulator = errors.New("the demo needs the Clerk emulator " +
	"(portal dev without CLERK_SECRET_KEY)")

// Target is the running dev server the demo plays against.
type Target struct {
	// BaseURL serves the functions.
	BaseURL string
	// ClerkAPIURL is the emulator's Backend API (ending in /v1); its admin
	// routes are beside it, under /__emulator/.
	ClerkAPIURL    string
	ClerkSecretKey string
	// CronSecret is the cron's bearer secret.
	CronSecret string
	// DatabaseURL is the functions' database, read for the audit rows.
	DatabaseURL string
	// InviteMaxAge is the cron's INVITE_MAX_AGE.
	InviteMaxAge time.Duration
}

// TargetFromState returns the target a dev server's state file describes.
// It returns ErrNoEmulator when that server runs against real Clerk.
func TargetFromState(st devserver.State) (Target, error) {
	if !st.Emulator {
		return Target{}, ErrNoEmulator
	}
	maxAge, err := time.ParseDuration(st.InviteMaxAge)
	if err != nil {
		return Target{}, fmt.Errorf("dev server state: invite_max_age: %w", err)
	}
	return Target{BaseURL: st.BaseURL, ClerkAPIURL: st.ClerkAPIURL,
		ClerkSecretKey: st.ClerkSecretKey, CronSecret: st.CronSecret,
		DatabaseURL: st.DatabaseURL, InviteMaxAge: maxAge}, nil
}

// Run plays the lifecycle against t, printing to out. It returns an error
// naming the first step whose answer was not the expected one.
func Run(ctx context.Context, t Target, out io.Writer) error {
	if t.InviteMaxAge > MaxStaleWait {
		return fmt.Errorf("INVITE_MAX_AGE is %s, too long to wait for a stale invitation: "+
			"start portal dev with INVITE_MAX_AGE=3s, or run portal demo without --url",
			t.InviteMaxAge)
	}
	pool, err := pgxpool.New(ctx, t.DatabaseURL)
	if err != nil {
		return fmt.Errorf("open database: %w", err)
	}
	defer pool.Close()
	p := &player{
		t: t, out: out, pool: pool, run: runID(),
		http: &http.Client{Timeout: 30 * time.Second},
		emu:  strings.TrimSuffix(t.ClerkAPIURL, "/v1") + "/__emulator",
	}
	if err := p.begin(ctx); err != nil {
		return err
	}
	for _, s := range p.steps() {
		if err := p.play(ctx, s); err != nil {
			return err
		}
	}
	fmt.Fprintf(out, "\ndemo passed: %d steps\n", p.n)
	return nil
}

// runID makes the names of one run unique, so the demo can run again
// against the same server.
func runID() string {
	b := make([]byte, 3)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
