package check

import (
	"strings"

	"github.com/oidc-doctor/oidc-doctor/check/diag"
)

// linkRoots marks the failures that another failure explains, so that a
// report can name one root cause and fold the rest under it (the steps set
// the links they know themselves: skips for want of input, the subjects
// list after a failed exchange).
//
//   - A failed exchange that Entra blames on the issuer (it could not fetch
//     its keys, or the signature did not verify) follows from a failed
//     issuer check, when there is one.
//   - Within a step, a later failure with the same cause as an earlier root,
//     or whose fixes are all the same as an earlier root's, has that root.
func linkRoots(rep *diag.Report) {
	issuerRoot := ""
	for i := range rep.Results {
		r := &rep.Results[i]
		if r.Step == "issuer" && r.Status == diag.StatusFail && issuerRoot == "" {
			issuerRoot = r.ID
		}
		if r.ID == "entra-exchange" && r.Status == diag.StatusFail && issuerRoot != "" &&
			(r.Cause == diag.CauseExternalOIDCUnreachable || r.Cause == diag.CauseSignatureOrJWKS) {
			r.RootCause = issuerRoot
		}
	}
	roots := map[string]*diag.Result{} // step -> its first failing root
	for i := range rep.Results {
		r := &rep.Results[i]
		if r.Status != diag.StatusFail || r.RootCause != "" {
			continue
		}
		first, ok := roots[r.Step]
		if !ok {
			roots[r.Step] = r
			continue
		}
		if (r.Cause != "" && r.Cause == first.Cause && !r.Cause.Fault()) || (len(r.Fixes) == 0 && fixedUnder(*r, first.ID)) {
			r.RootCause = first.ID
		}
	}
}

// fixedUnder reports whether dedupeFixes found r's fixes printed under id.
func fixedUnder(r diag.Result, id string) bool {
	for _, f := range r.Facts {
		if f.Key == "fix" && strings.HasPrefix(f.Value, "the same as under ") && strings.Contains(f.Value, id) {
			return true
		}
	}
	return false
}
