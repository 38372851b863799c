package clerkemu

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"
)

// state is everything the emulator knows; it is also the state file format.
type state struct {
	InstanceID     string           `json:"instance_id"`
	SecretKey      string           `json:"secret_key"`
	WebhookSecret  string           `json:"webhook_secret"`
	FrontendHost   string           `json:"frontend_host"`
	Keys           []*signingKey    `json:"keys"`
	Users          []*User          `json:"users"`
	Sessions       []*Session       `json:"sessions"`
	Organizations  []*Organization  `json:"organizations"`
	Memberships    []*Membership    `json:"memberships"`
	OrgInvitations []*OrgInvitation `json:"organization_invitations"`
	Invitations    []*Invitation    `json:"invitations"`
}

// signingKey is one RSA key of the JWKS. RetireAt (Unix ms) is zero for
// keys that are not being rotated out.
type signingKey struct {
	KID      string `json:"kid"`
	PEM      string `json:"private_key_pem"`
	RetireAt int64  `json:"retire_at,omitempty"`
	priv     *rsa.PrivateKey
}

// loadState reads path, or returns an empty state when path is empty or
// the file does not exist yet.
func loadState(path string) (*state, error) {
	st := &state{}
	if path == "" {
		return st, nil
	}
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return st, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	if err := json.Unmarshal(b, st); err != nil {
		return nil, fmt.Errorf("decode %s: %w", path, err)
	}
	return st, nil
}

// fill sets identity fields from opts (which win over persisted values),
// generates what is still missing and parses the persisted keys.
func (st *state) fill(opts Options, now time.Time) error {
	pick := func(dst *string, opt string, gen func() string) {
		switch {
		case opt != "":
			*dst = opt
		case *dst == "":
			*dst = gen()
		}
	}
	pick(&st.InstanceID, opts.InstanceID, func() string { return newID("ins") })
	pick(&st.SecretKey, opts.SecretKey, newSecretKey)
	pick(&st.WebhookSecret, opts.WebhookSecret, newWebhookSecret)
	pick(&st.FrontendHost, opts.FrontendHost, newFrontendHost)

	for _, k := range st.Keys {
		if err := k.parse(); err != nil {
			return err
		}
	}
	if opts.SigningKey != nil {
		k, err := newSigningKey(st.InstanceID, opts.SigningKey)
		if err != nil {
			return err
		}
		st.Keys = []*signingKey{k}
	}
	if len(st.Keys) == 0 {
		return st.addKey(st.InstanceID)
	}
	return nil
}

// addKey generates an RSA-2048 key with the given kid and makes it current.
func (st *state) addKey(kid string) error {
	priv, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return fmt.Errorf("generate rsa key: %w", err)
	}
	k, err := newSigningKey(kid, priv)
	if err != nil {
		return err
	}
	st.Keys = append(st.Keys, k)
	return nil
}

func newSigningKey(kid string, priv *rsa.PrivateKey) (*signingKey, error) {
	der, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		return nil, fmt.Errorf("encode rsa key: %w", err)
	}
	block := &pem.Block{Type: "PRIVATE KEY", Bytes: der}
	return &signingKey{KID: kid, PEM: string(pem.EncodeToMemory(block)), priv: priv}, nil
}

func (k *signingKey) parse() error {
	block, _ := pem.Decode([]byte(k.PEM))
	if block == nil {
		return fmt.Errorf("key %s: no PEM block", k.KID)
	}
	key, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		return fmt.Errorf("key %s: %w", k.KID, err)
	}
	priv, ok := key.(*rsa.PrivateKey)
	if !ok {
		return fmt.Errorf("key %s: not an RSA key", k.KID)
	}
	k.priv = priv
	return nil
}

// saveStateLocked writes the state file atomically (temporary file, then
// rename). It does nothing without a StatePath.
func (e *Emulator) saveStateLocked() error {
	if e.statePath == "" {
		return nil
	}
	b, err := json.MarshalIndent(e.st, "", "  ")
	if err != nil {
		return fmt.Errorf("encode state: %w", err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(e.statePath), ".clerkemu-*.json")
	if err != nil {
		return fmt.Errorf("create temp state: %w", err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(b); err != nil {
		tmp.Close()
		return fmt.Errorf("write state: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("close state: %w", err)
	}
	if err := os.Rename(tmp.Name(), e.statePath); err != nil {
		return fmt.Errorf("replace state: %w", err)
	}
	return nil
}
