package fixes

import (
	"testing"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
)

// TestSettingFix: a fix edits the place the setting is read from: the
// stack's environment, the provider block (a valid HCL block, aligned as
// terraform fmt writes it), the Terraform variable the block reads, or the
// one entry of a list it replaces.
func TestSettingFix(t *testing.T) {
	block := Setting{Attr: "client_id", Provider: "azurerm", Alias: "mgmt", Pos: "providers.tf:9"}
	aux := Setting{Attr: "auxiliary_tenant_ids", Provider: "azurerm", Pos: "main.tf:3", List: []string{"t1", "t2"}, Old: "t2"}
	auxEnv := Setting{Env: "ARM_AUXILIARY_TENANT_IDS", List: []string{"t1", "t2"}, Old: "t1"}
	tests := []struct {
		s                 Setting
		name, short       string
		title, lang, text string
	}{
		{Setting{}.Or("ARM_CLIENT_ID"), "ARM_CLIENT_ID", "ARM_CLIENT_ID",
			"if X: set in the stack's environment", "text", "ARM_CLIENT_ID=v\n"},
		{block, `client_id in provider "azurerm" (alias "mgmt")`, "client_id",
			`if X: set client_id in provider "azurerm" (alias "mgmt") (providers.tf:9)`, "hcl",
			"provider \"azurerm\" {\n  alias     = \"mgmt\"\n  client_id = \"v\"\n  # ... the block's other settings, as they are\n}\n"},
		{Setting{Attr: "tenant_id", Provider: "azurerm", Var: "tenant"}, `variable tenant (tenant_id in provider "azurerm")`, "var.tenant",
			`if X: set variable tenant (tenant_id in provider "azurerm") where the stack sets it (a .tfvars file, or TF_VAR_tenant in the stack's environment)`, "hcl",
			"tenant = \"v\"\n"},
		{aux, `auxiliary_tenant_ids in provider "azurerm"`, "auxiliary_tenant_ids",
			`if X: set auxiliary_tenant_ids in provider "azurerm" (main.tf:3)`, "hcl",
			"provider \"azurerm\" {\n  auxiliary_tenant_ids = [\"t1\", \"v\"]\n  # ... the block's other settings, as they are\n}\n"},
		{auxEnv, "ARM_AUXILIARY_TENANT_IDS", "ARM_AUXILIARY_TENANT_IDS",
			"if X: set in the stack's environment", "text", "ARM_AUXILIARY_TENANT_IDS=v;t2\n"},
	}
	for _, tt := range tests {
		if got := tt.s.Name(); got != tt.name {
			t.Errorf("Name() = %q, want %q", got, tt.name)
		}
		if got := tt.s.Short(); got != tt.short {
			t.Errorf("Short() = %q, want %q", got, tt.short)
		}
		f := tt.s.Fix("if X", "v")
		if f.Title != tt.title || f.Lang != tt.lang || f.Text != tt.text {
			t.Errorf("%s: Fix() = %q %s\n%s\nwant %q %s\n%s", tt.name, f.Title, f.Lang, f.Text, tt.title, tt.lang, tt.text)
		}
		if f.Lang == "hcl" {
			if _, diags := hclsyntax.ParseConfig([]byte(f.Text), "fix.tf", hcl.InitialPos); diags.HasErrors() {
				t.Errorf("%s: not valid HCL: %v\n%s", tt.name, diags, f.Text)
			}
		}
	}
}
