package devserver

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
)

// DefaultStateFile is where portal dev writes its State, relative to the
// repository root (the directory is git-ignored).
const DefaultStateFile = ".portal/dev.json"

// State describes a running dev server to other local tools, such as
// portal demo. It holds secrets: the file is written with mode 0600.
type State struct {
	// PID is the dev server's process.
	PID int `json:"pid"`
	// BaseURL is where the functions are served.
	BaseURL string `json:"base_url"`
	// DatabaseURL is the database the functions use.
	DatabaseURL string `json:"database_url"`
	// ClerkAPIURL and ClerkSecretKey reach the Clerk Backend API.
	ClerkAPIURL    string `json:"clerk_api_url"`
	ClerkSecretKey string `json:"clerk_secret_key"`
	// Emulator is true when Clerk is the emulator, whose admin routes
	// (/__emulator/...) take the same secret key.
	Emulator bool `json:"emulator"`
	// CronSecret is the cron's bearer secret.
	CronSecret string `json:"cron_secret"`
	// InviteMaxAge is the cron's INVITE_MAX_AGE, as a Go duration.
	InviteMaxAge string `json:"invite_max_age"`
	// PostgresPID and PostgresDir describe the local PostgreSQL, if any.
	PostgresPID int    `json:"postgres_pid,omitempty"`
	PostgresDir string `json:"postgres_dir,omitempty"`
}

// State returns what State files record about env.
func (env *Env) State() State {
	st := State{
		PID:            os.Getpid(),
		BaseURL:        env.BaseURL,
		DatabaseURL:    env.Config.DatabaseURL,
		ClerkAPIURL:    env.Config.ClerkAPIURL,
		ClerkSecretKey: env.Config.ClerkSecretKey,
		Emulator:       env.Emulator != nil,
		CronSecret:     env.Config.CronSecret,
		InviteMaxAge:   env.Config.InviteMaxAge.String(),
	}
	if env.Postgres != nil {
		st.PostgresPID, st.PostgresDir = env.Postgres.PID(), env.Postgres.Dir
	}
	return st
}

// ReadState reads a State file. It returns an error wrapping
// fs.ErrNotExist when no dev server has written one.
func ReadState(path string) (State, error) {
	var st State
	b, err := os.ReadFile(path)
	if err != nil {
		return st, fmt.Errorf("read dev server state: %w", err)
	}
	if err := json.Unmarshal(b, &st); err != nil {
		return st, fmt.Errorf("decode dev server state %s: %w", path, err)
	}
	return st, nil
}

// writeState writes st to path atomically, readable by its owner only.
func writeState(path string, st State) error {
	b, err := json.MarshalIndent(st, "", "  ")
	if err != nil {
		return fmt.Errorf("encode dev server state: %w", err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return fmt.Errorf("write dev server state: %w", err)
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, append(b, '\n'), 0o600); err != nil {
		return fmt.Errorf("write dev server state: %w", err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("write dev server state: %w", err)
	}
	return nil
}

// removeState removes path unless another dev server has written it since.
func removeState(path string) {
	if st, err := ReadState(path); err == nil && st.PID == os.Getpid() {
		_ = os.Remove(path)
	}
}
