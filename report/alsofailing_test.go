package report

import (
	"bytes"
	"strings"
	"testing"

	"github.com/oidc-doctor/oidc-doctor/check/diag"
)

// TestOtherRootsOnce: the verdict names the other failing roots once,
// "also failing: …", with no second prefix.
func TestOtherRootsOnce(t *testing.T) {
	r := diag.Report{Results: []diag.Result{
		{ID: "backend-data", Title: "state backend data", Status: diag.StatusFail, Summary: "the firewall refuses this worker"},
		{ID: "graph-token", Title: "Microsoft Graph token", Status: diag.StatusFail, Summary: "Entra refused the Graph token"},
	}}
	var b bytes.Buffer
	if err := Text(&b, r, Meta{}, TextOptions{}); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	if n := strings.Count(out, "also failing: "); n != 1 {
		t.Errorf("%d times \"also failing: \", want 1:\n%s", n, out)
	}
	if strings.Contains(out, "also: also") {
		t.Errorf("doubled prefix:\n%s", out)
	}
}
