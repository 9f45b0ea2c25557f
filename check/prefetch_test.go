package check

import (
	"context"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"

	"github.com/oidc-doctor/oidc-doctor/check/diag"
	"github.com/oidc-doctor/oidc-doctor/check/emulator"
	"github.com/oidc-doctor/oidc-doctor/check/rbac"
	"github.com/oidc-doctor/oidc-doctor/check/settings"
	"github.com/oidc-doctor/oidc-doctor/check/transport"
)

// TestStoragePrefetchDeadline: the prefetched storage token request, made
// by the real ClientAssertionCredential through the run's observer to a
// token endpoint that never answers, ends at its own deadline even when
// the run's context has none, and backend-data says it timed out. The
// deadline reaches backend-data inside azidentity's
// AuthenticationFailedError, which keeps only its text: read as Entra's
// refusal, it was exit 3.
func TestStoragePrefetchDeadline(t *testing.T) {
	sc, _ := emulator.Lookup("backend-ok")
	sc.Faults = map[string]emulator.Fault{"entra-token-storage": {Hang: true}}
	e, err := emulator.Start(sc, emulator.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	_, client := transport.NewObserver(e.Client(), time.Now)
	co := azcore.ClientOptions{Transport: transport.SDK(client), Retry: transport.RetryOptions}
	cred, err := azidentity.NewClientAssertionCredential(emulator.TenantID, emulator.ClientID,
		func(context.Context) (string, error) { return e.Token(), nil }, &azidentity.ClientAssertionCredentialOptions{ClientOptions: co})
	if err != nil {
		t.Fatal(err)
	}

	ctx, cancel := context.WithCancel(context.Background())
	p := &storagePrefetch{ctx: ctx, cancel: cancel, timeout: 300 * time.Millisecond, done: make(chan struct{})}
	defer p.stop()
	start := time.Now()
	p.started()(cred)
	// The reader's own bound is far longer: only the prefetch's may end it.
	rctx, rcancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer rcancel()
	if _, err := p.source()(rctx); err == nil {
		t.Fatal("the token request succeeded")
	}
	// Generous slack: this checks that the deadline cuts the hang, not speed.
	if el := time.Since(start); el > 5*time.Second {
		t.Errorf("the prefetch took %s with a deadline of %s", el, p.timeout)
	}

	ws := t.TempDir()
	env, _, err := e.RunEnv(ws)
	if err != nil {
		t.Fatal(err)
	}
	dir, err := e.TerraformDir(ws)
	if err != nil {
		t.Fatal(err)
	}
	cfg := Config{Getenv: func(k string) string { return env[k] }, Dir: dir, LookupHost: e.LookupHost}
	tf, _ := readTerraform(cfg)
	rbacIn := &rbac.Input{Cred: cred, ObjectID: emulator.SPObjectID}
	rbacIn.ClientOptions.ClientOptions = co
	az := settings.Azure{ClientID: emulator.ClientID, TenantID: emulator.TenantID}
	got := map[string]diag.Result{}
	for _, r := range backendStep(context.Background(), tf, rbacIn, "", az, p, cfg) {
		got[r.ID] = r
	}
	if r := got["backend-data"]; r.Status != diag.StatusFail || r.Cause != diag.CauseTimeout {
		t.Errorf("backend-data: %s %q: %s", r.Status, r.Cause, r.Summary)
	}
	// The ARM reads ask for their own token, which is not faulted.
	if r := got["backend-account"]; r.Status != diag.StatusPass {
		t.Errorf("backend-account: %s %q: %s", r.Status, r.Cause, r.Summary)
	}
}
