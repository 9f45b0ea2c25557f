package check

// The state backend's storage token, requested beside the exchange. RBAC
// needs one round trip after the exchange; the backend needs two (a token
// for Azure Storage, then List Blobs). Asked after the exchange, the storage
// token would add a round trip to the run. So the root hands the exchange's
// credential to prefetch as soon as entra builds it, and the token request
// for Azure Storage goes out at the same time as the one for ARM, with the
// same assertion, through the credential's second MSAL client (see
// backend.StorageTokenOptions), whose lock the exchange does not hold.

import (
	"context"
	"sync"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"

	"github.com/oidc-doctor/oidc-doctor/check/backend"
	"github.com/oidc-doctor/oidc-doctor/check/settings"
)

// storagePrefetch is one token request for Azure Storage in flight.
type storagePrefetch struct {
	ctx    context.Context
	cancel context.CancelFunc
	// timeout bounds the token request, as entra.Timeout bounds the
	// exchange's: the backend's own deadline starts only after the exchange.
	timeout  time.Duration
	mu       sync.Mutex
	launched bool
	done     chan struct{}
	tok      azcore.AccessToken
	err      error
}

// newStoragePrefetch returns a prefetch when the backend's live checks
// will want the token; nil otherwise.
func newStoragePrefetch(ctx context.Context, tf terraform, az settings.Azure, cfg Config) *storagePrefetch {
	if tf.backend == nil || cfg.Offline {
		return nil
	}
	in := *tf.backend
	in.ClientID, in.TenantID = az.ClientID, az.TenantID
	if !backend.WantsStorageToken(in) {
		return nil
	}
	pctx, cancel := context.WithCancel(ctx)
	return &storagePrefetch{ctx: pctx, cancel: cancel, timeout: backend.Timeout, done: make(chan struct{})}
}

// started is entra's hook, or nil when there is nothing to prefetch: it
// requests the token from cred, once, just before the exchange's own request,
// under a deadline of its own (timeout), recording what its requests meet
// for backend-data, as the exchange records its own (see
// backend.RequestStorageToken).
func (p *storagePrefetch) started() func(azcore.TokenCredential) {
	if p == nil {
		return nil
	}
	return func(cred azcore.TokenCredential) {
		p.mu.Lock()
		defer p.mu.Unlock()
		if p.launched {
			return
		}
		p.launched = true
		go func() {
			defer close(p.done)
			ctx, cancel := context.WithTimeout(p.ctx, p.timeout)
			defer cancel()
			p.tok, p.err = backend.RequestStorageToken(ctx, cred)
		}()
	}
}

func (p *storagePrefetch) wasLaunched() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.launched
}

// source is the backend step's StorageToken: it waits for the token (or
// for the caller's context). nil when nothing was requested.
func (p *storagePrefetch) source() func(context.Context) (azcore.AccessToken, error) {
	if p == nil || !p.wasLaunched() {
		return nil
	}
	return func(ctx context.Context) (azcore.AccessToken, error) {
		select {
		case <-p.done:
			return p.tok, p.err
		case <-ctx.Done():
			return azcore.AccessToken{}, ctx.Err()
		}
	}
}

// stop ends a request nobody will read and waits for it, so that Run
// leaves no request behind.
func (p *storagePrefetch) stop() {
	if p == nil {
		return
	}
	p.cancel()
	if p.wasLaunched() {
		<-p.done
	}
}
