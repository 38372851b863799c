package clock_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/portal-auth/portal-auth/lib/clock"
)

func TestSleepEndsWithItsContext(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
	defer cancel()
	start := time.Now()
	if err := clock.Sleep(ctx, time.Minute); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("err = %v, want deadline exceeded", err)
	}
	if time.Since(start) > 5*time.Second {
		t.Error("Sleep outlived its context")
	}
	if err := clock.Sleep(context.Background(), time.Millisecond); err != nil {
		t.Errorf("a plain sleep returned %v", err)
	}
}
