package fixes

// Where a provider reads one of its settings, so that a fix changing the
// setting edits that place: the stack's environment variable, or the
// attribute of a provider block that overrides it (azurerm takes the
// block's value when it is written, else the variable:
// https://github.com/hashicorp/terraform-provider-azurerm/blob/v4.81.0/internal/provider/provider.go),
// or the Terraform variable that attribute reads.

import (
	"strings"

	"github.com/oidc-doctor/oidc-doctor/check/diag"
)

// Setting is where one setting is read.
type Setting struct {
	// Env is the environment variable the value is read from
	// ("ARM_CLIENT_ID"); empty when a provider block sets it.
	Env string
	// Attr is the provider block's attribute that sets it ("client_id"),
	// Provider and Alias name the block, Pos is where the attribute is
	// written ("providers.tf:9").
	Attr, Provider, Alias, Pos string
	// Var is the Terraform variable the attribute reads (client_id =
	// var.mgmt_client_id); "" for a literal or another expression.
	Var string
	// List holds the entries of a list setting (auxiliary_tenant_ids,
	// ARM_AUXILIARY_TENANT_IDS); a fix replaces the entry Old in it.
	List []string
	Old  string
}

// EnvSetting is a setting read from the environment variable env.
func EnvSetting(env string) Setting { return Setting{Env: env} }

// Or is s, or the environment variable env when s names no place.
func (s Setting) Or(env string) Setting {
	if s.Env == "" && s.Attr == "" {
		return EnvSetting(env)
	}
	return s
}

// Block names the provider block: `provider "azurerm" (alias "mgmt")`.
func (s Setting) Block() string {
	b := `provider "` + s.Provider + `"`
	if s.Alias != "" {
		b += ` (alias "` + s.Alias + `")`
	}
	return b
}

// Name is how prose names the setting: "ARM_CLIENT_ID",
// `client_id in provider "azurerm" (alias "mgmt")`.
func (s Setting) Name() string {
	switch {
	case s.Attr == "":
		return s.Env
	case s.Var != "":
		return "variable " + s.Var + " (" + s.Attr + " in " + s.Block() + ")"
	}
	return s.Attr + " in " + s.Block()
}

// Short names the setting where its block is named beside it (a fact of
// a block's check): "ARM_CLIENT_ID", "client_id", "var.mgmt_client_id".
func (s Setting) Short() string {
	switch {
	case s.Attr == "":
		return s.Env
	case s.Var != "":
		return "var." + s.Var
	}
	return s.Attr
}

// Fix sets the setting to value: cond says when ("then, if the first
// line is not X"), and the fix edits the place s names.
func (s Setting) Fix(cond, value string) diag.Fix {
	v := value
	if s.List != nil {
		v = s.listWith(value, ";")
	}
	switch {
	case s.Attr == "":
		return diag.Fix{Title: cond + ": set in the stack's environment", Lang: "text", Text: s.Env + "=" + v + "\n"}
	case s.Var != "":
		return diag.Fix{Title: cond + ": set " + s.Name() + " where the stack sets it (a .tfvars file, or TF_VAR_" + s.Var + " in the stack's environment)",
			Lang: "hcl", Text: s.Var + " = " + s.hclValue(value) + "\n"}
	}
	where := s.Block()
	if s.Pos != "" {
		where += " (" + s.Pos + ")"
	}
	return diag.Fix{Title: cond + ": set " + s.Attr + " in " + where, Lang: "hcl", Text: s.hclBlock(value)}
}

// hclBlock is the provider block with the attribute set to value, the
// rest of the block left as it is.
func (s Setting) hclBlock(value string) string {
	lines := [][2]string{{s.Attr, s.hclValue(value)}}
	if s.Alias != "" {
		lines = append([][2]string{{"alias", HCL(s.Alias)}}, lines...)
	}
	w := 0
	for _, l := range lines {
		w = max(w, len(l[0]))
	}
	var b strings.Builder
	b.WriteString("provider " + HCL(s.Provider) + " {\n")
	for _, l := range lines {
		b.WriteString("  " + l[0] + strings.Repeat(" ", w-len(l[0])) + " = " + l[1] + "\n")
	}
	b.WriteString("  # ... the block's other settings, as they are\n}\n")
	return b.String()
}

// hclValue is value as the attribute's HCL: a string, or the list with
// Old replaced by it.
func (s Setting) hclValue(value string) string {
	if s.List == nil {
		return HCL(value)
	}
	out := make([]string, 0, len(s.List))
	for _, e := range s.replaced(value) {
		out = append(out, HCL(e))
	}
	return "[" + strings.Join(out, ", ") + "]"
}

// listWith is the list with Old replaced by value, joined by sep.
func (s Setting) listWith(value, sep string) string { return strings.Join(s.replaced(value), sep) }

func (s Setting) replaced(value string) []string {
	out := make([]string, 0, len(s.List))
	for _, e := range s.List {
		if strings.EqualFold(e, s.Old) {
			e = value
		}
		out = append(out, e)
	}
	return out
}
