package tfconfig

// Where each provider reads a setting from. Sources, per provider:
//
//   - azurerm (v3, v4, v5; terraform-plugin-sdk v2): the block's value when
//     the attribute is written, literal false and "" included; else the
//     first non-empty environment variable of its DefaultFunc; else the
//     default. use_cli also has Default: true, which the SDK applies before
//     the DefaultFunc, so ARM_USE_CLI has no effect
//     (https://github.com/hashicorp/terraform-provider-azurerm/blob/v4.81.0/internal/provider/provider.go;
//     https://github.com/hashicorp/terraform-plugin-sdk/blob/v2.40.1/helper/schema/schema.go, DefaultValue).
//     auxiliary_tenant_ids reads ARM_AUXILIARY_TENANT_IDS (";"-separated)
//     only when the list is empty.
//   - azuread: the same variables; older releases use DefaultFunc like
//     azurerm, newer ones take the variable when the block's value is
//     false or "" (hasStateOrEnvOrDefault), so that case is not judged
//     (https://github.com/hashicorp/terraform-provider-azuread, internal/provider).
//   - azapi: a block value that is not null wins; booleans from the
//     environment are true only when exactly "true"
//     (https://github.com/Azure/terraform-provider-azapi, internal/provider/provider.go).

import (
	"strconv"
	"strings"
)

// Provider is one provider block (or the implicit default configuration
// of a provider that resources use without a block).
type Provider struct {
	// Name is the provider's local name: azurerm, azuread or azapi.
	Name string
	// Alias is the block's alias, "" for the default configuration.
	Alias string
	// Pos is where the block starts: "providers.tf:3"; "" when Implicit.
	Pos string
	// Attrs are the block's attributes as written.
	Attrs map[string]Value
	// Implicit: there is no block; Terraform uses an empty one.
	Implicit bool
}

// Who names the configuration: `provider "azurerm"`, `provider "azurerm" (alias "mgmt")`.
func (p Provider) Who() string {
	s := `provider "` + p.Name + `"`
	if p.Alias != "" {
		s += ` (alias "` + p.Alias + `")`
	}
	return s
}

// Setting is one provider setting as the provider resolves it.
type Setting struct {
	// Value is what the provider uses: the block's literal, the
	// environment variable's value, or the default. It is empty for a
	// sensitive setting (a token or secret), whose value is never kept.
	Value string
	// Set reports whether something sets it (block or environment);
	// false means the default applies.
	Set bool
	// From says where the value comes from: `provider "azurerm" (main.tf:4)`,
	// "ARM_USE_OIDC", or "default".
	From string
	// Expression: the block sets it by an expression: not judged.
	Expression bool
	// Uncertain says why the value cannot be told without knowing the
	// provider's version; empty when it can.
	Uncertain string
}

// rule is how one provider reads one setting from the environment.
type rule struct {
	vars      []string
	def       string
	boolean   bool
	ignoreEnv bool // declared, but a Default shadows it
}

var commonRules = map[string]rule{
	"use_oidc":                  {vars: []string{"ARM_USE_OIDC"}, def: "false", boolean: true},
	"oidc_token":                {vars: []string{"ARM_OIDC_TOKEN"}},
	"oidc_token_file_path":      {vars: []string{"ARM_OIDC_TOKEN_FILE_PATH"}},
	"oidc_request_token":        {vars: []string{"ARM_OIDC_REQUEST_TOKEN", "ACTIONS_ID_TOKEN_REQUEST_TOKEN", "SYSTEM_ACCESSTOKEN"}},
	"oidc_request_url":          {vars: []string{"ARM_OIDC_REQUEST_URL", "ACTIONS_ID_TOKEN_REQUEST_URL", "SYSTEM_OIDCREQUESTURI"}},
	"client_id":                 {vars: []string{"ARM_CLIENT_ID"}},
	"client_id_file_path":       {vars: []string{"ARM_CLIENT_ID_FILE_PATH"}},
	"tenant_id":                 {vars: []string{"ARM_TENANT_ID"}},
	"environment":               {vars: []string{"ARM_ENVIRONMENT"}, def: "public"},
	"use_msi":                   {vars: []string{"ARM_USE_MSI"}, def: "false", boolean: true},
	"use_cli":                   {vars: []string{"ARM_USE_CLI"}, def: "true", boolean: true},
	"use_aks_workload_identity": {vars: []string{"ARM_USE_AKS_WORKLOAD_IDENTITY"}, def: "false", boolean: true},
	"client_secret":             {vars: []string{"ARM_CLIENT_SECRET"}},
	"client_certificate_path":   {vars: []string{"ARM_CLIENT_CERTIFICATE_PATH"}},
}

// rules returns how provider reads setting, and whether it has the setting at all.
func rules(provider, setting string) (rule, bool) {
	r, ok := commonRules[setting]
	switch provider + "." + setting {
	case "azurerm.use_cli":
		r.ignoreEnv = true
	case "azurerm.subscription_id", "azapi.subscription_id":
		r, ok = rule{vars: []string{"ARM_SUBSCRIPTION_ID"}}, true
	case "azurerm.resource_provider_registrations":
		r, ok = rule{vars: []string{"ARM_RESOURCE_PROVIDER_REGISTRATIONS"}}, true
	case "azurerm.skip_provider_registration", "azapi.skip_provider_registration":
		r, ok = rule{vars: []string{"ARM_SKIP_PROVIDER_REGISTRATION"}, def: "false", boolean: true}, true
	case "azurerm.auxiliary_tenant_ids", "azapi.auxiliary_tenant_ids":
		r, ok = rule{vars: []string{"ARM_AUXILIARY_TENANT_IDS"}}, true
	}
	return r, ok
}

// Resolve says what the provider uses for setting, given the block and the
// environment, in the precedence its source implements (see the top of
// this file). Values of sensitive settings are never kept.
func (p Provider) Resolve(setting string, getenv func(string) string) Setting {
	r, _ := rules(p.Name, setting)
	v := p.Attrs[setting]
	env := func() (string, string) {
		if r.ignoreEnv {
			return "", ""
		}
		for _, k := range r.vars {
			if s := getenv(k); s != "" {
				return s, k
			}
		}
		return "", ""
	}
	switch v.Kind {
	case Expression:
		return Setting{Set: true, Expression: true, From: p.Who() + " (" + v.Pos + ")"}
	case Literal:
		s := Setting{Value: v.Text, Set: true, From: p.Who() + " (" + v.Pos + ")"}
		if v.List != nil {
			s.Value = strings.Join(v.List, ";")
		}
		if p.Name == "azuread" && (v.Text == "" || v.Text == "false") {
			if ev, ek := env(); ev != "" {
				s.Uncertain = "azuread releases differ: older ones keep the block's " + quote(v.Text) + ", newer ones take " + ek + " instead"
			}
		}
		if setting == "auxiliary_tenant_ids" && len(v.List) == 0 {
			break // an empty list falls back to the variable
		}
		return p.sanitize(setting, s)
	}
	if ev, ek := env(); ev != "" {
		if r.boolean && p.Name == "azapi" && ev != "true" {
			ev = "false"
		}
		return p.sanitize(setting, Setting{Value: ev, Set: true, From: ek})
	}
	return Setting{Value: r.def, From: "default"}
}

// sanitize drops the value of a sensitive setting and normalises booleans.
func (p Provider) sanitize(setting string, s Setting) Setting {
	if sensitive[setting] {
		s.Value = ""
		return s
	}
	if r, _ := rules(p.Name, setting); r.boolean {
		if b, err := strconv.ParseBool(s.Value); err == nil {
			s.Value = strconv.FormatBool(b)
		}
	}
	return s
}

// Describe renders the setting for a fact: "true (ARM_USE_OIDC)".
func (s Setting) Describe() string {
	switch {
	case s.Expression:
		return "set by an expression in " + s.From + ": not judged"
	case !s.Set && s.Value == "":
		return "(not set)"
	case !s.Set:
		return s.Value + " (default)"
	case s.Value == "":
		return "set (value not shown) by " + s.From
	}
	return s.Value + " (" + s.From + ")"
}
