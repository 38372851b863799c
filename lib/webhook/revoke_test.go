package webhook_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/clerk/clerk-sdk-go/v2"
	"github.com/clerk/clerk-sdk-go/v2/organizationmembership"

	"github.com/portal-auth/portal-auth/lib/clerkapi"
	"github.com/portal-auth/portal-auth/lib/clerkemu"
	"github.com/portal-auth/portal-auth/lib/outbox"
)

// clerkWorld is the webhook function wired to a Clerk emulator over HTTP:
// the emulator's webhooks are delivered to the function, and the function's
// revocations reach the emulator's Backend API.
type clerkWorld struct {
	*env
	emu    *clerkemu.Server
	member string
	org    string
	sessID string
}

func newClerkWorld(t *testing.T) *clerkWorld {
	t.Helper()
	emu, err := clerkemu.Start("", clerkemu.Options{
		WebhookSecret: testSecret,
		RetrySchedule: []time.Duration{0, 10 * time.Millisecond, 50 * time.Millisecond},
		RateLimit:     -1,
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { emu.Close() })
	client := clerkapi.New(emu.URL(), emu.SecretKey(), nil)
	runner := &outbox.Runner{Executor: outbox.ClerkExecutor{Client: client}}
	e := newEnv(t, withRunner(runner))
	runner.Pool, runner.Logger = e.pool, discardLogger()
	emu.AddWebhookEndpoint(e.server.URL)

	w := &clerkWorld{env: e, emu: emu}
	admin, err := emu.CreateUser(clerkemu.UserParams{EmailAddresses: []string{"admin@example.com"}})
	if err != nil {
		t.Fatal(err)
	}
	member, err := emu.CreateUser(clerkemu.UserParams{EmailAddresses: []string{"member@example.com"}})
	if err != nil {
		t.Fatal(err)
	}
	org, err := emu.CreateOrganization(clerkemu.OrganizationParams{Name: "Acme", CreatedBy: admin.ID})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := emu.AddMembership(org.ID, member.ID, "org:member"); err != nil {
		t.Fatal(err)
	}
	sess, _, err := emu.SignIn(member.ID, org.ID)
	if err != nil {
		t.Fatal(err)
	}
	w.member, w.org, w.sessID = member.ID, org.ID, sess.ID
	w.settle()
	return w
}

// settle waits until the emulator has delivered every webhook.
func (w *clerkWorld) settle() {
	w.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := w.emu.WaitIdle(ctx); err != nil {
		w.t.Fatalf("webhooks did not settle: %v", err)
	}
}

func (w *clerkWorld) removeMember() {
	w.t.Helper()
	key, url := w.emu.SecretKey(), w.emu.URL()
	memberships := organizationmembership.NewClient(&clerk.ClientConfig{
		BackendConfig: clerk.BackendConfig{Key: &key, URL: &url},
	})
	if _, err := memberships.Delete(context.Background(), &organizationmembership.DeleteParams{
		OrganizationID: w.org, UserID: w.member,
	}); err != nil {
		w.t.Fatal(err)
	}
	w.settle()
}

func (w *clerkWorld) sessionStatus() string {
	w.t.Helper()
	s, err := w.emu.Session(w.sessID)
	if err != nil {
		w.t.Fatal(err)
	}
	return string(s.Status)
}

func TestRemovedMemberIsLoggedOutThroughClerk(t *testing.T) {
	w := newClerkWorld(t)
	if got := w.sessionStatus(); got != "active" {
		t.Fatalf("session before removal = %s", got)
	}
	w.removeMember()

	if got := w.sessionStatus(); got != "revoked" {
		t.Errorf("session after removal = %s, want revoked", got)
	}
	if n := w.count(`SELECT count(*) FROM clerk_actions WHERE target_id = $1
		AND status = 'done' AND attempts = 1`, w.member); n != 1 {
		t.Error("the revocation is not recorded as done")
	}
	if n := w.count(`SELECT count(*) FROM sessions WHERE id = $1 AND status = 'revoked'`,
		w.sessID); n != 1 {
		t.Error("the session.revoked webhook did not reach the database")
	}
}

func TestClerkFailureDuringRevocationStaysQueued(t *testing.T) {
	for _, c := range []struct {
		name  string
		fault clerkemu.Fault
	}{
		{"500", clerkemu.Fault{Status: http.StatusInternalServerError}},
		{"429", clerkemu.Fault{Status: http.StatusTooManyRequests}},
		{"html 502", clerkemu.Fault{Status: http.StatusBadGateway, Body: "<html>bad gateway</html>"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			w := newClerkWorld(t)
			w.emu.SetFault("GET /sessions", c.fault)
			w.removeMember()

			for _, m := range w.emu.Messages() {
				if m.EventType == "organizationMembership.deleted" && m.State != clerkemu.MessageDelivered {
					t.Errorf("the webhook was not answered 200: %s", m.State)
				}
			}
			if got := w.sessionStatus(); got != "active" {
				t.Errorf("session = %s, want still active while Clerk fails", got)
			}
			if n := w.count(`SELECT count(*) FROM clerk_actions WHERE target_id = $1
				AND status = 'pending' AND attempts = 1 AND last_error IS NOT NULL
				AND next_attempt_at > now()`, w.member); n != 1 {
				t.Error("the failed revocation is not queued with its attempt and error")
			}
		})
	}
}
