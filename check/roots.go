package check

import (
	"slices"
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
//     issuer check, when there is one; issuerExplains then weighs a fault
//     of the issuer against Entra's answer, and keepMisconfigurations
//     unlinks any misconfiguration left under a fault.
//   - Within a step and a provider block, a later failure that has no fix
//     left of its own (dedupeFixes dropped those printed earlier) and has
//     the same cause as the earlier root, or whose fixes were printed
//     under it, has that root. Another block's failure never does: its
//     fix edits another block or grants on another subscription.
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
	roots := map[string]*diag.Result{} // step and provider block -> its first failing root
	for i := range rep.Results {
		r := &rep.Results[i]
		if r.Status != diag.StatusFail || r.RootCause != "" {
			continue
		}
		key := r.Step + " " + block(r.ID)
		first, ok := roots[key]
		if !ok {
			roots[key] = r
			continue
		}
		// Folded, a failure shows one line: only one whose every fix is
		// printed under the root is folded.
		if len(r.Fixes) == 0 && ((r.Cause != "" && r.Cause == first.Cause && !r.Cause.Fault()) || slices.Contains(r.FixedUnder, first.ID)) {
			r.RootCause = first.ID
		}
	}
	issuerExplains(rep)
	keepMisconfigurations(rep)
}

// keepMisconfigurations unlinks a failure that is not a fault from a root
// that is one: a misconfiguration never follows from a transient error, so
// it stays a root of its own and the report can lead with it (Entra says
// the key is missing while the issuer answered 503; the ARM exchange hit a
// 503 and the Graph token was refused).
func keepMisconfigurations(rep *diag.Report) {
	fault := map[string]bool{}
	for _, r := range rep.Results {
		if r.Status == diag.StatusFail && r.Cause.Fault() {
			fault[r.ID] = true
		}
	}
	for i := range rep.Results {
		if r := &rep.Results[i]; r.Status == diag.StatusFail && !r.Cause.Fault() && fault[r.RootCause] {
			r.RootCause = ""
		}
	}
}

// issuerExplains weighs Entra's "could not reach the token's issuer"
// (AADSTS50166) against an issuer check that failed with a fault. The
// results Entra's answer fails all follow from the issuer check.
//
//   - The issuer answered oidc-doctor with a 5xx or a 429 (service_fault):
//     Spacelift's issuer is failing, for Entra too, and a retry may pass, so
//     those results take that fault cause: the run is inconclusive.
//   - oidc-doctor got no answer (a reset, a truncated body, a timeout) and
//     neither did Entra: the issuer is unreachable, an answer Terraform gets
//     too, often a firewall or a self-hosted issuer that Entra's network
//     cannot reach (issue 12 keeps it a misconfiguration). The issuer check
//     then says so and takes Entra's cause.
func issuerExplains(rep *diag.Report) {
	var root *diag.Result
	for i := range rep.Results {
		if r := &rep.Results[i]; r.Step == "issuer" && r.Status == diag.StatusFail {
			root = r
			break
		}
	}
	if root == nil || !root.Cause.Fault() {
		return
	}
	explained := false
	for i := range rep.Results {
		r := &rep.Results[i]
		if r.Step == "issuer" || r.Status != diag.StatusFail || r.Cause != diag.CauseExternalOIDCUnreachable {
			continue
		}
		explained = true
		if r.RootCause == "" {
			r.RootCause = root.ID
		}
		if root.Cause == diag.CauseServiceFault {
			r.Cause = root.Cause
		}
	}
	if explained && root.Cause != diag.CauseServiceFault {
		root.Cause = diag.CauseExternalOIDCUnreachable
		root.Summary = "neither oidc-doctor nor Entra (AADSTS50166) could reach the token's issuer: " + root.Summary
	}
}

// block is the provider block (and auxiliary tenant) an id names, its
// part from "@" (see aliases.go); "" for the main chain's checks.
func block(id string) string {
	if i := strings.IndexByte(id, '@'); i >= 0 {
		return id[i:]
	}
	return ""
}
