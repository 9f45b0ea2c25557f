package check

// Where a provider block reads the ids it signs in with, so that what its
// checks say and the fixes they print name that place: the block's
// attribute when it is written (a literal, or an expression such as
// var.mgmt_client_id), else the stack's ARM_* variable. azurerm takes the
// block's value first
// (https://github.com/hashicorp/terraform-provider-azurerm/blob/v4.81.0/internal/provider/provider.go).

import (
	"regexp"
	"strings"

	"github.com/oidc-doctor/oidc-doctor/check/fixes"
	"github.com/oidc-doctor/oidc-doctor/check/tfconfig"
)

// varRE is an expression that is one Terraform variable.
var varRE = regexp.MustCompile(`^var\.([A-Za-z_][A-Za-z0-9_-]*)$`)

// settingOf is where block p reads attr: the block's attribute when it is
// written, else the environment variable env.
func settingOf(p tfconfig.Provider, attr, env string) fixes.Setting {
	v := p.Attrs[attr]
	if !v.IsSet() {
		return fixes.EnvSetting(env)
	}
	s := fixes.Setting{Attr: attr, Provider: p.Name, Alias: p.Alias, Pos: v.Pos}
	if m := varRE.FindStringSubmatch(strings.TrimSpace(v.Text)); v.Kind == tfconfig.Expression && m != nil {
		s.Var = m[1]
	}
	return s
}

// auxSetting is where block p reads its auxiliary tenants, with all their
// entries (ids, the value resolved), so that a fix replaces one of them.
// An empty literal list falls back to the variable, as in azurerm.
func auxSetting(p tfconfig.Provider, ids []string) fixes.Setting {
	s := fixes.EnvSetting("ARM_AUXILIARY_TENANT_IDS")
	if v := p.Attrs["auxiliary_tenant_ids"]; v.Kind != tfconfig.Literal || len(v.List) > 0 {
		s = settingOf(p, "auxiliary_tenant_ids", s.Env)
	}
	s.List = ids
	return s
}

// splitTenants splits an auxiliary tenant list (";" or "," between ids).
func splitTenants(list string) []string {
	var out []string
	for _, id := range strings.FieldsFunc(list, func(r rune) bool { return r == ';' || r == ',' }) {
		if id = strings.TrimSpace(id); id != "" {
			out = append(out, id)
		}
	}
	return out
}
