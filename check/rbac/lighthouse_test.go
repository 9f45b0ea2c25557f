package rbac

import (
	"context"
	"encoding/json"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/resources/armsubscriptions"
	"github.com/oidc-doctor/oidc-doctor/check/diag"
	"github.com/oidc-doctor/oidc-doctor/check/emulator"
)

// TestSubscriptionRecordedLighthouse judges Microsoft's own example of a
// delegated subscription, decoded by the SDK: a token from the managing
// tenant passes and keeps ARM_TENANT_ID; a token from any other tenant is
// still told which tenant the subscription lives in.
func TestSubscriptionRecordedLighthouse(t *testing.T) {
	b, err := os.ReadFile("testdata/sub_get_200_managedbytenants_spec_example.json")
	if err != nil {
		t.Fatal(err)
	}
	var rec struct {
		Source string `json:"source"`
		Body   string `json:"body"`
	}
	if err := json.Unmarshal(b, &rec); err != nil {
		t.Fatal(err)
	}
	var sub armsubscriptions.Subscription
	if err := json.Unmarshal([]byte(rec.Body), &sub); err != nil {
		t.Fatal(err)
	}
	const managing, customer = "8f70baf1-1f6e-46a2-a1ff-238dac1ebfb7", "31c75423-32d6-4322-88b7-c478bdde4858"
	judge := func(tid string) diag.Result {
		w := &world{in: Input{SubscriptionID: armVal(sub.SubscriptionID), TenantID: tid}, need: needsOf("TRACKED", "write"), sub: subscriptionOutcome{sub: &sub}}
		return judgeSubscription(context.Background(), nil, w)
	}
	r := judge(managing)
	text := resultText(r)
	if r.Status != diag.StatusPass || !strings.Contains(text, "managed by tenants: "+managing) || !strings.Contains(text, "Azure Lighthouse") || strings.Contains(text, "Set ARM_TENANT_ID") {
		t.Errorf("the managing tenant's token:\n%s", dumpResult(r))
	}
	r = judge("0000aaaa-0000-0000-0000-000000000000")
	if r.Status != diag.StatusFail || !strings.Contains(r.Hint, "ARM_TENANT_ID to "+customer) {
		t.Errorf("an unrelated tenant's token:\n%s", dumpResult(r))
	}
}

func TestRBACLighthouse(t *testing.T) {
	w := startRBAC(t, "lighthouse-delegated", nil)
	got := w.run(t)
	checkExpect(t, got,
		expect{id: idARMSubscription, status: diag.StatusPass, inText: []string{"through Azure Lighthouse", "managed by tenants: " + emulator.TenantID, "ARM_TENANT_ID stays " + emulator.TenantID}},
		expect{id: idRBACPermissions, status: diag.StatusPass},
		expect{id: idRBACRoleAssignments, status: diag.StatusPass, inText: []string{"not listed by the role assignments API"}},
		expect{id: idRBACProviders, status: diag.StatusPass},
	)
	for id, r := range got {
		if strings.Contains(resultText(r), "Set ARM_TENANT_ID") {
			t.Errorf("%s advises changing ARM_TENANT_ID on a delegated subscription:\n%s", id, dumpResult(r))
		}
	}
}

// When the subscription answer makes the other reads meaningless, they are
// cancelled, reported as skipped, and never judged: a sibling still in
// flight (here one that would take 30 s) ends when the subscription fails.
func TestRBACCancelledSiblingsAreSkipped(t *testing.T) {
	w := startRBAC(t, "subscription-other-tenant", func(s *emulator.Scenario) {
		s.Faults = map[string]emulator.Fault{}
		for _, ep := range []string{"arm-permissions", "arm-role-assignments", "arm-providers"} {
			s.Faults[ep] = emulator.Fault{Delay: 30e9}
		}
	})
	done := make(chan []diag.Result, 1)
	go func() { done <- Check(context.Background(), w.in) }()
	var rs []diag.Result
	select {
	case rs = <-done:
	case <-time.After(20 * time.Second):
		t.Fatal("Check waited for the cancelled siblings")
	}
	if rs[0].Status != diag.StatusFail || rs[0].ErrorCode != "InvalidAuthenticationTokenTenant" {
		t.Errorf("arm-subscription:\n%s", dumpResult(rs[0]))
	}
	for _, r := range rs[1:] {
		if r.Status != diag.StatusSkip || !strings.Contains(r.Summary, "needs arm-subscription") {
			t.Errorf("a cancelled sibling gave a verdict:\n%s", dumpResult(r))
		}
	}
}
