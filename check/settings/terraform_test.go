package settings

import (
	"strings"
	"testing"

	"github.com/oidc-doctor/oidc-doctor/check/diag"
)

// TestUseOIDCFromConfiguration: use_oidc comes from the configuration's
// answer per provider block, not from a guess about ARM_USE_OIDC.
func TestUseOIDCFromConfiguration(t *testing.T) {
	const g = "11111111-2222-3333-4444-555555555555"
	env := envOf(map[string]string{"ARM_CLIENT_ID": g, "ARM_TENANT_ID": g, "ARM_SUBSCRIPTION_ID": g})
	rm := `provider "azurerm"`
	tests := []struct {
		name   string
		tf     Terraform
		status diag.Status
		cause  diag.Cause
		inText string
	}{
		{"no configuration read: a fact, not a guess", Terraform{}, diag.StatusPass, "", "no configuration was read to tell"},
		{"block sets it", Terraform{Known: true, Providers: []Provider{{Who: rm, UseOIDC: "true", From: rm + " (main.tf:3)"}}},
			diag.StatusPass, "", `provider "azurerm" use_oidc: true (provider "azurerm" (main.tf:3))`},
		{"neither block nor variable", Terraform{Known: true, Providers: []Provider{{Who: rm, UseOIDC: "false", From: "default"}}},
			diag.StatusFail, diag.CauseNoCredential, "falls back to the Azure CLI"},
		{"partly read configuration warns", Terraform{Providers: []Provider{{Who: rm, UseOIDC: "false", From: "default"}}},
			diag.StatusWarn, diag.CauseSettingsInvalid, "in what was read"},
		{"block false beats the variable", Terraform{Known: true, Providers: []Provider{{Who: rm, UseOIDC: "true", From: "ARM_USE_OIDC"}, {Who: rm + ` (alias "b")`, UseOIDC: "false", From: rm + ` (alias "b") (b.tf:1)`}}},
			diag.StatusFail, diag.CauseNoCredential, `set use_oidc = true in provider "azurerm" (alias "b") (b.tf:1)`},
		{"expression", Terraform{Known: true, Providers: []Provider{{Who: rm, Expression: true, From: rm + " (main.tf:3)"}}},
			diag.StatusPass, "", "not judged"},
		{"azuread version decides", Terraform{Known: true, Providers: []Provider{{Who: `provider "azuread"`, UseOIDC: "false", From: "x", Uncertain: "azuread releases differ"}}},
			diag.StatusWarn, diag.CauseSettingsInvalid, "azuread releases differ"},
		{"aks workload identity", Terraform{Known: true, Providers: []Provider{{Who: rm, UseOIDC: "false", From: "default", AKSWorkloadIdentity: true}}},
			diag.StatusPass, "", "use_aks_workload_identity"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, rs := JudgeWith(env, false, tt.tf)
			r := rs[0]
			text := r.Summary + "\n" + r.Hint
			for _, f := range r.Facts {
				text += "\n" + f.Key + ": " + f.Value
			}
			if r.Status != tt.status || r.Cause != tt.cause || !strings.Contains(text, tt.inText) {
				t.Errorf("got %s %q, want %s %q with %q:\n%s", r.Status, r.Cause, tt.status, tt.cause, tt.inText, text)
			}
		})
	}
}
