package seed

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/clerk/clerk-sdk-go/v2"
	"github.com/clerk/clerk-sdk-go/v2/invitation"
	"github.com/clerk/clerk-sdk-go/v2/organization"
	"github.com/clerk/clerk-sdk-go/v2/organizationinvitation"
	"github.com/clerk/clerk-sdk-go/v2/organizationmembership"
	"github.com/clerk/clerk-sdk-go/v2/user"

	"github.com/portal-auth/portal-auth/lib/clerkapi"
	"github.com/portal-auth/portal-auth/lib/invites"
)

// ErrLiveInstance is returned by New for an sk_live_ key unless
// Options.AllowLive is set.
var ErrLiveInstance = errors.New("refusing to seed a production Clerk instance (sk_live_ key)")

// Rate limiting and retries.
const (
	// DefaultRate is Clerk's development-instance limit per RateWindow.
	DefaultRate = 100
	// RateWindow is the window of Clerk's rate limit.
	RateWindow = 10 * time.Second
	// MaxAttempts bounds the tries of one call answered 429.
	MaxAttempts = 10
	callTimeout = 15 * time.Second
)

// Options configure a Seeder.
type Options struct {
	// APIURL is the Backend API base URL, ending in /v1.
	APIURL string
	// SecretKey is the Backend API key.
	SecretKey string
	// AllowLive permits an sk_live_ key.
	AllowLive bool
	// Pacer spaces out calls; nil means DefaultRate requests per RateWindow.
	Pacer *invites.Pacer
	// Transport sends the requests; nil means http.DefaultTransport.
	Transport http.RoundTripper
	// Logger receives one line per object and per 429; nil discards.
	Logger *slog.Logger
}

// Seeder creates the objects of a seed file that do not exist yet. It runs
// one file at a time.
type Seeder struct {
	log         *slog.Logger
	users       *user.Client
	orgs        *organization.Client
	memberships *organizationmembership.Client
	orgInvites  *organizationinvitation.Client
	appInvites  *invitation.Client
	pacer       *invites.Pacer
	summary     *Summary
	userIDs     map[string]string // by lower-case address
}

// New returns a Seeder for the instance opts point at. It returns
// ErrLiveInstance for a production key without AllowLive, and an error
// when the URL or key is missing.
func New(opts Options) (*Seeder, error) {
	if opts.APIURL == "" || opts.SecretKey == "" {
		return nil, errors.New("seed: Backend API URL and secret key are required")
	}
	if strings.HasPrefix(opts.SecretKey, "sk_live_") && !opts.AllowLive {
		return nil, ErrLiveInstance
	}
	if opts.Pacer == nil {
		opts.Pacer = invites.NewPacer(DefaultRate, RateWindow)
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	httpClient := &http.Client{Timeout: callTimeout, Transport: opts.Transport}
	cfg := &clerk.ClientConfig{BackendConfig: clerk.BackendConfig{
		URL: &opts.APIURL, Key: &opts.SecretKey, HTTPClient: httpClient,
	}}
	return &Seeder{
		log:         opts.Logger,
		pacer:       opts.Pacer,
		users:       user.NewClient(cfg),
		orgs:        organization.NewClient(cfg),
		memberships: organizationmembership.NewClient(cfg),
		orgInvites:  organizationinvitation.NewClient(cfg),
		appInvites:  invitation.NewClient(cfg),
	}, nil
}

// Run seeds f: users, then tenants with their memberships and invitations,
// then application invitations. It stops at the first failed call and
// returns what was done so far with the error, which names the position
// in the file (never an address).
func (s *Seeder) Run(ctx context.Context, f *File) (*Summary, error) {
	s.summary = &Summary{}
	s.userIDs = map[string]string{}
	for i, u := range f.Users {
		if err := s.seedUser(ctx, u); err != nil {
			return s.summary, fmt.Errorf("users[%d]: %w", i, err)
		}
	}
	for i, t := range f.Tenants {
		if err := s.seedTenant(ctx, t); err != nil {
			return s.summary, fmt.Errorf("tenants[%d]: %w", i, err)
		}
	}
	for i, inv := range f.ApplicationInvitations {
		if err := s.seedApplicationInvitation(ctx, inv); err != nil {
			return s.summary, fmt.Errorf("application_invitations[%d]: %w", i, err)
		}
	}
	return s.summary, nil
}

func (s *Seeder) seedTenant(ctx context.Context, t Tenant) error {
	orgID, err := s.seedOrganization(ctx, t)
	if err != nil {
		return err
	}
	for j, m := range t.Members {
		if err := s.seedMembership(ctx, orgID, m); err != nil {
			return fmt.Errorf("members[%d]: %w", j, err)
		}
	}
	for j, inv := range t.Invitations {
		if err := s.seedOrgInvitation(ctx, orgID, inv); err != nil {
			return fmt.Errorf("invitations[%d]: %w", j, err)
		}
	}
	return nil
}

// record notes one object in the summary and logs it without personal data.
func (s *Seeder) record(ctx context.Context, kind Kind, id string, created bool) {
	s.summary.add(kind, id, created)
	outcome := "present"
	if created {
		outcome = "created"
	}
	s.log.InfoContext(ctx, "seed object", "kind", string(kind), "id", id, "outcome", outcome)
}

// call runs fn when the pacer allows, and again while Clerk answers 429,
// after pausing the pacer for the answer's Retry-After. Only a 429 is
// retried: it means the call did nothing, so a create cannot be doubled.
func call[T any](ctx context.Context, s *Seeder, op string,
	fn func(context.Context) (T, error)) (T, error) {
	for attempt := 1; ; attempt++ {
		var zero T
		if err := s.pacer.Wait(ctx); err != nil {
			return zero, fmt.Errorf("%s: %w", op, err)
		}
		v, err := fn(ctx)
		wait, limited := clerkapi.RetryAfter(err)
		if !limited || attempt >= MaxAttempts {
			if err != nil {
				return v, fmt.Errorf("%s: %w", op, err)
			}
			return v, nil
		}
		s.pacer.Pause(max(wait, time.Second))
		s.log.WarnContext(ctx, "clerk rate limited", "op", op, "attempt", attempt,
			"retry_after_ms", wait.Milliseconds())
	}
}
