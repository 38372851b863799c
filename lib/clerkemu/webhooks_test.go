package clerkemu

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/clerk/clerk-sdk-go/v2"
	"github.com/clerk/clerk-sdk-go/v2/organization"
	"github.com/clerk/clerk-sdk-go/v2/organizationinvitation"
	"github.com/clerk/clerk-sdk-go/v2/organizationmembership"
	"github.com/clerk/clerk-sdk-go/v2/session"
	"github.com/clerk/clerk-sdk-go/v2/user"
	"github.com/google/go-cmp/cmp"
	svix "github.com/svix/svix-webhooks/go"
)

func waitIdle(t *testing.T, s *Server) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := s.WaitIdle(ctx); err != nil {
		t.Fatalf("WaitIdle: %v", err)
	}
}

// runStory plays the fixtures' story through the SDK: Jane signs up and
// creates a tenant, invites Sam, who accepts, is promoted, removed, banned
// and deleted; an invitation is revoked; Jane's sessions end; the tenant is
// deleted.
func runStory(t *testing.T, s *Server) {
	t.Helper()
	ctx := context.Background()
	cfg := config(s)
	jane, err := s.CreateUser(UserParams{EmailAddresses: []string{"jane@example.com"},
		FirstName: "Jane"})
	must(t, err)
	org, err := organization.NewClient(cfg).Create(ctx, &organization.CreateParams{
		Name: clerk.String("Acme Logistics"), CreatedBy: clerk.String(jane.ID)})
	must(t, err)
	_, err = organization.NewClient(cfg).Update(ctx, org.ID,
		&organization.UpdateParams{Name: clerk.String("Acme")})
	must(t, err)
	invs := organizationinvitation.NewClient(cfg)
	inv, err := invs.Create(ctx, &organizationinvitation.CreateParams{OrganizationID: org.ID,
		EmailAddress: clerk.String("sam@example.com"), Role: clerk.String("org:member")})
	must(t, err)
	other, err := invs.Create(ctx, &organizationinvitation.CreateParams{OrganizationID: org.ID,
		EmailAddress: clerk.String("alex@example.com"), Role: clerk.String("org:member")})
	must(t, err)
	_, err = invs.Revoke(ctx, &organizationinvitation.RevokeParams{OrganizationID: org.ID,
		ID: other.ID})
	must(t, err)
	acc, err := s.AcceptOrganizationInvitation(org.ID, inv.ID, "")
	must(t, err)
	_, _, err = s.SignIn(acc.UserID, "")
	must(t, err)
	members := organizationmembership.NewClient(cfg)
	_, err = members.Update(ctx, &organizationmembership.UpdateParams{OrganizationID: org.ID,
		UserID: acc.UserID, Role: clerk.String("org:admin")})
	must(t, err)
	_, err = members.Delete(ctx, &organizationmembership.DeleteParams{OrganizationID: org.ID,
		UserID: acc.UserID})
	must(t, err)
	_, err = user.NewClient(cfg).Ban(ctx, acc.UserID)
	must(t, err)
	_, err = user.NewClient(cfg).Delete(ctx, acc.UserID)
	must(t, err)
	a, _, err := s.SignIn(jane.ID, org.ID)
	must(t, err)
	_, err = session.NewClient(cfg).Create(ctx, &session.CreateParams{UserID: jane.ID})
	must(t, err)
	b, _, err := s.SignIn(jane.ID, org.ID)
	must(t, err)
	_, err = s.EndSession(a.ID)
	must(t, err)
	_, err = s.RemoveSession(b.ID)
	must(t, err)
	_, err = organization.NewClient(cfg).Delete(ctx, org.ID)
	must(t, err)
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func TestWebhookPayloadsMatchFixtures(t *testing.T) {
	s := startEmu(t, Options{})
	rc := newReceiver(t)
	s.AddWebhookEndpoint(rc.URL)
	runStory(t, s)
	waitIdle(t, s)

	wh, err := svix.NewWebhook(s.WebhookSecret())
	must(t, err)
	seen := map[string]bool{}
	for _, d := range rc.deliveries() {
		if err := wh.Verify(d.Body, d.Header); err != nil {
			t.Fatalf("Verify: %v", err)
		}
		var got map[string]any
		must(t, json.Unmarshal(d.Body, &got))
		typ := got["type"].(string)
		if seen[typ] {
			continue
		}
		seen[typ] = true
		want := readFixture(t, typ)
		if diff := cmp.Diff(shape(want), shape(got)); diff != "" {
			t.Errorf("%s shape (-fixture +emulator):\n%s", typ, diff)
		}
	}
	fixtures, _ := filepath.Glob("testdata/clerk-events/*.json")
	for _, f := range fixtures {
		if typ := strings.TrimSuffix(filepath.Base(f), ".json"); !seen[typ] {
			t.Errorf("story emitted no %s", typ)
		}
	}
}

func readFixture(t *testing.T, typ string) map[string]any {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "clerk-events", typ+".json"))
	must(t, err)
	var v map[string]any
	must(t, json.Unmarshal(b, &v))
	return v
}

// shape lists the key paths of the objects in v (metadata contents and
// array elements other than the first are skipped). A session's
// last_active_organization_id is left out: it is there only when the
// session has an active organization.
func shape(v any) []string {
	var paths []string
	var walk func(prefix string, v any)
	walk = func(prefix string, v any) {
		switch x := v.(type) {
		case map[string]any:
			for k, sub := range x {
				p := prefix + "." + k
				if p == ".data.last_active_organization_id" {
					continue
				}
				paths = append(paths, p)
				if !strings.HasSuffix(k, "metadata") {
					walk(p, sub)
				}
			}
		case []any:
			if len(x) > 0 {
				walk(prefix+"[]", x[0])
			}
		}
	}
	walk("", v)
	sort.Strings(paths)
	return paths
}

func TestWebhookRetriesWithFreshTimestamps(t *testing.T) {
	clock := &stepClock{base: time.Now()}
	s := startEmu(t, Options{Now: clock.Now})
	rc := newReceiver(t, 500, 302)
	s.AddWebhookEndpoint(rc.URL)

	_, err := s.CreateUser(UserParams{EmailAddresses: []string{"r@example.com"}})
	must(t, err)
	waitIdle(t, s)

	got := rc.deliveries()
	if len(got) != 3 {
		t.Fatalf("%d deliveries, want 3", len(got))
	}
	wh, _ := svix.NewWebhook(s.WebhookSecret())
	var stamps []string
	for _, d := range got {
		if err := wh.Verify(d.Body, d.Header); err != nil {
			t.Errorf("Verify: %v", err)
		}
		if d.Header.Get("svix-id") != got[0].Header.Get("svix-id") {
			t.Error("svix-id changed between retries")
		}
		stamps = append(stamps, d.Header.Get("svix-timestamp"))
	}
	if len(slices.Compact(slices.Clone(stamps))) != 3 {
		t.Errorf("timestamps not fresh per attempt: %v", stamps)
	}
	msgs := s.Messages()
	if len(msgs) != 1 || msgs[0].State != MessageDelivered || len(msgs[0].Attempts) != 3 ||
		msgs[0].Attempts[0].StatusCode != 500 || msgs[0].Attempts[1].StatusCode != 302 {
		t.Errorf("messages = %+v", msgs)
	}
}

func TestWebhookFreshIDPerMessage(t *testing.T) {
	s := startEmu(t, Options{})
	rc := newReceiver(t)
	s.AddWebhookEndpoint(rc.URL)
	for _, email := range []string{"a@example.com", "b@example.com", "c@example.com"} {
		_, err := s.CreateUser(UserParams{EmailAddresses: []string{email}})
		must(t, err)
	}
	waitIdle(t, s)

	ids := map[string]bool{}
	for _, d := range rc.deliveries() {
		id := d.Header.Get("svix-id")
		if !strings.HasPrefix(id, "msg_") || ids[id] {
			t.Errorf("svix-id %q not fresh", id)
		}
		ids[id] = true
	}
	if len(ids) != 3 {
		t.Errorf("%d distinct ids, want 3", len(ids))
	}
}

func TestWebhookGivesUp(t *testing.T) {
	s := startEmu(t, Options{})
	rc := newReceiver(t, 500, 500, 500, 500)
	s.AddWebhookEndpoint(rc.URL)
	_, err := s.CreateUser(UserParams{EmailAddresses: []string{"g@example.com"}})
	must(t, err)
	waitIdle(t, s)

	msgs := s.Messages()
	if len(msgs) != 1 || msgs[0].State != MessageFailed || len(msgs[0].Attempts) != 3 {
		t.Errorf("messages = %+v", msgs)
	}
}

func TestWebhookChaosDuplicate(t *testing.T) {
	s := startEmu(t, Options{})
	rc := newReceiver(t)
	s.AddWebhookEndpoint(rc.URL)
	s.SetWebhookChaos(Chaos{Duplicate: true, MaxJitter: 5 * time.Millisecond})
	_, err := s.CreateUser(UserParams{EmailAddresses: []string{"d@example.com"}})
	must(t, err)
	waitIdle(t, s)

	got := rc.deliveries()
	if len(got) != 2 || got[0].Header.Get("svix-id") != got[1].Header.Get("svix-id") {
		t.Errorf("want the same message twice, got %d deliveries", len(got))
	}
}

func TestCloseStopsDeliveries(t *testing.T) {
	first := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case first <- struct{}{}:
		default:
		}
		w.WriteHeader(http.StatusInternalServerError)
	}))
	defer srv.Close()
	e, err := New(Options{SigningKey: sharedKey(t), RetrySchedule: []time.Duration{0, time.Hour}})
	must(t, err)
	e.AddWebhookEndpoint(srv.URL)

	go func() { _, _ = e.CreateUser(UserParams{EmailAddresses: []string{"c@example.com"}}) }()
	<-first
	done := make(chan error)
	go func() { done <- e.Close() }()
	select {
	case err := <-done:
		must(t, err)
	case <-time.After(5 * time.Second):
		t.Fatal("Close did not stop the retry")
	}
	must(t, e.WaitIdle(context.Background()))
	if msgs := e.Messages(); len(msgs) != 1 || msgs[0].State != MessageCancelled {
		t.Errorf("messages = %+v", msgs)
	}
}

func TestStoryEventSequence(t *testing.T) {
	s := startEmu(t, Options{})
	runStory(t, s)

	var got []string
	for _, ev := range s.Events() {
		got = append(got, ev.Type)
	}
	want := []string{
		"user.created", "organization.created", "organizationMembership.created",
		"organization.updated", "organizationInvitation.created",
		"organizationInvitation.created", "organizationInvitation.revoked",
		"user.created", "organizationMembership.created", "organizationInvitation.accepted",
		"session.created", "organizationMembership.updated", "organizationMembership.deleted",
		"user.updated", "session.revoked", "user.deleted",
		"session.created", "session.created", "session.created",
		"session.ended", "session.removed", "organization.deleted",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("event types (-want +got):\n%s", diff)
	}
}
