package clerkemu

import (
	"net/http"
	"sync"
	"time"

	"github.com/portal-auth/portal-auth/lib/clock"
)

// AllRoutes is the route name whose fault applies to every Backend API route
// without a fault of its own.
const AllRoutes = "*"

// Fault makes a route misbehave. Route names are the route's method and
// pattern below /v1, as listed by Routes, e.g. "POST /sessions/{id}/revoke".
type Fault struct {
	// Status, when non-zero, is answered instead of calling the route: a
	// Clerk-shaped error unless Body is set.
	Status int `json:"status,omitempty"`
	// Delay is waited before answering (or before calling the route).
	Delay time.Duration `json:"delay,omitempty"`
	// Body, when set, is sent raw as text/html instead of a JSON error, with
	// Status or 502.
	Body string `json:"body,omitempty"`
	// Times limits the fault to the next Times calls; zero means until
	// cleared.
	Times int `json:"times,omitempty"`
}

// faultSet holds the active faults by route name.
type faultSet struct {
	mu     sync.Mutex
	faults map[string]*Fault
}

func newFaultSet() *faultSet {
	return &faultSet{faults: make(map[string]*Fault)}
}

// take returns the fault for route (or AllRoutes) and uses up one of its
// calls.
func (s *faultSet) take(route string) (Fault, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	name := route
	f, ok := s.faults[name]
	if !ok {
		name = AllRoutes
		f, ok = s.faults[name]
	}
	if !ok {
		return Fault{}, false
	}
	out := *f
	if f.Times > 0 {
		f.Times--
		if f.Times == 0 {
			delete(s.faults, name)
		}
	}
	return out, true
}

// SetFault installs f for route (a name from Routes, or AllRoutes),
// replacing any previous fault there.
func (e *Emulator) SetFault(route string, f Fault) {
	e.faults.mu.Lock()
	defer e.faults.mu.Unlock()
	e.faults.faults[route] = &f
}

// ClearFault removes the fault of one route.
func (e *Emulator) ClearFault(route string) {
	e.faults.mu.Lock()
	defer e.faults.mu.Unlock()
	delete(e.faults.faults, route)
}

// ClearFaults removes every fault.
func (e *Emulator) ClearFaults() {
	e.faults.mu.Lock()
	defer e.faults.mu.Unlock()
	clear(e.faults.faults)
}

// applyFault waits and answers as f says. It reports whether it answered.
func applyFault(w http.ResponseWriter, r *http.Request, f Fault) bool {
	if err := clock.Sleep(r.Context(), f.Delay); err != nil {
		return true
	}
	if f.Body != "" {
		status := f.Status
		if status == 0 {
			status = http.StatusBadGateway
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.WriteHeader(status)
		_, _ = w.Write([]byte(f.Body))
		return true
	}
	if f.Status == 0 {
		return false
	}
	writeAPIError(w, &apiError{
		Status:      f.Status,
		Code:        codeFaultInjected,
		Message:     http.StatusText(f.Status),
		LongMessage: "Fault injected by the Clerk emulator.",
	})
	return true
}
