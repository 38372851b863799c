package replay

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	svix "github.com/svix/svix-webhooks/go"
)

// DefaultURL is the webhook function of a local portal dev.
const DefaultURL = "http://127.0.0.1:3000/api/v1/webhooks/clerk"

// sendTimeout is above the 15 s within which the function must answer.
const sendTimeout = 20 * time.Second

// Sender signs bodies the way Svix does and posts them to a webhook URL.
type Sender struct {
	url    string
	signer *svix.Webhook
	client *http.Client
	now    func() time.Time
}

// NewSender returns a Sender posting to url, signing with the whsec_
// secret. client nil means a client with a 20 s timeout. It returns an
// error for an empty or malformed secret (the Svix library would accept an
// empty one) or a URL that is not http(s).
func NewSender(url, secret string, client *http.Client) (*Sender, error) {
	if !strings.HasPrefix(url, "http://") && !strings.HasPrefix(url, "https://") {
		return nil, errors.New("replay: webhook URL must be http:// or https://")
	}
	key, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(secret, "whsec_"))
	if !strings.HasPrefix(secret, "whsec_") || err != nil || len(key) < 16 {
		return nil, errors.New("replay: webhook secret must be whsec_ and at least 16 bytes of base64")
	}
	signer, err := svix.NewWebhookRaw(key)
	if err != nil {
		return nil, fmt.Errorf("replay: webhook secret: %w", err)
	}
	if client == nil {
		client = &http.Client{Timeout: sendTimeout}
	}
	return &Sender{url: url, signer: signer, client: client, now: time.Now}, nil
}

// Answer is the webhook function's reply to one delivery.
type Answer struct {
	// HTTPStatus is the response status code.
	HTTPStatus int
	// Status is the body's "status" (processed, duplicate, ignored,
	// rejected) on success, else its "error" code.
	Status string
}

// OK reports a 2xx answer.
func (a Answer) OK() bool { return a.HTTPStatus >= 200 && a.HTTPStatus < 300 }

func (a Answer) String() string {
	if a.HTTPStatus == 0 {
		return "not sent"
	}
	return strconv.Itoa(a.HTTPStatus) + " " + a.Status
}

// Send posts body under the message id, signed with the current time. It
// returns an error only when no answer was received.
func (s *Sender) Send(ctx context.Context, id string, body []byte) (Answer, error) {
	at := s.now()
	sig, err := s.signer.Sign(id, at, body)
	if err != nil {
		return Answer{}, fmt.Errorf("sign delivery: %w", err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.url, bytes.NewReader(body))
	if err != nil {
		return Answer{}, fmt.Errorf("build request: %w", err)
	}
	req.Header.Set("content-type", "application/json")
	req.Header.Set("svix-id", id)
	req.Header.Set("svix-timestamp", strconv.FormatInt(at.Unix(), 10))
	req.Header.Set("svix-signature", sig)
	res, err := s.client.Do(req)
	if err != nil {
		return Answer{}, fmt.Errorf("post delivery: %w", err)
	}
	defer res.Body.Close()
	return readAnswer(res), nil
}

func readAnswer(res *http.Response) Answer {
	raw, _ := io.ReadAll(io.LimitReader(res.Body, 64<<10))
	var body struct {
		Status string `json:"status"`
		Error  string `json:"error"`
	}
	_ = json.Unmarshal(raw, &body)
	a := Answer{HTTPStatus: res.StatusCode, Status: body.Status}
	if a.Status == "" {
		a.Status = body.Error
	}
	if a.Status == "" {
		a.Status = strings.ToLower(strings.ReplaceAll(http.StatusText(res.StatusCode), " ", "_"))
	}
	return a
}

// NewMessageID returns a fresh Svix-like message id, for sending a local
// file.
func NewMessageID() string { return "msg_" + rand.Text() }
