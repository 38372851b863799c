package devserver_test

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/portal-auth/portal-auth/lib/clerkemu"
	"github.com/portal-auth/portal-auth/lib/devserver"
	"github.com/portal-auth/portal-auth/lib/pgtest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// TestDevServesFunctionsWithEmulatorWebhooks starts the dev server on a
// fresh database with the Clerk emulator, creates a user in the emulator and
// checks that its signed webhook reached the function and the database.
func TestDevServesFunctionsWithEmulatorWebhooks(t *testing.T) {
	dev := startDev(t, map[string]string{"DATABASE_URL": pgtest.NewURL(t)}, devserver.Options{})
	env := dev.env

	user, err := env.Emulator.CreateUser(clerkemu.UserParams{
		EmailAddresses: []string{"someone@example.com"}})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := env.Emulator.WaitIdle(ctx); err != nil {
		t.Fatal(err)
	}
	var n int
	if err := env.Deps.Pool.QueryRow(ctx, `SELECT count(*) FROM users WHERE id = $1`, user.ID).
		Scan(&n); err != nil || n != 1 {
		t.Errorf("user from the emulator's webhook: count %d, err %v", n, err)
	}
	res, err := http.Get(env.BaseURL + "/api/v1/webhooks/clerk")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("GET webhook: %d, want 405", res.StatusCode)
	}
	if env.Seed != nil {
		t.Errorf("seeded without Options.Seed: %+v", env.Seed)
	}
}

// TestDevSeedsAndPrintsWorkingCurlLines checks the seeded session: its
// webhooks have landed (slowed down here) when the server is ready, its
// token passes the session check as admin of Acme, and every printed curl
// line works as printed. Secrets are masked in the environment listing.
func TestDevSeedsAndPrintsWorkingCurlLines(t *testing.T) {
	stateFile := filepath.Join(t.TempDir(), ".portal", "dev.json")
	slowWebhooks := func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if strings.HasSuffix(r.URL.Path, "/webhooks/clerk") {
				time.Sleep(100 * time.Millisecond)
			}
			next.ServeHTTP(w, r)
		})
	}
	dev := startDev(t, map[string]string{"DATABASE_URL": pgtest.NewURL(t)},
		devserver.Options{Seed: true, StateFile: stateFile, Wrap: slowWebhooks})
	env, out := dev.env, dev.out.String()

	seed := env.Seed
	if seed == nil {
		t.Fatalf("no seed\n%s", out)
	}
	// The webhooks have landed before Ready: the check decides from rows.
	var n int
	err := env.Deps.Pool.QueryRow(context.Background(), `SELECT count(*) FROM sessions s
		JOIN memberships m ON m.user_id = s.user_id AND m.tenant_id = $2
		WHERE s.id = $1 AND s.status = 'active' AND m.role = 'org:admin'`,
		seed.SessionID, seed.TenantID).Scan(&n)
	if err != nil || n != 1 {
		t.Errorf("seeded session and membership rows at Ready: %d, %v", n, err)
	}
	res := check(t, env.BaseURL, seed.Token)
	h := res.Header
	if res.StatusCode != http.StatusOK || h.Get("x-role") != "admin" ||
		h.Get("x-tenant-id") != seed.TenantID || h.Get("x-user-id") != seed.UserID {
		t.Errorf("check with the seeded token: %d %v", res.StatusCode, res.Header)
	}
	if !strings.Contains(out, seed.Token) {
		t.Error("the seeded token is not printed")
	}

	want := map[string]int{
		"/api/v1/session/check":       http.StatusOK,
		"/tokens":                     http.StatusOK,
		"/api/v1/cron/invite-cleanup": http.StatusOK,
		"/api/v1/webhooks/clerk":      http.StatusUnauthorized,
	}
	lines := curlLines(out)
	if len(lines) != len(want) {
		t.Errorf("%d curl lines, want %d:\n%s", len(lines), len(want), out)
	}
	for _, line := range lines {
		req := curlRequest(t, line)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		for suffix, status := range want {
			if strings.HasSuffix(req.URL.Path, suffix) && res.StatusCode != status {
				t.Errorf("%s %s: %d, want %d", req.Method, req.URL.Path, res.StatusCode, status)
			}
		}
	}

	checkMasked(t, out, env)
	checkStateFile(t, stateFile, env)
	dev.stop()
	if _, err := os.Stat(stateFile); !os.IsNotExist(err) {
		t.Errorf("state file left after stop: %v", err)
	}
}

// checkMasked checks that the environment listing masks the secrets.
func checkMasked(t *testing.T, out string, env *devserver.Env) {
	t.Helper()
	key := env.Config.ClerkSecretKey
	if !strings.Contains(out, "CLERK_SECRET_KEY             sk_test_…"+key[len(key)-4:]+"\n") {
		t.Errorf("CLERK_SECRET_KEY not shown masked:\n%s", out)
	}
	whsec := env.Config.WebhookSecrets[0]
	if strings.Contains(out, whsec) || strings.Contains(out, whsec[len("whsec_"):len("whsec_")+8]) {
		t.Error("the webhook secret is printed")
	}
	for _, line := range strings.Split(out, "\n") {
		if strings.Contains(line, "CRON_SECRET") && strings.Contains(line, env.Config.CronSecret) {
			t.Errorf("CRON_SECRET shown unmasked: %q", line)
		}
	}
}

func checkStateFile(t *testing.T, path string, env *devserver.Env) {
	t.Helper()
	st, err := devserver.ReadState(path)
	if err != nil {
		t.Fatal(err)
	}
	if st.BaseURL != env.BaseURL || st.ClerkAPIURL != env.Emulator.URL() || !st.Emulator ||
		st.ClerkSecretKey != env.Config.ClerkSecretKey || st.CronSecret != env.Config.CronSecret {
		t.Errorf("state file: %+v", st)
	}
	if info, err := os.Stat(path); err != nil || info.Mode().Perm() != 0o600 {
		t.Errorf("state file mode: %v, %v; want 0600", info.Mode(), err)
	}
}

// TestDevWithRealClerkSkipsSeeding configures "real" Clerk (an emulator the
// dev server did not start) and checks that nothing is seeded in it.
func TestDevWithRealClerkSkipsSeeding(t *testing.T) {
	clerk, err := clerkemu.Start("", clerkemu.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer clerk.Close()
	dev := startDev(t, map[string]string{
		"DATABASE_URL":         pgtest.NewURL(t),
		"CLERK_SECRET_KEY":     clerk.SecretKey(),
		"CLERK_API_URL":        clerk.URL(),
		"CLERK_WEBHOOK_SECRET": clerk.WebhookSecret(),
		"CLERK_JWT_KEY":        clerk.PublicKeyPEM(),
		"CRON_SECRET":          "a-secret-from-the-environment",

		"CLERK_AUTHORIZED_PARTIES": "http://localhost:3000",
	}, devserver.Options{Seed: true})
	out := dev.out.String()

	if dev.env.Emulator != nil || dev.env.Seed != nil {
		t.Errorf("emulator %v, seed %+v; want neither", dev.env.Emulator, dev.env.Seed)
	}
	if n := len(clerk.Events()); n != 0 {
		t.Errorf("%d events in the configured Clerk; want none", n)
	}
	for _, want := range []string{"nothing seeded", `Bearer "$TOKEN"`,
		`"Authorization: Bearer $CRON_SECRET"`} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "a-secret-from-the-environment") {
		t.Error("a CRON_SECRET from the environment is printed")
	}
}

// TestDevKeepReusesData runs the dev server twice on one kept directory:
// the second run finds the first run's database rows and emulator users.
func TestDevKeepReusesData(t *testing.T) {
	dir := sharedDir(t)
	first := startDev(t, nil, devserver.Options{DataDir: dir, Seed: true})
	seed := first.env.Seed
	first.stop()

	second := startDev(t, nil, devserver.Options{DataDir: dir, Seed: true})
	if second.env.Seed.UserID != seed.UserID || second.env.Seed.TenantID != seed.TenantID {
		t.Errorf("second run seeded %+v; want the first run's user and tenant %+v",
			second.env.Seed, seed)
	}
	// The second run created no user, so its row comes from the first run.
	var n int
	err := second.env.Deps.Pool.QueryRow(context.Background(),
		`SELECT count(*) FROM users WHERE id = $1`, seed.UserID).Scan(&n)
	if err != nil || n != 1 {
		t.Errorf("first run's user in the kept database: count %d, err %v", n, err)
	}
	if res := check(t, second.env.BaseURL, second.env.Seed.Token); res.StatusCode != http.StatusOK {
		t.Errorf("check with the second run's token: %d", res.StatusCode)
	}
	second.stop()
	if _, err := os.Stat(filepath.Join(dir, "data", "PG_VERSION")); err != nil {
		t.Errorf("kept database removed: %v", err)
	}
}
