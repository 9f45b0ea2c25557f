package check

import (
	"strings"
	"testing"

	"github.com/oidc-doctor/oidc-doctor/check/diag"
)

// TestIssuerExplains: an issuer check that failed with a fault decides what
// Entra's AADSTS50166 means. A 5xx or 429 from the issuer makes the run
// inconclusive; no answer at all, for oidc-doctor and for Entra, is an
// unreachable issuer (exit 3, issue 12); any other answer of Entra keeps its
// own cause, and an issuer fault Entra does not echo stays a fault.
func TestIssuerExplains(t *testing.T) {
	tests := []struct {
		name        string
		issuer      diag.Cause // "" means the issuer check passed
		entra       diag.Cause // "" means the exchange passed
		want        diag.Outcome
		unreachable bool // the issuer check says neither could reach it
	}{
		{"issuer 5xx, entra 50166", diag.CauseServiceFault, diag.CauseExternalOIDCUnreachable, diag.OutcomeInconclusive, false},
		{"issuer reset, entra 50166", diag.CauseNetworkFault, diag.CauseExternalOIDCUnreachable, diag.OutcomeFail, true},
		{"issuer timeout, entra 50166", diag.CauseTimeout, diag.CauseExternalOIDCUnreachable, diag.OutcomeFail, true},
		{"issuer 5xx, entra accepts", diag.CauseServiceFault, "", diag.OutcomeInconclusive, false},
		{"issuer reset, entra accepts", diag.CauseNetworkFault, "", diag.OutcomeInconclusive, false},
		{"issuer 5xx, entra says kid missing", diag.CauseServiceFault, diag.CauseSignatureOrJWKS, diag.OutcomeFail, false},
		{"issuer wrong certificate, entra 50166", diag.CauseNetworkConfig, diag.CauseExternalOIDCUnreachable, diag.OutcomeFail, false},
		{"issuer passes, entra 50166", "", diag.CauseExternalOIDCUnreachable, diag.OutcomeFail, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rep := diag.Report{Results: []diag.Result{
				result("issuer", "issuer-discovery", ""),
				result("issuer", "issuer-signature", tt.issuer),
				result("entra", "entra-exchange", tt.entra),
				result("graph", "graph-token", tt.entra),
				result("aliases", "entra-exchange@other", tt.entra),
			}}
			if tt.entra != "" {
				rep.Results[3].RootCause = "entra-exchange"
			}
			linkRoots(&rep)
			if got := rep.Outcome(); got != tt.want {
				t.Errorf("Outcome = %s, want %s", got, tt.want)
			}
			if got := strings.HasPrefix(rep.Results[1].Summary, "neither oidc-doctor nor Entra"); got != tt.unreachable {
				t.Errorf("issuer-signature summary %q: says neither could reach it = %v, want %v", rep.Results[1].Summary, got, tt.unreachable)
			}
			for _, r := range rep.Results {
				if r.Status == diag.StatusFail && !r.Cause.Fault() && r.RootCause != "" && rep.Find(r.RootCause).Cause.Fault() {
					t.Errorf("%s (%s) is folded under %s, a fault: a misconfiguration must stay a root the report can lead with", r.ID, r.Cause, r.RootCause)
				}
			}
			if tt.issuer.Fault() && tt.entra == diag.CauseExternalOIDCUnreachable {
				for _, r := range rep.Results[2:] {
					if r.RootCause == "" {
						t.Errorf("%s has no root cause, want one under issuer-signature", r.ID)
					}
				}
			}
		})
	}
}

// result is a check of step with cause: a failure, or a pass when cause is "".
func result(step, id string, cause diag.Cause) diag.Result {
	r := diag.Result{Step: step, ID: id, Status: diag.StatusPass, Summary: id + " passed"}
	if cause != "" {
		r.Status, r.Cause, r.Summary = diag.StatusFail, cause, id+" failed"
	}
	return r
}
