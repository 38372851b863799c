package clerkemu

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"sync"
	"testing"

	"github.com/clerk/clerk-sdk-go/v2"
	"github.com/clerk/clerk-sdk-go/v2/jwt"
	"github.com/clerk/clerk-sdk-go/v2/user"
)

// adminCall posts body to an admin path and decodes the answer into out.
func adminCall(t *testing.T, s *Server, method, path, body string, out any) int {
	t.Helper()
	req, _ := http.NewRequest(method, "http://"+s.Addr()+path, bytes.NewReader([]byte(body)))
	req.Header.Set("Authorization", "Bearer "+s.SecretKey())
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if out != nil {
		must(t, json.NewDecoder(resp.Body).Decode(out))
	}
	return resp.StatusCode
}

func TestAdminSignInAndEnd(t *testing.T) {
	s := startEmu(t, Options{})
	_, tok, org := signedInAdmin(t, s)
	key, _ := clerk.JSONWebKeyFromPEM(s.PublicKeyPEM())
	claims, err := jwt.Verify(context.Background(), &jwt.VerifyParams{Token: tok, JWK: key})
	must(t, err)

	var got struct {
		Session Session `json:"session"`
		JWT     string  `json:"jwt"`
	}
	body := fmt.Sprintf(`{"user_id":%q,"organization_id":%q}`, claims.Subject, org.ID)
	if st := adminCall(t, s, http.MethodPost, "/__emulator/sign_in", body, &got); st != 200 {
		t.Fatalf("sign_in status %d", st)
	}
	if got.Session.Status != SessionActive || got.JWT == "" ||
		got.Session.LastActiveOrganizationID != org.ID {
		t.Errorf("sign_in = %+v", got)
	}

	var ended Session
	path := "/__emulator/sessions/" + got.Session.ID + "/end"
	if st := adminCall(t, s, http.MethodPost, path, "", &ended); st != 200 ||
		ended.Status != SessionEnded {
		t.Errorf("end = %d %+v", st, ended)
	}
	if st := adminCall(t, s, http.MethodPost, path, "", nil); st != http.StatusBadRequest {
		t.Errorf("ending twice = %d, want 400", st)
	}
}

func TestConcurrentUse(t *testing.T) {
	s := startEmu(t, Options{})
	rc := newReceiver(t)
	s.AddWebhookEndpoint(rc.URL)
	users := user.NewClient(config(s))

	var wg sync.WaitGroup
	for i := range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			u, err := users.Create(context.Background(), &user.CreateParams{
				EmailAddresses: &[]string{fmt.Sprintf("u%d@example.com", i)}})
			if err != nil {
				t.Error(err)
				return
			}
			if _, _, err := s.SignIn(u.ID, ""); err != nil {
				t.Error(err)
			}
			_ = s.Messages()
		}()
	}
	wg.Wait()
	waitIdle(t, s)

	if got := len(rc.deliveries()); got != 40 {
		t.Errorf("%d deliveries, want 40", got)
	}
}
