package seed_test

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/portal-auth/portal-auth/lib/clerkemu"
	"github.com/portal-auth/portal-auth/lib/seed"
)

// devTotals is what seeds/dev.yaml describes.
var devTotals = totals{users: 4, tenants: 2, memberships: 5, orgInvitations: 2, appInvitations: 1}

func TestSeedCreatesEverythingOnceAndNothingOnRerun(t *testing.T) {
	srv := startEmu(t, clerkemu.Options{})
	f := loadDev(t)
	// One user exists before the first run: it must be found, not duplicated.
	if _, err := srv.CreateUser(clerkemu.UserParams{
		EmailAddresses: []string{"max.member@example.com"}}); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()

	first, err := newSeeder(t, srv, nil).Run(ctx, f)
	if err != nil {
		t.Fatalf("first run: %v", err)
	}
	if c, p := first.Count(seed.KindUser); c != 3 || p != 1 {
		t.Errorf("first run users: %d created, %d present; want 3, 1", c, p)
	}
	if got, want := first.Created(), 13; got != want {
		t.Errorf("first run created %d objects, want %d", got, want)
	}
	if diff := cmp.Diff(devTotals, count(t, srv), cmp.AllowUnexported(totals{})); diff != "" {
		t.Errorf("after first run (-want +got):\n%s", diff)
	}
	var out bytes.Buffer
	if err := first.Write(&out); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "users                    3 created, 1 already present\n") ||
		strings.Contains(out.String(), "@") {
		t.Errorf("summary lacks the user counts or names an address:\n%s", out.String())
	}

	second, err := newSeeder(t, srv, nil).Run(ctx, f)
	if err != nil {
		t.Fatalf("second run: %v", err)
	}
	if n := second.Created(); n != 0 {
		t.Errorf("second run created %d objects, want none: %+v", n, second.Items)
	}
	if len(second.Items) != len(first.Items) {
		t.Errorf("second run found %d objects, want %d", len(second.Items), len(first.Items))
	}
	if diff := cmp.Diff(first.Items, withCreated(second.Items, first.Items)); diff != "" {
		t.Errorf("second run found other ids (-first +second):\n%s", diff)
	}
	if diff := cmp.Diff(devTotals, count(t, srv), cmp.AllowUnexported(totals{})); diff != "" {
		t.Errorf("after second run (-want +got):\n%s", diff)
	}
}

// withCreated copies the Created flags of ref onto items, so that only the
// kinds and ids are compared.
func withCreated(items, ref []seed.Item) []seed.Item {
	out := append([]seed.Item(nil), items...)
	for i := range out {
		if i < len(ref) {
			out[i].Created = ref[i].Created
		}
	}
	return out
}

func TestSeedWaitsForRetryAfterAndRetriesTheSameCall(t *testing.T) {
	srv := startEmu(t, clerkemu.Options{})
	srv.SetRateLimit(8, time.Second)
	rec := &recorder{}

	start := time.Now()
	sum, err := newSeeder(t, srv, rec).Run(context.Background(), loadDev(t))
	if err != nil {
		t.Fatalf("run: %v", err)
	}

	log := rec.exchanges()
	limited := 0
	for i, ex := range log {
		if ex.status != http.StatusTooManyRequests {
			continue
		}
		limited++
		if ex.retryAfter < time.Second {
			t.Fatalf("429 without a usable Retry-After: %+v", ex)
		}
		if i+1 == len(log) {
			t.Fatal("the last answer was a 429: the call was not retried")
		}
		if gap := log[i+1].sent.Sub(ex.answered); gap < ex.retryAfter-50*time.Millisecond {
			t.Errorf("request %d sent %v after a 429 asking for %v", i+1, gap, ex.retryAfter)
		}
	}
	if limited == 0 {
		t.Fatalf("no 429 in %d requests; the test did not exercise rate limiting", len(log))
	}
	srv.SetRateLimit(-1, 0) // the checks below are not part of the run
	if sum.Created() != 14 {
		t.Errorf("created %d objects, want 14", sum.Created())
	}
	if diff := cmp.Diff(devTotals, count(t, srv), cmp.AllowUnexported(totals{})); diff != "" {
		t.Errorf("after a rate-limited run (-want +got):\n%s", diff)
	}
	t.Logf("%d requests, %d answered 429, %v", len(log), limited, time.Since(start))
}

func TestSeedRefusesLiveKeyWithoutFlag(t *testing.T) {
	srv := startEmu(t, clerkemu.Options{SecretKey: "sk_live_emulatedProductionKey0123456789"})
	rec := &recorder{}
	opts := seed.Options{APIURL: srv.URL(), SecretKey: srv.SecretKey(), Transport: rec}

	if _, err := seed.New(opts); !errors.Is(err, seed.ErrLiveInstance) {
		t.Fatalf("New with an sk_live_ key = %v, want ErrLiveInstance", err)
	}

	opts.AllowLive = true
	s, err := seed.New(opts)
	if err != nil {
		t.Fatalf("New with AllowLive: %v", err)
	}
	if _, err := s.Run(context.Background(), loadDev(t)); err != nil {
		t.Fatalf("run with AllowLive: %v", err)
	}
	if len(rec.exchanges()) == 0 {
		t.Error("AllowLive sent no request")
	}
}

func TestSeedErrorNamesPositionNotAddress(t *testing.T) {
	srv := startEmu(t, clerkemu.Options{})
	srv.SetFault("POST /organizations", clerkemu.Fault{Status: http.StatusUnprocessableEntity})
	var logs bytes.Buffer
	s, err := seed.New(seed.Options{APIURL: srv.URL(), SecretKey: srv.SecretKey(),
		Logger: newJSONLogger(&logs)})
	if err != nil {
		t.Fatal(err)
	}

	_, err = s.Run(context.Background(), loadDev(t))
	if err == nil || !strings.Contains(err.Error(), "tenants[0]: create organization") {
		t.Fatalf("error = %v, want it to name tenants[0] and the failed call", err)
	}
	if strings.Contains(logs.String(), "@example.com") {
		t.Errorf("logs name an address:\n%s", logs.String())
	}
	if !strings.Contains(logs.String(), `"kind":"user"`) {
		t.Errorf("logs lack the per-object lines:\n%s", logs.String())
	}
}
