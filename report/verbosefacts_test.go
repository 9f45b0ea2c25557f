package report

import (
	"strings"
	"testing"

	"github.com/oidc-doctor/oidc-doctor/check/diag"
)

// The namespaces no azurerm set holds are evidence for --verbose, even on a
// check that warns: a real subscription lists dozens.
func TestVerboseOnlyFacts(t *testing.T) {
	rep := diag.Report{Results: []diag.Result{{ID: "rbac-providers", Title: "Resource provider registration", Status: diag.StatusWarn,
		Summary: "s", Hint: "h", Facts: []diag.Fact{diag.F("in the set, not registered", "Microsoft.App (NotRegistered)"),
			diag.F("other namespaces (not judged)", "2 not registered: Dynatrace.Ruxit, Sendgrid.Email")}}}}
	for _, verbose := range []bool{false, true} {
		var b strings.Builder
		if err := Text(&b, rep, Meta{Tool: "oidc-doctor"}, TextOptions{Verbose: verbose}); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(b.String(), "Microsoft.App (NotRegistered)") || strings.Contains(b.String(), "Dynatrace.Ruxit") != verbose {
			t.Errorf("verbose=%v:\n%s", verbose, b.String())
		}
	}
}
