package seed_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/portal-auth/portal-auth/lib/seed"
)

func TestLoadRefusesMalformedFiles(t *testing.T) {
	tests := []struct {
		name, content string
		want          []string // substrings of the error
	}{
		{"syntax", "users:\n  - email: a@example.com\n first_name: A\n",
			[]string{"syntax", "line 2"}},
		{"unknown field", "users:\n  - emial: a@example.com\n",
			[]string{`unknown field "emial"`}},
		{"wrong type", "users: ada\n", []string{"structure", "cannot unmarshal"}},
		{"empty", "# nothing\n", []string{"file: no users, tenants or application_invitations"}},
		{"bad address", "users:\n  - email: ada(at)example.com\n",
			[]string{"users[0].email: not a plain e-mail address"}},
		{"duplicate user", "users:\n  - email: a@example.com\n  - email: A@example.com\n",
			[]string{"users[1].email: same address as users[0]"}},
		{"tenant problems", `{"users": [{"email": "a@example.com"}],
			"tenants": [{"name": " ", "slug": "Acme Inc", "members": [
				{"email": "a@example.com", "role": "admin"},
				{"email": "b@example.com"}],
				"invitations": [{"email": "a@example.com"}]}]}`,
			[]string{"tenants[0].name: missing", "tenants[0].slug: missing or not lowercase",
				"tenants[0].members[0].role: must be a Clerk role key",
				"tenants[0].members[1].email: not the address of one of the users",
				"tenants[0].invitations[0].email: already a member (tenants[0].members[0])"}},
		{"duplicate slug", "tenants:\n  - {name: A, slug: acme}\n  - {name: B, slug: acme}\n",
			[]string{"tenants[1].slug: same slug as tenants[0]"}},
		{"user invited to sign up", "users: [{email: a@example.com}]\n" +
			"application_invitations: [{email: a@example.com}]\n",
			[]string{"application_invitations[0].email: same address as users[0]"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "seed.yaml")
			if err := os.WriteFile(path, []byte(tt.content), 0o600); err != nil {
				t.Fatal(err)
			}
			_, err := seed.Load(path)
			if err == nil {
				t.Fatal("Load accepted a malformed file")
			}
			msg := err.Error()
			for _, w := range append(tt.want, path) {
				if !strings.Contains(msg, w) {
					t.Errorf("error %q does not contain %q", msg, w)
				}
			}
			if tt.name != "syntax" && tt.name != "unknown field" &&
				strings.Contains(msg, "@example.com") {
				t.Errorf("error %q repeats an address", msg)
			}
		})
	}
}

func TestLoadAcceptsJSONAndDefaultsRoles(t *testing.T) {
	path := filepath.Join(t.TempDir(), "seed.json")
	content := `{"users": [{"email": "a@example.com"}],
		"tenants": [{"name": "A", "slug": "a", "members": [{"email": "a@example.com"}],
			"invitations": [{"email": "b@example.com", "role": "org:admin"}]}]}`
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	f, err := seed.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if got := f.Tenants[0].Members[0].Role; got != seed.DefaultRole {
		t.Errorf("member role = %q, want %q", got, seed.DefaultRole)
	}
	if got := f.Tenants[0].Invitations[0].Role; got != "org:admin" {
		t.Errorf("invitation role = %q", got)
	}
}
