package devserver

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/clerk/clerk-sdk-go/v2"
	"github.com/clerk/clerk-sdk-go/v2/organization"
	"github.com/clerk/clerk-sdk-go/v2/user"

	"github.com/portal-auth/portal-auth/lib/clerkemu"
)

// The seeded account: a user who administers tenant "Acme".
const (
	SeedEmail      = "dev@example.com"
	SeedTenantName = "Acme"
	SeedTenantSlug = "acme"
	// SeedTokenLifetime is how long the printed token lives. Clerk's live
	// 60 s; a longer one leaves time to paste it.
	SeedTokenLifetime = time.Hour
)

// seedTimeout bounds seeding, webhook deliveries included.
const seedTimeout = 15 * time.Second

// Seed is the seeded user, signed in to the seeded tenant.
type Seed struct {
	UserID    string
	TenantID  string
	SessionID string
	// Token is a session token for the session, valid until TokenExpiry.
	Token       string
	TokenExpiry time.Time
}

// seedEmulator finds or creates the seeded user and tenant, signs the user
// in, mints a token and waits until the emulator's webhooks have landed, so
// the session check accepts the token.
func seedEmulator(ctx context.Context, env *Env) (*Seed, error) {
	ctx, cancel := context.WithTimeout(ctx, seedTimeout)
	defer cancel()
	emu := env.Emulator
	userID, tenantID, err := seedAccount(ctx, emu)
	if err != nil {
		return nil, fmt.Errorf("seed emulator: %w", err)
	}
	session, err := signInAdmin(emu, userID, tenantID)
	if err != nil {
		return nil, fmt.Errorf("seed emulator: sign in: %w", err)
	}
	s := &Seed{UserID: userID, TenantID: tenantID, SessionID: session.ID,
		TokenExpiry: time.Now().Add(SeedTokenLifetime).Truncate(time.Second)}
	s.Token, err = emu.MintSessionToken(clerkemu.TokenParams{
		SessionID: session.ID, Lifetime: SeedTokenLifetime})
	if err != nil {
		return nil, fmt.Errorf("seed emulator: %w", err)
	}
	if err := emu.WaitIdle(ctx); err != nil {
		return nil, fmt.Errorf("seed emulator: wait for webhooks: %w", err)
	}
	return s, nil
}

// seedAccount returns the seeded user and tenant, creating what the
// emulator (whose state may persist between runs) does not hold yet.
func seedAccount(ctx context.Context, emu *clerkemu.Server) (userID, tenantID string, err error) {
	url, key := emu.URL(), emu.SecretKey()
	cfg := &clerk.ClientConfig{BackendConfig: clerk.BackendConfig{URL: &url, Key: &key,
		HTTPClient: &http.Client{Timeout: 5 * time.Second}}}
	if userID, err = seedUser(ctx, emu, user.NewClient(cfg)); err != nil {
		return "", "", err
	}
	tenantID, err = seedTenant(ctx, emu, organization.NewClient(cfg), userID)
	return userID, tenantID, err
}

func seedUser(ctx context.Context, emu *clerkemu.Server, users *user.Client) (string, error) {
	found, err := users.List(ctx, &user.ListParams{EmailAddresses: []string{SeedEmail}})
	if err != nil {
		return "", fmt.Errorf("find user: %w", err)
	}
	if len(found.Users) > 0 {
		return found.Users[0].ID, nil
	}
	u, err := emu.CreateUser(clerkemu.UserParams{EmailAddresses: []string{SeedEmail},
		FirstName: "Dev", LastName: "Admin"})
	if err != nil {
		return "", fmt.Errorf("create user: %w", err)
	}
	return u.ID, nil
}

// seedTenant finds the tenant by its slug, or creates it with userID as its
// first admin.
func seedTenant(ctx context.Context, emu *clerkemu.Server, orgs *organization.Client,
	userID string) (string, error) {
	org, err := orgs.Get(ctx, SeedTenantSlug)
	if err == nil {
		return org.ID, nil
	}
	var apiErr *clerk.APIErrorResponse
	if !errors.As(err, &apiErr) || apiErr.HTTPStatusCode != http.StatusNotFound {
		return "", fmt.Errorf("find tenant: %w", err)
	}
	created, err := emu.CreateOrganization(clerkemu.OrganizationParams{
		Name: SeedTenantName, Slug: SeedTenantSlug, CreatedBy: userID})
	if err != nil {
		return "", fmt.Errorf("create tenant: %w", err)
	}
	return created.ID, nil
}

// signInAdmin signs userID in to tenantID, first making them its admin when
// they are no member (a kept emulator state may have lost the membership).
func signInAdmin(emu *clerkemu.Server, userID, tenantID string) (clerkemu.Session, error) {
	session, _, err := emu.SignIn(userID, tenantID)
	if err == nil {
		return session, nil
	}
	if _, addErr := emu.AddMembership(tenantID, userID, "org:admin"); addErr != nil {
		return clerkemu.Session{}, errors.Join(err, addErr)
	}
	session, _, err = emu.SignIn(userID, tenantID)
	return session, err
}
