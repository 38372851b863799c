package invites_test

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/clerk/clerk-sdk-go/v2"
	"github.com/clerk/clerk-sdk-go/v2/invitation"
	"github.com/clerk/clerk-sdk-go/v2/organizationinvitation"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/portal-auth/portal-auth/lib/clerkemu"
	"github.com/portal-auth/portal-auth/lib/invites"
	"github.com/portal-auth/portal-auth/lib/pgtest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// Route names of the emulator, for faults.
const (
	revokeOrgRoute = "POST /organizations/{id}/invitations/{inv}/revoke"
	revokeAppRoute = "POST /invitations/{id}/revoke"
)

// env is a fresh database and a Clerk emulator served over loopback HTTP.
type env struct {
	t     *testing.T
	pool  *pgxpool.Pool
	emu   *clerkemu.Server
	calls *recorder
	clock *clock // the emulator's clock
}

func newEnv(t *testing.T) *env {
	t.Helper()
	clk := &clock{}
	emu, err := clerkemu.Start("127.0.0.1:0", clerkemu.Options{RateLimit: -1, Now: clk.Now})
	if err != nil {
		t.Fatalf("start clerk emulator: %v", err)
	}
	t.Cleanup(func() { _ = emu.Close() })
	return &env{t: t, pool: pgtest.NewPool(t), emu: emu, calls: &recorder{}, clock: clk}
}

// cleaner returns a Cleaner on the environment with the given settings,
// sending its Clerk requests through the recorder. A nil logger discards.
func (e *env) cleaner(s invites.Settings, logger *slog.Logger) *invites.Cleaner {
	ck := invites.Clerk{APIURL: e.emu.URL(), SecretKey: e.emu.SecretKey(), Transport: e.calls}
	return invites.New(e.pool, ck, logger, nil, s)
}

// clerkConfig returns an SDK configuration pointing at the emulator.
func (e *env) clerkConfig() *clerk.ClientConfig {
	url, key := e.emu.URL(), e.emu.SecretKey()
	return &clerk.ClientConfig{BackendConfig: clerk.BackendConfig{URL: &url, Key: &key}}
}

// exec runs SQL on the test database.
func (e *env) exec(sql string, args ...any) {
	e.t.Helper()
	if _, err := e.pool.Exec(context.Background(), sql, args...); err != nil {
		e.t.Fatalf("exec %q: %v", firstLine(sql), err)
	}
}

// count runs a count query on the test database.
func (e *env) count(sql string, args ...any) int {
	e.t.Helper()
	var n int
	if err := e.pool.QueryRow(context.Background(), sql, args...).Scan(&n); err != nil {
		e.t.Fatalf("count %q: %v", firstLine(sql), err)
	}
	return n
}

func firstLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '\n'); i > 0 {
		return s[:i]
	}
	return s
}

// seedStaleOrgInvitations inserts n pending organization invitations of a
// tenant, created 30 days ago, unknown to Clerk.
func (e *env) seedStaleOrgInvitations(tenant string, n int) {
	e.t.Helper()
	e.exec(`INSERT INTO tenants (id, name) VALUES ($1, $1) ON CONFLICT DO NOTHING`, tenant)
	e.exec(`
		INSERT INTO invitations (id, kind, tenant_id, email, role, status, expires_at,
		                         clerk_created_at)
		SELECT $1 || '_' || g, 'organization', $1, 'user' || g || '@example.com', 'org:member',
		       'pending', now() + interval '1 day', now() - interval '30 days'
		  FROM generate_series(1, $2) g`, tenant, n)
}

// createOrgInvitations creates n pending invitations of a new organization
// in the emulator and mirrors them in the database as stale (created 30
// days ago), as the webhook would have. It returns the organization id.
func (e *env) createOrgInvitations(n int) string {
	e.t.Helper()
	ctx := context.Background()
	org, err := e.emu.CreateOrganization(clerkemu.OrganizationParams{Name: fmt.Sprintf("Org %p", e)})
	if err != nil {
		e.t.Fatalf("create organization: %v", err)
	}
	e.exec(`INSERT INTO tenants (id, name) VALUES ($1, $2)`, org.ID, org.Name)
	client := organizationinvitation.NewClient(e.clerkConfig())
	for i := range n {
		inv, err := client.Create(ctx, &organizationinvitation.CreateParams{
			OrganizationID: org.ID,
			EmailAddress:   clerk.String(fmt.Sprintf("invitee%d@example.com", i)),
			Role:           clerk.String("org:member"),
		})
		if err != nil {
			e.t.Fatalf("create organization invitation: %v", err)
		}
		e.exec(`
			INSERT INTO invitations (id, kind, tenant_id, email, role, status, expires_at,
			                         clerk_created_at)
			VALUES ($1, 'organization', $2, $3, $4, 'pending', now() + interval '1 day',
			        now() - interval '30 days')`, inv.ID, org.ID, inv.EmailAddress, inv.Role)
	}
	return org.ID
}

// createAppInvitations creates n application invitations in the emulator
// with its clock shifted by age.
func (e *env) createAppInvitations(n int, age time.Duration) []string {
	e.t.Helper()
	e.clock.set(-age)
	defer e.clock.set(0)
	client := invitation.NewClient(e.clerkConfig())
	var ids []string
	for range n {
		inv, err := client.Create(context.Background(), &invitation.CreateParams{
			EmailAddress: fmt.Sprintf("app%d-%d@example.com", len(ids), time.Now().UnixNano()),
		})
		if err != nil {
			e.t.Fatalf("create application invitation: %v", err)
		}
		ids = append(ids, inv.ID)
	}
	return ids
}

// orgInvitationStatuses returns the emulator's status of every invitation
// of org by id.
func (e *env) orgInvitationStatuses(org string) map[string]string {
	e.t.Helper()
	client := organizationinvitation.NewClient(e.clerkConfig())
	out := map[string]string{}
	for offset := int64(0); ; offset += 500 {
		list, err := client.List(context.Background(), &organizationinvitation.ListParams{
			OrganizationID: org,
			ListParams:     clerk.ListParams{Limit: clerk.Int64(500), Offset: clerk.Int64(offset)},
		})
		if err != nil {
			e.t.Fatalf("list organization invitations: %v", err)
		}
		for _, inv := range list.OrganizationInvitations {
			out[inv.ID] = inv.Status
		}
		if len(list.OrganizationInvitations) < 500 {
			return out
		}
	}
}

// clock is the emulator's clock: real time plus an adjustable offset.
type clock struct{ offset atomic.Int64 }

func (c *clock) Now() time.Time           { return time.Now().Add(time.Duration(c.offset.Load())) }
func (c *clock) set(offset time.Duration) { c.offset.Store(int64(offset)) }

// call is one request the cleaner sent to Clerk.
type call struct {
	method, path string
	status       int
	retryAfter   string
	sent, done   time.Time
}

// recorder is an http.RoundTripper that records every request sent.
type recorder struct {
	mu    sync.Mutex
	calls []call
}

func (r *recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	c := call{method: req.Method, path: req.URL.Path, sent: time.Now()}
	resp, err := http.DefaultTransport.RoundTrip(req)
	c.done = time.Now()
	if err == nil {
		c.status = resp.StatusCode
		c.retryAfter = resp.Header.Get("Retry-After")
	}
	r.mu.Lock()
	r.calls = append(r.calls, c)
	r.mu.Unlock()
	return resp, err
}

func (r *recorder) list() []call {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]call(nil), r.calls...)
}

// revocations counts the revoke requests sent per invitation id.
func (r *recorder) revocations() map[string]int {
	out := map[string]int{}
	for _, c := range r.list() {
		if c.method == http.MethodPost && strings.HasSuffix(c.path, "/revoke") {
			parts := strings.Split(c.path, "/")
			out[parts[len(parts)-2]]++
		}
	}
	return out
}

// testSettings are fast settings for tests: no pacing, short budgets.
func testSettings() invites.Settings {
	return invites.Settings{
		Budget:        5 * time.Second,
		Grace:         2 * time.Second,
		ClerkRequests: -1,
		CallTimeout:   2 * time.Second,
		BaseBackoff:   time.Hour,
	}
}

// runOnce runs c and fails the test on error.
func runOnce(t *testing.T, c *invites.Cleaner) invites.Result {
	t.Helper()
	res, err := c.Run(context.Background())
	if err != nil {
		t.Fatalf("run: %v", err)
	}
	return res
}
