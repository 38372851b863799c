package replay_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/portal-auth/portal-auth/lib/replay"
)

func TestSendSignsSoTheFunctionAppliesIt(t *testing.T) {
	e := newEnv(t)
	sender, err := replay.NewSender(e.url, testSecret, nil)
	if err != nil {
		t.Fatal(err)
	}
	id := replay.NewMessageID()
	if !strings.HasPrefix(id, "msg_") || id == replay.NewMessageID() {
		t.Errorf("message id %q is not a fresh msg_ id", id)
	}

	ans, err := sender.Send(context.Background(), id, userCreated("user_file"))
	if err != nil {
		t.Fatal(err)
	}
	if ans != (replay.Answer{HTTPStatus: http.StatusOK, Status: "processed"}) {
		t.Errorf("answer = %v, want 200 processed", ans)
	}
	if n := e.count(`SELECT count(*) FROM audit_events WHERE svix_id = $1
		AND subject_id = 'user_file'`, id); n != 1 {
		t.Errorf("audit rows for the sent event = %d, want 1", n)
	}
}

func TestSendWithAnotherSecretIsRefused(t *testing.T) {
	e := newEnv(t)
	sender, err := replay.NewSender(e.url, "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD", nil)
	if err != nil {
		t.Fatal(err)
	}
	ans, err := sender.Send(context.Background(), replay.NewMessageID(), userCreated("user_x"))
	if err != nil {
		t.Fatal(err)
	}
	if ans.HTTPStatus != http.StatusUnauthorized || ans.Status != "invalid_signature" {
		t.Errorf("answer = %v, want 401 invalid_signature", ans)
	}
}

func TestNewSenderRefusesBadSecretsAndURLs(t *testing.T) {
	for _, tt := range []struct{ url, secret string }{
		{"http://127.0.0.1:1/x", ""},
		{"http://127.0.0.1:1/x", "whsec_"},
		{"http://127.0.0.1:1/x", "whsec_short"},
		{"http://127.0.0.1:1/x", "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"},
		{"127.0.0.1:3000/api", testSecret},
	} {
		if _, err := replay.NewSender(tt.url, tt.secret, nil); err == nil {
			t.Errorf("NewSender(%q, %q) accepted", tt.url, tt.secret)
		}
	}
}
