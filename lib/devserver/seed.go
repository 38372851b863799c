package devserver

import (
	"context"
	"fmt"
	"time"

	"github.com/portal-auth/portal-auth/lib/clerkemu"
	"github.com/portal-auth/portal-auth/lib/seed"
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
	session, _, err := emu.SignIn(userID, tenantID)
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

// seedAccount finds or creates the seeded user and tenant through the
// Backend API with lib/seed, as `portal seed` would, and returns their ids.
func seedAccount(ctx context.Context, emu *clerkemu.Server) (userID, tenantID string, err error) {
	seeder, err := seed.New(seed.Options{APIURL: emu.URL(), SecretKey: emu.SecretKey()})
	if err != nil {
		return "", "", err
	}
	summary, err := seeder.Run(ctx, &seed.File{
		Users: []seed.User{{Email: SeedEmail, FirstName: "Dev", LastName: "Admin"}},
		Tenants: []seed.Tenant{{Name: SeedTenantName, Slug: SeedTenantSlug,
			Members: []seed.Member{{Email: SeedEmail, Role: "org:admin"}}}},
	})
	if err != nil {
		return "", "", err
	}
	for _, item := range summary.Items {
		switch item.Kind {
		case seed.KindUser:
			userID = item.ID
		case seed.KindTenant:
			tenantID = item.ID
		}
	}
	return userID, tenantID, nil
}
