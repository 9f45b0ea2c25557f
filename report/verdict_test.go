package report

import (
	"bytes"
	"strings"
	"testing"

	"github.com/oidc-doctor/oidc-doctor/check/diag"
)

// faultBeforeMisconfig is a run where a transient Entra error fails the
// Graph token first, and the storage firewall fails the backend after it:
// the run exits 3 for the firewall (review finding #5).
func faultBeforeMisconfig() diag.Report {
	return diag.Report{Results: []diag.Result{
		{ID: "entra-exchange", Step: "entra", Status: diag.StatusPass, Summary: "Entra accepted the token"},
		{ID: "graph-token", Step: "graph", Status: diag.StatusFail, Cause: diag.CauseServiceFault, ErrorCode: "AADSTS90033",
			Summary: "Entra refused the Microsoft Graph token: a transient Entra error (HTTP 503), not your configuration"},
		{ID: "graph-permissions", Step: "graph", Status: diag.StatusSkip, RootCause: "graph-token", Summary: "skipped: needs graph-token"},
		{ID: "backend-data", Step: "backend", Status: diag.StatusFail, Cause: diag.CauseStorageAccessDenied, ErrorCode: "AuthorizationFailure",
			Summary: "the storage account's firewall refused the worker",
			Fixes:   []diag.Fix{{Title: "allow the worker", Text: "az storage account update --public-network-access Enabled"}}},
	}}
}

// TestMainRootPrefersMisconfiguration: a report that fails on its
// configuration leads with that misconfiguration and its fix, not with a
// fault that came first; a report of faults only leads with the first.
func TestMainRootPrefersMisconfiguration(t *testing.T) {
	r := faultBeforeMisconfig()
	if got := mainRoot(r); got == nil || got.ID != "backend-data" {
		t.Fatalf("mainRoot = %v, want backend-data", got)
	}
	if others := strings.Join(otherRoots(r, mainRoot(r)), " "); !strings.Contains(others, "graph-token") {
		t.Errorf("otherRoots = %q, want graph-token in it", others)
	}
	for name, render := range map[string]renderer{"text": plainText, "markdown": Markdown} {
		var b bytes.Buffer
		if err := render(&b, r, Meta{}); err != nil {
			t.Fatal(err)
		}
		lead := b.String()
		if i := strings.Index(lead, "oot cause"); i < 0 || !strings.Contains(lead[i:min(len(lead), i+200)], "firewall") {
			t.Errorf("%s: the root cause is not the firewall:\n%s", name, lead)
		}
		if strings.Contains(lead, "nconclusive") {
			t.Errorf("%s: an exit-3 report says inconclusive:\n%s", name, lead)
		}
		if !strings.Contains(lead, "az storage account update") {
			t.Errorf("%s: the firewall's fix is not printed:\n%s", name, lead)
		}
	}

	linked := faultBeforeMisconfig()
	linked.Results[3].RootCause = "graph-token"
	if got := mainRoot(linked); got == nil || got.ID != "backend-data" {
		t.Errorf("a misconfiguration linked under a fault: mainRoot = %v, want backend-data", got)
	}

	r.Results[3].Status, r.Results[3].Cause = diag.StatusFail, diag.CauseTimeout
	if got := mainRoot(r); got == nil || got.ID != "graph-token" {
		t.Errorf("faults only: mainRoot = %v, want the first, graph-token", got)
	}
}

// TestMainRootPrefersWarningWithFix: of the warnings, the report leads with
// the first that has something to do (the apply phase's missing credential)
// over advice that comes before it (the run has an apply phase at all).
func TestMainRootPrefersWarningWithFix(t *testing.T) {
	r := diag.Report{Results: []diag.Result{
		{ID: "claim-scope", Status: diag.StatusWarn, Summary: "TRACKED run with read scope", Hint: "create a second federated credential"},
		{ID: "graph-credentials", Status: diag.StatusWarn, Cause: diag.CauseNoMatchingFIC, Summary: "the apply phase's write subject has no federated credential",
			Fixes: []diag.Fix{{Title: "create them", Text: "az ad app federated-credential create"}}},
		{ID: "rbac-permissions", Status: diag.StatusWarn, Summary: "no role at subscription scope", Fixes: []diag.Fix{{Title: "grant", Text: "az role assignment create"}}},
	}}
	if got := mainRoot(r); got == nil || got.ID != "graph-credentials" {
		t.Errorf("mainRoot = %v, want graph-credentials, the first warning with a fix", got)
	}
	r.Results[1].Fixes, r.Results[2].Fixes = nil, nil
	if got := mainRoot(r); got == nil || got.ID != "claim-scope" {
		t.Errorf("no warning has a fix: mainRoot = %v, want the first, claim-scope", got)
	}
}
