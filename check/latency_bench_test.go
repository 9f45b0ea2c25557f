package check_test

import (
	"context"
	"net/http"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/arm"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/to"
	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/authorization/armauthorization/v2"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/resources/armresources"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/resources/armsubscriptions"
	"github.com/oidc-doctor/oidc-doctor/check"
	"github.com/oidc-doctor/oidc-doctor/check/diag"
	"github.com/oidc-doctor/oidc-doctor/check/emulator"
)

// benchLatency is what every request costs on the slow network the
// benchmarks model (issue 12: at most 1.1x a minimal client at 100 ms).
const benchLatency = 100 * time.Millisecond

// latencyTransport adds a fixed delay in front of every request and keeps
// when each one started and ended, to count the rounds on the critical path.
type latencyTransport struct {
	base  http.RoundTripper
	delay time.Duration
	mu    sync.Mutex
	spans [][2]time.Time
}

func (l *latencyTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	start := time.Now()
	t := time.NewTimer(l.delay)
	select {
	case <-t.C:
	case <-req.Context().Done():
		t.Stop()
		return nil, req.Context().Err()
	}
	resp, err := l.base.RoundTrip(req)
	l.mu.Lock()
	l.spans = append(l.spans, [2]time.Time{start, time.Now()})
	l.mu.Unlock()
	return resp, err
}

// rounds is the longest chain of requests each of which started after the
// previous one ended: the round trips a run waits for, one after another.
// It forgets the requests, for the next run.
func (l *latencyTransport) rounds() int {
	l.mu.Lock()
	spans := l.spans
	l.spans = nil
	l.mu.Unlock()
	sort.Slice(spans, func(i, j int) bool { return spans[i][0].Before(spans[j][0]) })
	depth := make([]int, len(spans))
	best := 0
	for i, s := range spans {
		depth[i] = 1
		for j := range i {
			if !spans[j][1].After(s[0]) && depth[j]+1 > depth[i] {
				depth[i] = depth[j] + 1
			}
		}
		best = max(best, depth[i])
	}
	return best
}

// benchDoctorSlow is the whole diagnosis of the healthy scenario over the
// slow network.
func benchDoctorSlow(b *testing.B) { benchDoctorSlowOn(b, "ok") }

// benchDoctorSlowOn is benchDoctorSlow on a named healthy scenario:
// backend-ok adds the state-backend step (a storage token, List Blobs, the
// account and the container's permissions through ARM) beside RBAC, and
// must not lengthen the critical path.
func benchDoctorSlowOn(b *testing.B, name string) {
	e := startScenario(b, name)
	cfg := runConfig(b, e)
	lt := &latencyTransport{base: e.Client().Transport, delay: benchLatency}
	cfg.HTTPClient = &http.Client{Transport: lt}
	var rounds, runs int
	for b.Loop() {
		if rep := check.Run(context.Background(), cfg); rep.Status() != diag.StatusPass {
			b.Fatalf("the %s scenario does not pass:\n%s", name, dump(rep))
		}
		rounds += lt.rounds()
		runs++
	}
	b.ReportMetric(float64(rounds)/float64(runs), "rounds/op")
}

// benchBaselineSlow is the minimal client the doctor is measured against:
// azidentity's ClientAssertionCredential with its defaults exchanges the
// token, then three ARM reads run in parallel (the subscription, the
// principal's role assignments, the resource providers). discovery false
// sets DisableInstanceDiscovery, as the doctor does.
func benchBaselineSlow(b *testing.B, discovery bool) {
	e := startScenario(b, "ok")
	lt := &latencyTransport{base: e.Client().Transport, delay: benchLatency}
	client := &http.Client{Transport: lt}
	var rounds, runs int
	for b.Loop() {
		if err := baselineRun(e, client, discovery); err != nil {
			b.Fatal(err)
		}
		rounds += lt.rounds()
		runs++
	}
	b.ReportMetric(float64(rounds)/float64(runs), "rounds/op")
}

func baselineRun(e *emulator.Emulator, client *http.Client, discovery bool) error {
	ctx := context.Background()
	opts := azcore.ClientOptions{Transport: client}
	cred, err := azidentity.NewClientAssertionCredential(emulator.TenantID, emulator.ClientID,
		func(context.Context) (string, error) { return e.Token(), nil },
		&azidentity.ClientAssertionCredentialOptions{ClientOptions: opts, DisableInstanceDiscovery: !discovery})
	if err != nil {
		return err
	}
	if _, err := cred.GetToken(ctx, policy.TokenRequestOptions{Scopes: []string{"https://management.core.windows.net//.default"}, EnableCAE: true}); err != nil {
		return err
	}
	aopts := &arm.ClientOptions{ClientOptions: opts, DisableRPRegistration: true}
	subs, _ := armsubscriptions.NewClient(cred, aopts)
	ras, _ := armauthorization.NewRoleAssignmentsClient(emulator.SubscriptionID, cred, aopts)
	provs, _ := armresources.NewProvidersClient(emulator.SubscriptionID, cred, aopts)
	var wg sync.WaitGroup
	errs := make([]error, 3)
	wg.Go(func() { _, errs[0] = subs.Get(ctx, emulator.SubscriptionID, nil) })
	wg.Go(func() {
		p := ras.NewListForSubscriptionPager(&armauthorization.RoleAssignmentsClientListForSubscriptionOptions{Filter: to.Ptr("assignedTo('" + emulator.SPObjectID + "')")})
		for p.More() {
			if _, errs[1] = p.NextPage(ctx); errs[1] != nil {
				return
			}
		}
	})
	wg.Go(func() {
		p := provs.NewListPager(nil)
		for p.More() {
			if _, errs[2] = p.NextPage(ctx); errs[2] != nil {
				return
			}
		}
	})
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}
