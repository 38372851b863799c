package app

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"sync"

	"github.com/portal-auth/portal-auth/lib/config"
	"github.com/portal-auth/portal-auth/lib/httpx"
	"github.com/portal-auth/portal-auth/lib/obs"
)

// Builder makes a function's handler from the dependency set.
type Builder func(d *Deps) (httpx.HandlerFunc, error)

// Function is one deployed function: its name, the configuration it
// requires and how to build its handler.
type Function struct {
	Name     string
	Requires config.Function
	Build    Builder
}

// Handler returns fn's handler on d, or an error when d lacks what fn needs.
func (fn Function) Handler(d *Deps) (http.Handler, error) {
	if err := d.Config.Require(fn.Requires); err != nil {
		return nil, err
	}
	h, err := fn.Build(d)
	if err != nil {
		return nil, fmt.Errorf("build %s: %w", fn.Name, err)
	}
	return d.Adapter.Handle(fn.Name, h), nil
}

// instance holds the handler of the one function a serverless instance runs.
// A failed build is not kept: the next request tries again.
type instance struct {
	fn Function

	mu      sync.Mutex
	handler http.Handler
}

func (i *instance) serve(w http.ResponseWriter, r *http.Request) {
	h, err := i.get()
	if err != nil {
		fallback := httpx.Adapter{Logger: obs.NewLogger(os.Stderr, slog.LevelInfo)}
		fallback.Handle(i.fn.Name, func(http.ResponseWriter, *http.Request) error {
			return httpx.Unavailable("the function is not ready", 0, err)
		}).ServeHTTP(w, r)
		return
	}
	h.ServeHTTP(w, r)
}

func (i *instance) get() (http.Handler, error) {
	i.mu.Lock()
	defer i.mu.Unlock()
	if i.handler != nil {
		return i.handler, nil
	}
	d, err := Load(context.Background(), os.Getenv)
	if err != nil {
		return nil, err
	}
	h, err := i.fn.Handler(d)
	if err != nil {
		d.Close()
		return nil, err
	}
	i.handler = h
	return h, nil
}
