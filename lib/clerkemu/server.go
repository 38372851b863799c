package clerkemu

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"
)

// Server is an Emulator listening on a loopback address.
type Server struct {
	*Emulator
	ln  net.Listener
	srv *http.Server
}

// Start builds an emulator with New and serves it on addr, default
// 127.0.0.1:0 (a free port). It returns an error when New fails or the
// address cannot be listened on.
func Start(addr string, opts Options) (*Server, error) {
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	e, err := New(opts)
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		e.Close()
		return nil, fmt.Errorf("listen on %s: %w", addr, err)
	}
	s := &Server{
		Emulator: e,
		ln:       ln,
		srv:      &http.Server{Handler: e.Handler(), ReadHeaderTimeout: 10 * time.Second},
	}
	go func() {
		if err := s.srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			e.log.Error("serve", "err", err)
		}
	}()
	return s, nil
}

// Addr returns the address the server listens on.
func (s *Server) Addr() string { return s.ln.Addr().String() }

// URL returns the Backend API base URL, http://<addr>/v1, for
// clerk.BackendConfig.URL and CLERK_API_URL.
func (s *Server) URL() string { return "http://" + s.Addr() + "/v1" }

// Close stops the HTTP server (waiting briefly for requests in flight) and
// then the emulator. It returns the first error met.
func (s *Server) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	err := s.srv.Shutdown(ctx)
	if errors.Is(err, context.DeadlineExceeded) {
		err = s.srv.Close()
	}
	return errors.Join(err, s.Emulator.Close())
}
