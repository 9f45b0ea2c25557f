package check_test

import (
	"strings"
	"testing"
	"time"

	"github.com/oidc-doctor/oidc-doctor/check/diag"
)

// TestProvidersFollowTheConfiguration: on a least-privilege identity
// (rbac-rg-only), an azapi-only configuration gets no azurerm start-up
// warning, a local module that pins azurerm ~> 4.0 is judged for 4.x
// alone, and with no configuration at all every release is still judged.
func TestProvidersFollowTheConfiguration(t *testing.T) {
	azapi := "terraform {\n  required_providers {\n    azapi = { source = \"azure/azapi\" }\n  }\n}\nprovider \"azapi\" {}\nresource \"azapi_resource\" \"r\" {}\n"
	tests := []struct {
		name   string
		files  map[string]string
		status diag.Status
		in     string
	}{
		{"azapi only", map[string]string{"main.tf": azapi}, diag.StatusSkip, "uses no azurerm provider"},
		{"a local module pins azurerm", map[string]string{
			"main.tf":                 "module \"net\" {\n  source = \"./modules/net\"\n}\n",
			"modules/net/versions.tf": "terraform {\n  required_providers {\n    azurerm = { source = \"hashicorp/azurerm\", version = \"~> 4.0\" }\n  }\n}\n",
			"modules/net/main.tf":     "resource \"azurerm_resource_group\" \"g\" {}\n",
		}, diag.StatusFail, "azurerm 4.x stops at start-up"},
		{"no configuration", nil, diag.StatusWarn, "which is not known here"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sc := lookup(t, "rbac-rg-only")
			sc.Terraform = tt.files
			rep, _ := runScenario(t, sc, 20*time.Second)
			r := rep.Find("rbac-providers")
			if r == nil || r.Status != tt.status || !strings.Contains(r.Summary, tt.in) {
				t.Fatalf("rbac-providers: want %s with %q:\n%s", tt.status, tt.in, dump(rep))
			}
			if tt.files["modules/net/versions.tf"] != "" && (strings.Contains(r.Summary, "depends on") || !factHolds(*r, "azurerm version", "modules/net/versions.tf:3")) {
				t.Errorf("the module's constraint is not the version judged: %s %+v", r.Summary, r.Facts)
			}
		})
	}
}

func factHolds(r diag.Result, key, in string) bool {
	for _, f := range r.Facts {
		if f.Key == key && strings.Contains(f.Value, in) {
			return true
		}
	}
	return false
}
