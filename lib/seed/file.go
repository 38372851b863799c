// Package seed creates test accounts in a Clerk instance from a seed file:
// users, tenants (organizations) with their memberships and invitations,
// and application invitations, through the Backend API.
//
// Seeding is idempotent: every object is looked up before it is created
// (users by e-mail address, tenants by slug, memberships by user,
// invitations by address among the pending and accepted ones), so running
// the same file twice creates nothing the second time. Calls are paced under
// Clerk's rate limit and a 429 is retried after its Retry-After. A
// production instance (an sk_live_ key) is refused unless explicitly
// allowed.
package seed

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/mail"
	"os"
	"regexp"
	"strings"

	"sigs.k8s.io/yaml"
)

// DefaultRole is the role of a member or invitee whose role is not given.
const DefaultRole = "org:member"

// File is the content of a seed file, in YAML or JSON.
type File struct {
	// Users are created first; members are named by their address.
	Users []User `json:"users"`
	// Tenants are Clerk organizations, found by slug.
	Tenants []Tenant `json:"tenants"`
	// ApplicationInvitations invite people to sign up to the application.
	ApplicationInvitations []ApplicationInvitation `json:"application_invitations"`
}

// User is one account, identified by its primary e-mail address.
type User struct {
	Email     string `json:"email"`
	FirstName string `json:"first_name"`
	LastName  string `json:"last_name"`
}

// Tenant is an organization with its members and pending invitations.
type Tenant struct {
	Name        string       `json:"name"`
	Slug        string       `json:"slug"`
	Members     []Member     `json:"members"`
	Invitations []Invitation `json:"invitations"`
}

// Member makes the user with Email a member of the tenant with Role.
type Member struct {
	Email string `json:"email"`
	Role  string `json:"role"`
}

// Invitation is an organization invitation for Email with Role.
type Invitation struct {
	Email string `json:"email"`
	Role  string `json:"role"`
}

// ApplicationInvitation invites Email to sign up.
type ApplicationInvitation struct {
	Email string `json:"email"`
}

// Load reads and validates a seed file. YAML and JSON are both accepted;
// unknown fields are refused. The error names the file and lists every
// problem found, each with its position (e.g. tenants[0].members[1].role).
func Load(path string) (*File, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read seed file: %w", err)
	}
	f, err := Parse(data)
	if err != nil {
		return nil, fmt.Errorf("seed file %s: %w", path, err)
	}
	return f, nil
}

// Parse decodes and validates the content of a seed file.
func Parse(data []byte) (*File, error) {
	js, err := yaml.YAMLToJSON(data)
	if err != nil {
		return nil, fmt.Errorf("syntax: %w", err)
	}
	dec := json.NewDecoder(bytes.NewReader(js))
	dec.DisallowUnknownFields()
	var f File
	if err := dec.Decode(&f); err != nil {
		return nil, fmt.Errorf("structure: %w", err)
	}
	f.applyDefaults()
	if err := f.validate(); err != nil {
		return nil, err
	}
	return &f, nil
}

func (f *File) applyDefaults() {
	for i := range f.Tenants {
		t := &f.Tenants[i]
		for j := range t.Members {
			if t.Members[j].Role == "" {
				t.Members[j].Role = DefaultRole
			}
		}
		for j := range t.Invitations {
			if t.Invitations[j].Role == "" {
				t.Invitations[j].Role = DefaultRole
			}
		}
	}
}

var slugPattern = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)

// problems collects validation failures. Messages name positions, never
// the addresses themselves.
type problems []error

func (p *problems) add(where, format string, args ...any) {
	*p = append(*p, fmt.Errorf("%s: %s", where, fmt.Sprintf(format, args...)))
}

func (f *File) validate() error {
	var p problems
	if len(f.Users)+len(f.Tenants)+len(f.ApplicationInvitations) == 0 {
		p.add("file", "no users, tenants or application_invitations")
	}
	users := f.validateUsers(&p)
	slugs := map[string]string{}
	for i, t := range f.Tenants {
		where := fmt.Sprintf("tenants[%d]", i)
		validateTenant(&p, where, t, users)
		if prev, ok := slugs[t.Slug]; ok && t.Slug != "" {
			p.add(where+".slug", "same slug as %s", prev)
		}
		slugs[t.Slug] = where
	}
	invited := map[string]string{}
	for i, inv := range f.ApplicationInvitations {
		where := fmt.Sprintf("application_invitations[%d].email", i)
		key := checkEmail(&p, where, inv.Email)
		switch {
		case key == "":
		case users[key] != "":
			p.add(where, "same address as %s: a user cannot be invited to sign up", users[key])
		case invited[key] != "":
			p.add(where, "same address as %s", invited[key])
		default:
			invited[key] = where
		}
	}
	return errors.Join(p...)
}

// validateUsers checks the users and returns their positions by address.
func (f *File) validateUsers(p *problems) map[string]string {
	users := map[string]string{}
	for i, u := range f.Users {
		where := fmt.Sprintf("users[%d].email", i)
		key := checkEmail(p, where, u.Email)
		if key == "" {
			continue
		}
		if prev, ok := users[key]; ok {
			p.add(where, "same address as %s", prev)
			continue
		}
		users[key] = fmt.Sprintf("users[%d]", i)
	}
	return users
}

func validateTenant(p *problems, where string, t Tenant, users map[string]string) {
	if strings.TrimSpace(t.Name) == "" {
		p.add(where+".name", "missing")
	}
	if !slugPattern.MatchString(t.Slug) {
		p.add(where+".slug", "missing or not lowercase letters, digits and single hyphens")
	}
	members := map[string]string{}
	for j, m := range t.Members {
		at := fmt.Sprintf("%s.members[%d]", where, j)
		key := checkEmail(p, at+".email", m.Email)
		checkRole(p, at+".role", m.Role)
		switch {
		case key == "":
		case users[key] == "":
			p.add(at+".email", "not the address of one of the users")
		case members[key] != "":
			p.add(at+".email", "same member as %s", members[key])
		default:
			members[key] = at
		}
	}
	invited := map[string]string{}
	for j, inv := range t.Invitations {
		at := fmt.Sprintf("%s.invitations[%d]", where, j)
		key := checkEmail(p, at+".email", inv.Email)
		checkRole(p, at+".role", inv.Role)
		switch {
		case key == "":
		case members[key] != "":
			p.add(at+".email", "already a member (%s)", members[key])
		case invited[key] != "":
			p.add(at+".email", "same address as %s", invited[key])
		default:
			invited[key] = at
		}
	}
}

// checkEmail reports a missing or malformed address and returns its
// comparison key (lower case), or "" when it is unusable.
func checkEmail(p *problems, where, s string) string {
	if s == "" {
		p.add(where, "missing")
		return ""
	}
	addr, err := mail.ParseAddress(s)
	if err != nil || addr.Address != s || addr.Name != "" {
		p.add(where, "not a plain e-mail address")
		return ""
	}
	return strings.ToLower(s)
}

func checkRole(p *problems, where, role string) {
	if !strings.HasPrefix(role, "org:") || len(role) == len("org:") {
		p.add(where, "must be a Clerk role key such as org:admin or org:member")
	}
}
