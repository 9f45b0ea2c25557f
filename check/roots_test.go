package check_test

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/oidc-doctor/oidc-doctor/check/diag"
	"github.com/oidc-doctor/oidc-doctor/check/emulator"
	"github.com/oidc-doctor/oidc-doctor/report"
)

// TestBlocksKeepTheirOwnRoots: two provider blocks on two subscriptions,
// without a role on either: each block's missing role is a root of its
// own (the grant on one subscription never repairs the other), and both
// grants are printed in the text report.
func TestBlocksKeepTheirOwnRoots(t *testing.T) {
	const subB = "7e1f2a3b-4c5d-4e6f-8a9b-0c1d2e3f4a5b"
	sc := lookup(t, "ok")
	for _, id := range []string{emulator.StateSubscriptionID, subB} {
		sc.ARM.Subscriptions = append(sc.ARM.Subscriptions, emulator.Subscription{ID: id, TenantID: emulator.TenantID,
			DisplayName: "Block " + id[:4], State: "Enabled", Providers: sc.ARM.Subscriptions[0].Providers})
	}
	block := func(alias, sub string) string {
		return "\nprovider \"azurerm\" {\n  alias           = \"" + alias + "\"\n  features {}\n  subscription_id = \"" + sub + "\"\n}\n"
	}
	sc.Terraform = map[string]string{"providers.tf": "provider \"azurerm\" {\n  features {}\n}\n" + block("a", emulator.StateSubscriptionID) + block("b", subB)}
	rep, _ := runScenario(t, sc, 20*time.Second)
	for _, id := range []string{"arm-subscription@a", "arm-subscription@b"} {
		if r := rep.Find(id); r == nil || r.Status != diag.StatusFail || r.RootCause != "" {
			t.Errorf("%s is not a root of its own: %+v\n%s", id, r, dump(rep))
		}
	}
	var b bytes.Buffer
	if err := report.Text(&b, rep, report.Meta{Tool: "oidc-doctor"}, report.TextOptions{}); err != nil {
		t.Fatal(err)
	}
	for _, sub := range []string{emulator.StateSubscriptionID, subB} {
		if !strings.Contains(b.String(), "--scope /subscriptions/"+sub) {
			t.Errorf("no grant on /subscriptions/%s in the text report:\n%s", sub, b.String())
		}
	}
}

// TestBackendSkipsNameTheirRoot: the backend step's skips follow from the
// failure they wait for: the exchange that left it without an identity,
// its own settings that leave no way to the state with the token, or the
// List Blobs that the lock check needs.
func TestBackendSkipsNameTheirRoot(t *testing.T) {
	noApp := lookup(t, "backend-ok")
	noApp.Env["ARM_CLIENT_ID"] = "0d9c8b7a-6f5e-4d3c-9b2a-1f0e9d8c7b6a"
	tests := []struct {
		name string
		sc   emulator.Scenario
		root string
		ids  []string
	}{
		{"exchange", noApp, "entra-exchange", []string{"backend-account", "backend-data", "backend-lock"}},
		{"settings", lookup(t, "backend-provider-oidc-only"), "", []string{"backend-account", "backend-data", "backend-lock"}},
		{"data", lookup(t, "backend-no-data-role"), "backend-data", []string{"backend-lock"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rep, _ := runScenario(t, tt.sc, 20*time.Second)
			root := tt.root
			if root == "" {
				root = diag.FirstFailure(rep.Results)
				if !strings.HasPrefix(root, "backend-") {
					t.Fatalf("the first failure is %s, not the backend's own:\n%s", root, dump(rep))
				}
			}
			for _, id := range tt.ids {
				if r := rep.Find(id); r == nil || r.Status != diag.StatusSkip || r.RootCause != root {
					t.Errorf("%s: %+v, want a skip with root %s\n%s", id, r, root, dump(rep))
				}
			}
		})
	}
}
