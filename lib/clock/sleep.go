// Package clock holds time helpers shared by the functions and tools.
package clock

import (
	"context"
	"time"
)

// Sleep waits for d, or until ctx ends, and returns ctx's error in that
// case. A non-positive d returns at once with ctx's error, if any.
func Sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
