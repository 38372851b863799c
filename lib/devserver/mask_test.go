package devserver

import "testing"

func TestDisplayValueMasksSecrets(t *testing.T) {
	cases := []struct {
		name, value, want string
	}{
		{"CLERK_SECRET_KEY", "sk_test_0123456789abcdefWXYZ", "sk_test_…WXYZ"},
		{"CLERK_SECRET_KEY", "sk_live_short", "sk_live_…"},
		{"CLERK_WEBHOOK_SECRET", "whsec_0123456789abcdefghij, whsec_abcdefghij0123456789",
			"whsec_…ghij whsec_…6789"},
		{"CRON_SECRET", "0123456789abcdefghij", "…ghij"},
		{"CRON_SECRET", "tooshort", "…"},
		{"SENTRY_DSN", "https://0123456789abcdef@o1.ingest.sentry.io/42", "…o/42"},
		{"DATABASE_URL", "postgres://app:hunter2@db.example/app?sslmode=verify-full",
			"postgres://app:xxxxx@db.example/app?sslmode=verify-full"},
		{"DATABASE_URL", "postgres://app@db.example/app?password=hunter2",
			"postgres://app@db.example/app?password=xxxxx"},
		{"CLERK_JWT_KEY", "-----BEGIN PUBLIC KEY-----", "(PEM public key, 26 bytes)"},
		{"CLERK_PUBLISHABLE_KEY", "pk_test_abc", "pk_test_abc"},
	}
	for _, c := range cases {
		if got := displayValue(c.name, c.value); got != c.want {
			t.Errorf("displayValue(%s, %q) = %q, want %q", c.name, c.value, got, c.want)
		}
	}
}
