package clerkemu

import (
	"context"
	"encoding/json"
	"net/http"
	"testing"

	"github.com/clerk/clerk-sdk-go/v2"
	"github.com/clerk/clerk-sdk-go/v2/user"
	"github.com/google/go-cmp/cmp"
)

func TestUsersThroughSDK(t *testing.T) {
	ctx := context.Background()
	s := startEmu(t, Options{})
	users := user.NewClient(config(s))

	jane, err := users.Create(ctx, &user.CreateParams{
		EmailAddresses: &[]string{"Jane.Doe@example.com"},
		FirstName:      clerk.String("Jane"),
		LastName:       clerk.String("Doe"),
	})
	if err != nil {
		t.Fatalf("Create: %v", err)
	}
	if jane.Object != "user" || len(jane.ID) != len("user_")+27 || jane.CreatedAt == 0 {
		t.Errorf("created user = %+v", jane)
	}
	if got := jane.EmailAddresses[0]; got.EmailAddress != "jane.doe@example.com" ||
		*jane.PrimaryEmailAddressID != got.ID {
		t.Errorf("email = %+v, primary %v", got, *jane.PrimaryEmailAddressID)
	}
	sam, err := users.Create(ctx, &user.CreateParams{EmailAddresses: &[]string{"sam@example.com"}})
	if err != nil {
		t.Fatalf("Create sam: %v", err)
	}

	got, err := users.Get(ctx, jane.ID)
	if err != nil || *got.FirstName != "Jane" {
		t.Fatalf("Get = %+v, %v", got, err)
	}

	list, err := users.List(ctx,
		&user.ListParams{ListParams: clerk.ListParams{Limit: clerk.Int64(1)}})
	if err != nil {
		t.Fatalf("List: %v", err)
	}
	if list.TotalCount != 2 || len(list.Users) != 1 || list.Users[0].ID != sam.ID {
		t.Errorf("List = %d users, total %d, first %s", len(list.Users), list.TotalCount,
			list.Users[0].ID)
	}
	byEmail, err := users.List(ctx,
		&user.ListParams{EmailAddresses: []string{"jane.doe@example.com"}})
	if err != nil || byEmail.TotalCount != 1 || byEmail.Users[0].ID != jane.ID {
		t.Errorf("List by email = %+v, %v", byEmail, err)
	}
}

func TestUserStateChanges(t *testing.T) {
	ctx := context.Background()
	s := startEmu(t, Options{})
	users := user.NewClient(config(s))
	u, err := s.CreateUser(UserParams{EmailAddresses: []string{"a@example.com"}})
	if err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name  string
		call  func() (*clerk.User, error)
		check func(*clerk.User) bool
	}{
		{"ban", func() (*clerk.User, error) { return users.Ban(ctx, u.ID) },
			func(u *clerk.User) bool { return u.Banned }},
		{"unban", func() (*clerk.User, error) { return users.Unban(ctx, u.ID) },
			func(u *clerk.User) bool { return !u.Banned }},
		{"lock", func() (*clerk.User, error) { return users.Lock(ctx, u.ID) },
			func(u *clerk.User) bool { return u.Locked }},
		{"unlock", func() (*clerk.User, error) { return users.Unlock(ctx, u.ID) },
			func(u *clerk.User) bool { return !u.Locked }},
		{"update", func() (*clerk.User, error) {
			return users.Update(ctx, u.ID, &user.UpdateParams{LastName: clerk.String("Lee")})
		}, func(u *clerk.User) bool { return *u.LastName == "Lee" }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.call()
			if err != nil {
				t.Fatal(err)
			}
			if !tt.check(got) {
				t.Errorf("unexpected user %+v", got)
			}
		})
	}
}

func TestUserMetadataMerge(t *testing.T) {
	ctx := context.Background()
	s := startEmu(t, Options{})
	users := user.NewClient(config(s))
	u, err := s.CreateUser(UserParams{EmailAddresses: []string{"m@example.com"},
		PublicMetadata: Metadata{"keep": "yes", "drop": 1, "nested": map[string]any{"a": 1}}})
	if err != nil {
		t.Fatal(err)
	}

	patch := json.RawMessage(`{"drop":null,"nested":{"b":2},"new":true}`)
	got, err := users.UpdateMetadata(ctx, u.ID, &user.UpdateMetadataParams{PublicMetadata: &patch})
	if err != nil {
		t.Fatal(err)
	}

	var meta map[string]any
	if err := json.Unmarshal(got.PublicMetadata, &meta); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"keep": "yes", "new": true,
		"nested": map[string]any{"a": float64(1), "b": float64(2)}}
	if diff := cmp.Diff(want, meta); diff != "" {
		t.Errorf("metadata (-want +got):\n%s", diff)
	}
}

func TestUserErrors(t *testing.T) {
	ctx := context.Background()
	s := startEmu(t, Options{})
	users := user.NewClient(config(s))
	if _,
		err := s.CreateUser(UserParams{EmailAddresses: []string{"taken@example.com"}}); err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name   string
		call   func() error
		status int
		code   string
	}{
		{"get unknown", func() error { _, err := users.Get(ctx, "user_nope"); return err },
			http.StatusNotFound, codeNotFound},
		{"ban unknown", func() error { _, err := users.Ban(ctx, "user_nope"); return err },
			http.StatusNotFound, codeNotFound},
		{"no identifier", func() error {
			_, err := users.Create(ctx, &user.CreateParams{FirstName: clerk.String("X")})
			return err
		}, http.StatusUnprocessableEntity, codeParamMissing},
		{"taken email", func() error {
			_, err := users.Create(ctx,
				&user.CreateParams{EmailAddresses: &[]string{"taken@example.com"}})
			return err
		}, http.StatusUnprocessableEntity, codeIdentifierExists},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			apiErr(t, tt.call(), tt.status, tt.code)
		})
	}
}

func TestDeleteUser(t *testing.T) {
	ctx := context.Background()
	s := startEmu(t, Options{})
	users := user.NewClient(config(s))
	u, err := s.CreateUser(UserParams{EmailAddresses: []string{"gone@example.com"}})
	if err != nil {
		t.Fatal(err)
	}

	del, err := users.Delete(ctx, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !del.Deleted || del.ID != u.ID || del.Object != "user" {
		t.Errorf("Delete = %+v", del)
	}
	_, err = users.Get(ctx, u.ID)
	apiErr(t, err, http.StatusNotFound, codeNotFound)
}
