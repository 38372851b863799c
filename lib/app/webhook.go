package app

import (
	"net/http"

	"github.com/portal-auth/portal-auth/lib/config"
	"github.com/portal-auth/portal-auth/lib/httpx"
	"github.com/portal-auth/portal-auth/lib/outbox"
	"github.com/portal-auth/portal-auth/lib/webhook"
)

// Webhook is the Clerk webhook function.
var Webhook = Function{
	Name:     "webhook",
	Requires: config.Webhook,
	Build: func(d *Deps) (httpx.HandlerFunc, error) {
		verifier, err := webhook.NewVerifier(d.Config.WebhookSecrets, d.Now)
		if err != nil {
			return nil, err
		}
		h, err := webhook.New(webhook.Options{
			Pool:     d.Pool,
			Verifier: verifier,
			Runner:   OutboxRunner(d),
			Logger:   d.Logger,
		})
		if err != nil {
			return nil, err
		}
		return h.Serve, nil
	},
}

// OutboxRunner returns the runner of queued Clerk actions, or nil when no
// Clerk secret key is configured (the actions then wait in the queue).
func OutboxRunner(d *Deps) *outbox.Runner {
	if d.Clerk == nil {
		return nil
	}
	return &outbox.Runner{
		Pool:     d.Pool,
		Executor: outbox.ClerkExecutor{Client: d.Clerk},
		Logger:   d.Logger,
	}
}

var webhookInstance = &instance{fn: Webhook}

// ServeWebhook serves the webhook function from the instance's dependency set.
func ServeWebhook(w http.ResponseWriter, r *http.Request) { webhookInstance.serve(w, r) }
