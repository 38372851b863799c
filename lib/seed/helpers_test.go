package seed_test

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/clerk/clerk-sdk-go/v2"
	"github.com/clerk/clerk-sdk-go/v2/invitation"
	"github.com/clerk/clerk-sdk-go/v2/organization"
	"github.com/clerk/clerk-sdk-go/v2/organizationinvitation"
	"github.com/clerk/clerk-sdk-go/v2/organizationmembership"
	"github.com/clerk/clerk-sdk-go/v2/user"

	"github.com/portal-auth/portal-auth/lib/clerkemu"
	"github.com/portal-auth/portal-auth/lib/invites"
	"github.com/portal-auth/portal-auth/lib/seed"
)

var (
	keyOnce sync.Once
	key     *rsa.PrivateKey
)

// startEmu starts a Clerk emulator on loopback, without rate limiting
// unless opts sets one.
func startEmu(t *testing.T, opts clerkemu.Options) *clerkemu.Server {
	t.Helper()
	keyOnce.Do(func() {
		var err error
		if key, err = rsa.GenerateKey(rand.Reader, 2048); err != nil {
			panic(err)
		}
	})
	opts.SigningKey = key
	if opts.RateLimit == 0 {
		opts.RateLimit = -1
	}
	srv, err := clerkemu.Start("", opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	return srv
}

// newSeeder returns a seeder aimed at srv with an unlimited pacer (429s are
// still honoured) sending through rt.
func newSeeder(t *testing.T, srv *clerkemu.Server, rt http.RoundTripper) *seed.Seeder {
	t.Helper()
	s, err := seed.New(seed.Options{
		APIURL: srv.URL(), SecretKey: srv.SecretKey(),
		Pacer: invites.NewPacer(-1, 0), Transport: rt,
	})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func loadDev(t *testing.T) *seed.File {
	t.Helper()
	f, err := seed.Load("../../seeds/dev.yaml")
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// totals counts what the emulator holds, through the Backend API.
type totals struct {
	users, tenants, memberships, orgInvitations, appInvitations int64
}

func count(t *testing.T, srv *clerkemu.Server) totals {
	t.Helper()
	ctx := context.Background()
	url, key := srv.URL(), srv.SecretKey()
	cfg := &clerk.ClientConfig{BackendConfig: clerk.BackendConfig{URL: &url, Key: &key}}
	var out totals
	users, err := user.NewClient(cfg).Count(ctx, &user.ListParams{})
	must(t, err)
	out.users = users.TotalCount
	orgs, err := organization.NewClient(cfg).List(ctx, &organization.ListParams{})
	must(t, err)
	out.tenants = orgs.TotalCount
	pending := []string{"pending"}
	for _, org := range orgs.Organizations {
		ms, err := organizationmembership.NewClient(cfg).List(ctx,
			&organizationmembership.ListParams{OrganizationID: org.ID})
		must(t, err)
		out.memberships += ms.TotalCount
		invs, err := organizationinvitation.NewClient(cfg).List(ctx,
			&organizationinvitation.ListParams{OrganizationID: org.ID, Statuses: &pending})
		must(t, err)
		out.orgInvitations += invs.TotalCount
	}
	apps, err := invitation.NewClient(cfg).List(ctx, &invitation.ListParams{Statuses: pending})
	must(t, err)
	out.appInvitations = apps.TotalCount
	return out
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// exchange is one request seen by recorder.
type exchange struct {
	sent, answered time.Time
	status         int
	retryAfter     time.Duration
}

// recorder is a RoundTripper that records every exchange.
type recorder struct {
	mu  sync.Mutex
	log []exchange
}

func (r *recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	sent := time.Now()
	res, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	ex := exchange{sent: sent, answered: time.Now(), status: res.StatusCode}
	if s, err := strconv.Atoi(res.Header.Get("Retry-After")); err == nil {
		ex.retryAfter = time.Duration(s) * time.Second
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.log = append(r.log, ex)
	return res, nil
}

func (r *recorder) exchanges() []exchange {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]exchange(nil), r.log...)
}

func newJSONLogger(w io.Writer) *slog.Logger {
	return slog.New(slog.NewJSONHandler(w, nil))
}
