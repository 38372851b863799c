package sessioncheck

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/portal-auth/portal-auth/lib/config"
	"github.com/portal-auth/portal-auth/lib/httpx"
	"github.com/portal-auth/portal-auth/lib/store"
)

// DefaultTimeout bounds one check, key fetch and query included.
const DefaultTimeout = 3 * time.Second

// Retry-After values of the two 503 answers.
const (
	dbRetryAfter   = time.Second
	keysRetryAfter = DefaultFailureBackoff
)

// Options are what New needs to build a Checker.
type Options struct {
	// Config supplies the key, issuer, authorized parties, leeway, session
	// limits and publishable key. Required.
	Config *config.Config
	// DB answers the state query; a *pgxpool.Pool. Required.
	DB DB
	// HTTPClient fetches the JWKS when Config has no PEM key; default a
	// client with a 5-second timeout.
	HTTPClient *http.Client
	// Now is the clock; default time.Now.
	Now func() time.Time
	// Timeout bounds one check; default DefaultTimeout.
	Timeout time.Duration
}

// Checker serves session checks. It is safe for concurrent use; build one
// per warm instance so its key cache lives as long as the instance.
type Checker struct {
	extract extractor
	verify  verifier
	policy  policy
	limits  limits
	db      DB
	now     func() time.Time
	timeout time.Duration
}

// New builds a Checker from opts. It returns an error when the configuration
// gives no way to obtain keys or no token could ever pass the azp check.
func New(opts Options) (*Checker, error) {
	cfg := opts.Config
	if cfg == nil || opts.DB == nil {
		return nil, errors.New("sessioncheck: config and database are required")
	}
	if len(cfg.AuthorizedParties) == 0 && !cfg.AllowEmptyAZP {
		return nil, errors.New("sessioncheck: CLERK_AUTHORIZED_PARTIES is empty, " +
			"so every token would be refused")
	}
	c := &Checker{
		extract: newExtractor(cfg.PublishableKey),
		policy: policy{issuer: cfg.Issuer, parties: cfg.AuthorizedParties,
			allowEmptyAZP: cfg.AllowEmptyAZP, leeway: cfg.ClockLeeway},
		limits:  limits{idle: cfg.SessionIdleTimeout, maxAge: cfg.SessionMaxAge},
		db:      opts.DB,
		now:     opts.Now,
		timeout: opts.Timeout,
	}
	if c.now == nil {
		c.now = time.Now
	}
	if c.timeout <= 0 {
		c.timeout = DefaultTimeout
	}
	keys, err := newKeySource(cfg, opts.HTTPClient, c.now)
	if err != nil {
		return nil, err
	}
	c.verify = newVerifier(keys)
	return c, nil
}

// newKeySource picks the PEM key of cfg, else a JWKS cache on the Backend API.
func newKeySource(cfg *config.Config, client *http.Client,
	now func() time.Time) (keySource, error) {
	if cfg.JWTKey != nil {
		return staticKey{pub: cfg.JWTKey}, nil
	}
	if cfg.ClerkSecretKey == "" {
		return nil, errors.New("sessioncheck: need CLERK_JWT_KEY or CLERK_SECRET_KEY")
	}
	if client == nil {
		client = &http.Client{Timeout: fetchTimeout}
	}
	f := jwksFetcher{url: cfg.ClerkAPIURL + "/jwks",
		secret: cfg.ClerkSecretKey, client: client}
	return newJWKSCache(f.fetch, now), nil
}

// Serve answers one check; it is an httpx.HandlerFunc. It writes 200 with
// the user, tenant and role, or returns the refusal (401, 403), a 405 for
// other methods, or a 503 when keys or the database are unavailable.
func (c *Checker) Serve(w http.ResponseWriter, r *http.Request) error {
	w.Header().Set("Cache-Control", "no-store")
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		return httpx.MethodNotAllowed("GET, HEAD")
	}
	ctx, cancel := context.WithTimeout(r.Context(), c.timeout)
	defer cancel()

	// Authenticate: find and verify the token.
	var cl Claims
	if err := c.authenticate(ctx, r, &cl); err != nil {
		if validID(cl.Subject) { // claims are decoded only once the signature verified
			httpx.LogAttrs(ctx, slog.String("user_id", cl.Subject))
		}
		return c.fail(ctx, err)
	}

	// Pick the tenant: the header, else the token's active organization.
	tenant := r.Header.Get("X-Tenant-Id")
	if tenant == "" {
		tenant, _ = cl.ActiveOrg()
	}
	httpx.LogAttrs(ctx, slog.String("user_id", cl.Subject),
		slog.String("session_id", cl.SessionID), slog.String("tenant_id", tenant))
	if tenant == "" {
		return c.fail(ctx, NoTenant)
	}
	if !validID(tenant) {
		return c.fail(ctx, NotAMember)
	}

	// Authorize against what the webhooks recorded.
	role, err := c.authorize(ctx, &cl, tenant)
	if err != nil {
		return c.fail(ctx, err)
	}

	writeGrant(w, r, &cl, tenant, role)
	return nil
}

// authenticate extracts the token of r, verifies it and checks its claims.
func (c *Checker) authenticate(ctx context.Context, r *http.Request, cl *Claims) error {
	token := c.extract.token(r)
	if token == "" {
		return TokenMissing
	}
	now := c.now()
	if err := c.verify.verify(ctx, token, now, cl); err != nil {
		return err
	}
	if reason := c.policy.check(cl, now); reason != "" {
		return reason
	}
	return nil
}

// authorize runs the state query and decides on its row.
func (c *Checker) authorize(ctx context.Context, cl *Claims, tenant string) (string, error) {
	st, err := loadState(ctx, c.db, cl.Subject, cl.SessionID, tenant)
	if err != nil {
		return "", err
	}
	role, reason := decide(st, cl, tenant, c.now(), c.limits)
	if reason != "" {
		return "", reason
	}
	return role, nil
}

// fail turns err into the answer: a refusal with its reason logged, a 503
// for unavailable keys or database, or the error itself (a 500).
func (c *Checker) fail(ctx context.Context, err error) error {
	var reason Reason
	switch {
	case errors.As(err, &reason):
		httpx.LogAttrs(ctx, slog.String("reason", string(reason)))
		return refuse(reason)
	case errors.Is(err, ErrKeysUnavailable):
		return httpx.Unavailable("session keys are unavailable", keysRetryAfter, err)
	case store.IsUnavailable(err):
		return httpx.Unavailable("the database is unavailable", dbRetryAfter, err)
	}
	return fmt.Errorf("session check: %w", err)
}

// writeGrant answers 200. Every value passed validID, so none needs
// escaping in a header or in JSON. The header keys are canonical already and
// share one backing array.
func writeGrant(w http.ResponseWriter, r *http.Request, cl *Claims, tenant, role string) {
	v := []string{cl.Subject, tenant, role, "application/json"}
	h := w.Header()
	h["X-User-Id"] = v[0:1:1]
	h["X-Tenant-Id"] = v[1:2:2]
	h["X-Role"] = v[2:3:3]
	h["Content-Type"] = v[3:4:4]
	w.WriteHeader(http.StatusOK)
	if r.Method == http.MethodHead {
		return
	}
	b := make([]byte, 0, 64+len(cl.Subject)+len(tenant)+len(role)+len(cl.SessionID))
	b = append(b, `{"user_id":"`...)
	b = append(b, cl.Subject...)
	b = append(b, `","tenant_id":"`...)
	b = append(b, tenant...)
	b = append(b, `","role":"`...)
	b = append(b, role...)
	b = append(b, `","session_id":"`...)
	b = append(b, cl.SessionID...)
	b = append(b, "\"}\n"...)
	_, _ = w.Write(b)
}
