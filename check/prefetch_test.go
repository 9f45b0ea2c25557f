package check

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
)

// hangingCred never answers: GetToken waits for its context.
type hangingCred struct{}

func (hangingCred) GetToken(ctx context.Context, _ policy.TokenRequestOptions) (azcore.AccessToken, error) {
	<-ctx.Done()
	return azcore.AccessToken{}, ctx.Err()
}

// TestStoragePrefetchDeadline: the prefetched storage token request ends at
// its own deadline even when the run's context has none.
func TestStoragePrefetchDeadline(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	p := &storagePrefetch{ctx: ctx, cancel: cancel, timeout: 50 * time.Millisecond, done: make(chan struct{})}
	defer p.stop()
	p.started()(hangingCred{})
	start := time.Now()
	// The reader's own bound is far longer: only the prefetch's may end it.
	rctx, rcancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer rcancel()
	_, err := p.source()(rctx)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("err = %v, want a deadline", err)
	}
	// Generous slack: this checks that the deadline cuts the hang, not speed.
	if el := time.Since(start); el > 5*time.Second {
		t.Errorf("the prefetch took %s with a deadline of %s", el, p.timeout)
	}
}
