package settings

// use_oidc as each provider configuration resolves it. The azurerm provider
// (and azuread, azapi) take the block's use_oidc when it is written, else
// ARM_USE_OIDC, else false
// (https://github.com/hashicorp/terraform-provider-azurerm/blob/v4.81.0/internal/provider/provider.go);
// package check resolves it per block with package tfconfig and hands the
// answers here. With no configuration read, only the variable is known.

import (
	"strings"

	"github.com/oidc-doctor/oidc-doctor/check/diag"
)

// Terraform is what the configuration says about use_oidc. The zero value
// means no configuration was read.
type Terraform struct {
	// Known reports that the whole configuration was read: a provider
	// whose use_oidc resolves to false really has it false.
	Known bool
	// Providers are the provider configurations that sign in to Azure.
	Providers []Provider
}

// Provider is one provider configuration's use_oidc, as it resolves it.
type Provider struct {
	// Who names it: `provider "azurerm"`, `provider "azurerm" (alias "mgmt")`.
	Who string
	// UseOIDC is the resolved value, "true" or "false".
	UseOIDC string
	// From says where it comes from: "ARM_USE_OIDC", `provider "azurerm" (main.tf:3)`, "default".
	From string
	// Expression: the block sets it by an expression: not judged.
	Expression bool
	// Uncertain says why the value depends on the provider's version.
	Uncertain string
	// AKSWorkloadIdentity: use_aks_workload_identity is true, which also
	// signs in with a federated token.
	AKSWorkloadIdentity bool
}

// partial is what one part of the judging (the ids, the cloud,
// use_oidc, the AZURE_* variables) adds to azure-settings.
type partial struct {
	facts               []diag.Fact
	fails, warns, hints []string
}

// judgeUseOIDC says whether each provider will use the OIDC token.
func judgeUseOIDC(getenv func(string) string, tf Terraform) partial {
	var v partial
	if len(tf.Providers) == 0 {
		unset := "(not set: a provider uses OIDC only when its block sets use_oidc = true, and no configuration was read to tell)"
		if tf.Known {
			unset = "(not set: the configuration read has no azurerm, azuread or azapi provider block; one in a module, or one Terraform makes from the environment alone, needs use_oidc too)"
		}
		// The value is masked as it was set, before any folding: a token
		// lower-cased no longer reads as one.
		raw := getenv("ARM_USE_OIDC")
		switch u := shown(raw); strings.ToLower(raw) {
		case "":
			v.facts = append(v.facts, diag.F("ARM_USE_OIDC", unset))
		case "true", "1":
			v.facts = append(v.facts, diag.F("ARM_USE_OIDC", u))
		default:
			v.facts = append(v.facts, diag.F("ARM_USE_OIDC", u))
			v.warns = append(v.warns, "ARM_USE_OIDC is "+u+": Terraform will not use the OIDC token unless the provider block sets use_oidc = true")
			v.hints = append(v.hints, "set ARM_USE_OIDC=true")
		}
		return v
	}
	for _, p := range tf.Providers {
		key := p.Who + " use_oidc"
		switch {
		case p.Expression:
			v.facts = append(v.facts, diag.F(key, "set by an expression in "+p.From+": not judged"))
		case p.UseOIDC == "true" && p.Uncertain != "":
			v.facts = append(v.facts, diag.F(key, "true ("+p.From+")"))
		case p.UseOIDC == "true":
			v.facts = append(v.facts, diag.F(key, "true ("+p.From+")"))
		case p.AKSWorkloadIdentity:
			v.facts = append(v.facts, diag.F(key, p.UseOIDC+" ("+p.From+"), but use_aks_workload_identity signs in with a federated token"))
		case p.Uncertain != "":
			v.facts = append(v.facts, diag.F(key, p.UseOIDC+" ("+p.From+"): "+p.Uncertain))
			v.warns = append(v.warns, p.Who+" may not use the OIDC token: "+p.Uncertain)
			v.hints = append(v.hints, "set use_oidc = true in "+p.Who)
		default:
			v.facts = append(v.facts, diag.F(key, p.UseOIDC+" ("+p.From+")"))
			msg := p.Who + " will not use the OIDC token: use_oidc is " + p.UseOIDC + " (" + p.From + ")"
			if tf.Known {
				v.fails = append(v.fails, msg+", so it falls back to the Azure CLI, which the runner image does not have")
			} else {
				v.warns = append(v.warns, msg+" in what was read")
			}
			v.hints = append(v.hints, useOIDCHint(p))
		}
	}
	return v
}

func useOIDCHint(p Provider) string {
	if strings.HasPrefix(p.From, "provider ") {
		return "set use_oidc = true in " + p.From
	}
	return "set ARM_USE_OIDC=true on the stack (it reaches every provider and the state backend), or use_oidc = true in " + p.Who
}
