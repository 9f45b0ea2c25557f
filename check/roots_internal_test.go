package check

import (
	"testing"

	"github.com/oidc-doctor/oidc-doctor/check/diag"
)

// TestLinkRootsByBlockAndExactID: a failure is folded only under a root of
// its own step and provider block, and only when the root's id is exactly
// one dedupeFixes recorded (entra-exchange is not entra-exchange@x).
func TestLinkRootsByBlockAndExactID(t *testing.T) {
	grant := func(sub string) []diag.Fix {
		return []diag.Fix{{Title: "grant", Lang: "sh", Text: "az role assignment create --scope " + sub}}
	}
	fail := func(id, step string, c diag.Cause, fs []diag.Fix) diag.Result {
		return diag.Result{ID: id, Step: step, Status: diag.StatusFail, Cause: c, Fixes: fs}
	}
	rep := diag.Report{Results: []diag.Result{
		fail("arm-subscription@a", "aliases", diag.CauseAuthorizationFailed, grant("/subscriptions/a")),
		fail("rbac-permissions@a", "aliases", diag.CauseAuthorizationFailed, grant("/subscriptions/a")),
		fail("arm-subscription@b", "aliases", diag.CauseAuthorizationFailed, grant("/subscriptions/b")),
		fail("x", "s", diag.CauseOther, grant("/x")),
		fail("x@y", "s", diag.CauseOther, grant("/y")),
		fail("z", "s", diag.CauseSettingsInvalid, grant("/y")),
		fail("w", "s", diag.CauseOther, grant("/w")),
	}}
	dedupeFixes(&rep)
	linkRoots(&rep)
	want := map[string]string{"rbac-permissions@a": "arm-subscription@a", "arm-subscription@b": "", "x@y": "", "z": "", "w": ""}
	for id, root := range want {
		r := rep.Find(id)
		if r.RootCause != root {
			t.Errorf("%s: root %q, want %q", id, r.RootCause, root)
		}
	}
	if r := rep.Find("z"); len(r.FixedUnder) != 1 || r.FixedUnder[0] != "x@y" {
		t.Errorf("z: fixes printed under %v, want [x@y]", r.FixedUnder)
	}
}
