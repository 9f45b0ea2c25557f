package rbac

// Verdicts that a fault leaves open. "No role anywhere" is a conclusion
// from every read that could show a role: the permissions at subscription
// scope, the resource-group list and the permissions on each group. When
// one of those got no answer, or a 5xx or a 429 that outlived the retries,
// the role may be exactly where the read failed: the verdict is
// inconclusive and carries the fault, never authorization_failed.

import (
	"github.com/oidc-doctor/oidc-doctor/check/diag"
)

// faultOf is the fault cause of a failed ARM call (no answer, a deadline, a
// 5xx or a 429), or "" when err is nil or ARM gave an answer (a denial or
// any other refusal).
func faultOf(err error) diag.Cause {
	if err == nil {
		return ""
	}
	if c := failedCall("", "", "", "", err).Cause; c.Fault() {
		return c
	}
	return ""
}

// failedRead is a read a verdict needed that failed with a fault.
type failedRead struct {
	step string // "GET /subscriptions/…"
	err  error
}

// groupsFault is the first resource-group read that failed with a fault,
// or nil: the group list, or the permissions on one group.
func (w *world) groupsFault() *failedRead {
	g := w.groups
	if g == nil {
		return nil
	}
	scope := w.in.subscriptionScope()
	if faultOf(g.listErr) != "" {
		return &failedRead{"GET " + scope + "/resourcegroups", g.listErr}
	}
	for _, a := range g.groups {
		if faultOf(a.err) != "" {
			return &failedRead{"GET " + scope + "/resourceGroups/" + a.name + "/providers/Microsoft.Authorization/permissions", a.err}
		}
	}
	return nil
}

// rolesFault is the first read that could show a role and failed with a
// fault: the permissions at subscription scope, then the resource groups.
func (w *world) rolesFault() *failedRead {
	if faultOf(w.perms.err) != "" {
		return &failedRead{"GET " + w.in.subscriptionScope() + "/providers/Microsoft.Authorization/permissions", w.perms.err}
	}
	return w.groupsFault()
}

// inconclusive turns r into the failure that fr's fault leaves: what is
// known (known, e.g. "no role at subscription scope"), then the read that
// did not finish, with its fault as the cause and no fix to apply.
func inconclusive(r diag.Result, known string, fr *failedRead, host string) diag.Result {
	f := failedCall(r.ID, r.Title, fr.step, host, fr.err)
	r.Status, r.Cause, r.Fixes = diag.StatusFail, f.Cause, nil
	r.ErrorCode = diag.FirstNonEmpty(r.ErrorCode, f.ErrorCode)
	r.Summary = known + ", and whether it has a role elsewhere is not known: " + f.Summary
	r.Hint = "Rerun: the read failed with a fault of Azure Resource Manager or the network, not an answer about the identity's roles. " + f.Hint
	r.Facts = append(r.Facts, f.Facts...)
	return r
}
