package clerkemu

import (
	"context"
	"errors"
	"net/http"
	"testing"

	"github.com/clerk/clerk-sdk-go/v2"
	"github.com/clerk/clerk-sdk-go/v2/session"
	"github.com/clerk/clerk-sdk-go/v2/user"
)

func TestSessionsThroughSDK(t *testing.T) {
	ctx := context.Background()
	s := startEmu(t, Options{})
	sessions := session.NewClient(config(s))
	u, err := s.CreateUser(UserParams{EmailAddresses: []string{"s@example.com"}})
	if err != nil {
		t.Fatal(err)
	}

	var ids []string
	for range 3 {
		sess, err := sessions.Create(ctx, &session.CreateParams{UserID: u.ID})
		if err != nil {
			t.Fatalf("Create: %v", err)
		}
		if sess.Status != SessionActive || sess.UserID != u.ID || sess.ExpireAt <= sess.CreatedAt {
			t.Errorf("created session = %+v", sess)
		}
		ids = append(ids, sess.ID)
	}

	revoked, err := sessions.Revoke(ctx, &session.RevokeParams{ID: ids[0]})
	if err != nil || revoked.Status != SessionRevoked {
		t.Fatalf("Revoke = %+v, %v", revoked, err)
	}
	got, err := sessions.Get(ctx, ids[0])
	if err != nil || got.Status != SessionRevoked {
		t.Errorf("Get = %+v, %v", got, err)
	}

	active, err := sessions.List(ctx, &session.ListParams{
		UserID: clerk.String(u.ID), Status: clerk.String(SessionActive),
		ListParams: clerk.ListParams{Limit: clerk.Int64(1), Offset: clerk.Int64(1)},
	})
	if err != nil {
		t.Fatalf("List: %v", err)
	}
	if active.TotalCount != 2 || len(active.Sessions) != 1 || active.Sessions[0].ID != ids[1] {
		t.Errorf("List = total %d, %d sessions", active.TotalCount, len(active.Sessions))
	}
}

func TestSessionErrors(t *testing.T) {
	ctx := context.Background()
	s := startEmu(t, Options{})
	sessions := session.NewClient(config(s))
	u, err := s.CreateUser(UserParams{EmailAddresses: []string{"e@example.com"}})
	if err != nil {
		t.Fatal(err)
	}
	sess, _, err := s.SignIn(u.ID, "")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sessions.Revoke(ctx, &session.RevokeParams{ID: sess.ID}); err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name   string
		call   func() error
		status int
		code   string
	}{
		{"revoke twice", func() error {
			_, err := sessions.Revoke(ctx, &session.RevokeParams{ID: sess.ID})
			return err
		}, http.StatusBadRequest, codeSessionNotActive},
		{"revoke unknown", func() error {
			_, err := sessions.Revoke(ctx, &session.RevokeParams{ID: "sess_nope"})
			return err
		}, http.StatusNotFound, codeNotFound},
		{"get unknown", func() error { _, err := sessions.Get(ctx, "sess_nope"); return err },
			http.StatusNotFound, codeNotFound},
		{"create for unknown user", func() error {
			_, err := sessions.Create(ctx, &session.CreateParams{UserID: "user_nope"})
			return err
		}, http.StatusNotFound, codeNotFound},
		{"list without user", func() error {
			_, err := sessions.List(ctx, &session.ListParams{})
			return err
		}, http.StatusUnprocessableEntity, codeParamMissing},
		{"token for revoked", func() error {
			_, err := sessions.CreateToken(ctx, &session.CreateTokenParams{ID: sess.ID})
			return err
		}, http.StatusBadRequest, codeSessionNotActive},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			apiErr(t, tt.call(), tt.status, tt.code)
		})
	}
}

func TestBanRevokesSessions(t *testing.T) {
	ctx := context.Background()
	s := startEmu(t, Options{})
	u, err := s.CreateUser(UserParams{EmailAddresses: []string{"b@example.com"}})
	if err != nil {
		t.Fatal(err)
	}
	sess, _, err := s.SignIn(u.ID, "")
	if err != nil {
		t.Fatal(err)
	}

	if _, err := user.NewClient(config(s)).Ban(ctx, u.ID); err != nil {
		t.Fatal(err)
	}

	got, err := s.Session(sess.ID)
	if err != nil || got.Status != SessionRevoked {
		t.Errorf("session after ban = %+v, %v", got, err)
	}
	if _, _, err := s.SignIn(u.ID, ""); err == nil {
		t.Error("banned user signed in")
	}
}

func TestEndAndRemoveSession(t *testing.T) {
	s := startEmu(t, Options{})
	u, err := s.CreateUser(UserParams{EmailAddresses: []string{"x@example.com"}})
	if err != nil {
		t.Fatal(err)
	}
	a, _, _ := s.SignIn(u.ID, "")
	b, _, _ := s.SignIn(u.ID, "")

	if got, err := s.EndSession(a.ID); err != nil || got.Status != SessionEnded {
		t.Errorf("EndSession = %+v, %v", got, err)
	}
	if got, err := s.RemoveSession(b.ID); err != nil || got.Status != SessionRemoved {
		t.Errorf("RemoveSession = %+v, %v", got, err)
	}
	if _, err := s.EndSession("sess_nope"); !errors.Is(err, ErrNotFound) {
		t.Errorf("EndSession unknown = %v, want ErrNotFound", err)
	}
}
