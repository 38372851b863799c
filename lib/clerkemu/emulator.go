package clerkemu

import (
	"crypto/rsa"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"sync"
	"time"
)

// Defaults applied by New to empty Options fields.
const (
	DefaultRateLimit       = 100
	DefaultRateWindow      = 10 * time.Second
	DefaultAuthorizedParty = "http://localhost:3000"
	DefaultTokenLifetime   = 60 * time.Second
)

// SvixRetrySchedule is the delay before each delivery attempt Svix makes:
// immediately, then 5 s, 5 min, 30 min, 2 h, 5 h, 10 h and 10 h later.
var SvixRetrySchedule = []time.Duration{
	0, 5 * time.Second, 5 * time.Minute, 30 * time.Minute,
	2 * time.Hour, 5 * time.Hour, 10 * time.Hour, 10 * time.Hour,
}

// Options configures an Emulator. Every field is optional.
type Options struct {
	// SecretKey is the Backend API key callers must present as a bearer
	// token. Default: a fresh sk_test_ key (or the persisted one).
	SecretKey string
	// WebhookSecret is the whsec_ secret webhooks are signed with.
	WebhookSecret string
	// InstanceID is the ins_ id put in webhook envelopes.
	InstanceID string
	// FrontendHost is the Frontend API host the issuer and publishable key
	// are derived from, e.g. clerk.example.lcl.dev.
	FrontendHost string
	// AuthorizedParty is the default azp claim of minted tokens.
	AuthorizedParty string
	// SigningKey is the initial RSA key; default a fresh 2048-bit key.
	SigningKey *rsa.PrivateKey
	// RateLimit is the number of requests allowed per RateWindow (default
	// 100 per 10 s, a development instance's limit); negative disables it.
	RateLimit int
	// RateWindow is the rate-limit window.
	RateWindow time.Duration
	// RetrySchedule is the delay before each webhook delivery attempt,
	// default SvixRetrySchedule; pass short delays in tests.
	RetrySchedule []time.Duration
	// StatePath, when set, is a JSON file loaded by New and rewritten after
	// every change and on Close.
	StatePath string
	// Now is the clock; default time.Now.
	Now func() time.Time
	// Logger receives delivery and persistence problems; default discards.
	Logger *slog.Logger
	// HTTPClient sends webhooks; default a client with a 15 s timeout.
	HTTPClient *http.Client
}

// Emulator is an in-memory Clerk instance. It is safe for concurrent use.
type Emulator struct {
	now       func() time.Time
	log       *slog.Logger
	statePath string
	azp       string

	mu sync.Mutex
	st *state

	limiter *rateLimiter
	faults  *faultSet
	hooks   *dispatcher
	handler http.Handler

	closeOnce sync.Once
}

// New builds an emulator, loading Options.StatePath when the file exists.
// It returns an error when the state file cannot be read or a key cannot
// be generated.
func New(opts Options) (*Emulator, error) {
	e := &Emulator{
		now:       opts.Now,
		log:       opts.Logger,
		statePath: opts.StatePath,
		azp:       opts.AuthorizedParty,
		faults:    newFaultSet(),
	}
	e.applyDefaults()

	st, err := loadState(opts.StatePath)
	if err != nil {
		return nil, fmt.Errorf("load state: %w", err)
	}
	if err := st.fill(opts, e.now()); err != nil {
		return nil, fmt.Errorf("init state: %w", err)
	}
	e.st = st

	e.limiter = newRateLimiter(opts.RateLimit, opts.RateWindow)
	e.hooks = newDispatcher(dispatcherConfig{
		secret:   st.WebhookSecret,
		schedule: opts.RetrySchedule,
		client:   opts.HTTPClient,
		now:      e.now,
		log:      e.log,
	})
	e.handler = e.routes()

	e.mu.Lock()
	defer e.mu.Unlock()
	e.saveLocked()
	return e, nil
}

func (e *Emulator) applyDefaults() {
	if e.now == nil {
		e.now = time.Now
	}
	if e.log == nil {
		e.log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if e.azp == "" {
		e.azp = DefaultAuthorizedParty
	}
}

// Handler returns the HTTP handler serving the Backend API under /v1/ and
// the emulator's admin endpoints under /__emulator/.
func (e *Emulator) Handler() http.Handler { return e.handler }

// SecretKey returns the Backend API secret key (CLERK_SECRET_KEY).
func (e *Emulator) SecretKey() string { return e.st.SecretKey }

// WebhookSecret returns the whsec_ webhook signing secret.
func (e *Emulator) WebhookSecret() string { return e.st.WebhookSecret }

// InstanceID returns the ins_ id put in webhook envelopes.
func (e *Emulator) InstanceID() string { return e.st.InstanceID }

// FrontendHost returns the Frontend-API-like host of this instance.
func (e *Emulator) FrontendHost() string { return e.st.FrontendHost }

// Issuer returns the iss claim of minted tokens: https://<FrontendHost>.
func (e *Emulator) Issuer() string { return "https://" + e.st.FrontendHost }

// PublishableKey returns pk_test_<base64("<FrontendHost>$")>, from which
// Clerk's libraries derive Issuer.
func (e *Emulator) PublishableKey() string { return publishableKeyFor(e.st.FrontendHost) }

// Close stops webhook deliveries, waits for their goroutines and saves the
// state file. It returns the error of that last save.
func (e *Emulator) Close() error {
	var err error
	e.closeOnce.Do(func() {
		e.hooks.close()
		e.mu.Lock()
		defer e.mu.Unlock()
		err = e.saveStateLocked()
	})
	return err
}

// nowMS returns the emulator clock in Unix milliseconds.
func (e *Emulator) nowMS() int64 { return e.now().UnixMilli() }

// withLock runs fn while holding the state lock and saves the state when
// fn succeeds.
func (e *Emulator) withLock(fn func() error) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	if err := fn(); err != nil {
		return err
	}
	e.saveLocked()
	return nil
}

// saveLocked saves the state file, logging a failure.
func (e *Emulator) saveLocked() {
	if err := e.saveStateLocked(); err != nil {
		e.log.Error("save state", "err", err)
	}
}
