package config_test

import (
	"strings"
	"testing"

	"github.com/portal-auth/portal-auth/lib/config"
)

func env(vars map[string]string) func(string) string {
	return func(name string) string { return vars[name] }
}

const secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"

func TestLoadReportsEveryProblemAtOnce(t *testing.T) {
	_, err := config.Load(env(map[string]string{
		"CLERK_WEBHOOK_SECRET":      "not-a-secret",
		"CLERK_JWT_KEY":             "-----BEGIN PUBLIC KEY-----\nbroken\n-----END PUBLIC KEY-----",
		"INVITE_MAX_AGE":            "a week",
		"LOG_LEVEL":                 "loud",
		"CLERK_API_URL":             "ftp://x",
		"WEBHOOK_PAYLOAD_RETENTION": "-1h",
	}))
	if err == nil {
		t.Fatal("no error for five malformed values")
	}
	for _, name := range []string{"CLERK_WEBHOOK_SECRET", "CLERK_JWT_KEY", "INVITE_MAX_AGE",
		"LOG_LEVEL", "CLERK_API_URL", "WEBHOOK_PAYLOAD_RETENTION"} {
		if !strings.Contains(err.Error(), name) {
			t.Errorf("error does not name %s: %v", name, err)
		}
	}
}

func TestWebhookSecrets(t *testing.T) {
	cases := []struct {
		name, value string
		want        int
		wantErr     bool
	}{
		{"one", secret, 1, false},
		{"rotation with comma and space", secret + ", whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD", 2, false},
		{"no prefix", "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", 0, true},
		{"empty key after prefix", "whsec_", 0, true},
		{"too short", "whsec_YWJj", 0, true},
		{"only separators", " , ", 0, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cfg, err := config.Load(env(map[string]string{"CLERK_WEBHOOK_SECRET": c.value}))
			if (err != nil) != c.wantErr {
				t.Fatalf("err = %v, want error %t", err, c.wantErr)
			}
			if err == nil && len(cfg.WebhookSecrets) != c.want {
				t.Errorf("got %d secrets, want %d", len(cfg.WebhookSecrets), c.want)
			}
		})
	}
}

func TestMissingWebhookSecretIsRequired(t *testing.T) {
	cfg, err := config.Load(env(map[string]string{"DATABASE_URL": "postgres://x/y"}))
	if err != nil {
		t.Fatal(err)
	}
	if err := cfg.Require(config.Webhook); err == nil ||
		!strings.Contains(err.Error(), "CLERK_WEBHOOK_SECRET") {
		t.Errorf("Require(Webhook) = %v, want the missing secret named", err)
	}
}

func TestCronRequiresClerkSecretKey(t *testing.T) {
	cfg, err := config.Load(env(map[string]string{"DATABASE_URL": "postgres://x/y"}))
	if err != nil {
		t.Fatal(err)
	}
	if err := cfg.Require(config.InviteCron); err == nil ||
		!strings.Contains(err.Error(), "CLERK_SECRET_KEY") {
		t.Errorf("Require(InviteCron) = %v, want the missing key named", err)
	}
}

func TestIssuerFromPublishableKey(t *testing.T) {
	// base64("clerk.example.com$") without padding, as Clerk writes it.
	cfg, err := config.Load(env(map[string]string{
		"CLERK_PUBLISHABLE_KEY": "pk_test_Y2xlcmsuZXhhbXBsZS5jb20k",
	}))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Issuer != "https://clerk.example.com" {
		t.Errorf("issuer = %q", cfg.Issuer)
	}
	if _, err := config.Load(env(map[string]string{"CLERK_PUBLISHABLE_KEY": "pk_test_!!"})); err == nil {
		t.Error("a malformed publishable key was accepted")
	}
}

func TestProductionNeedsAuthorizedParties(t *testing.T) {
	_, err := config.Load(env(map[string]string{"VERCEL_ENV": "production"}))
	if err == nil || !strings.Contains(err.Error(), "CLERK_AUTHORIZED_PARTIES") {
		t.Errorf("err = %v, want CLERK_AUTHORIZED_PARTIES required", err)
	}
}
