package tfconfig

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/oidc-doctor/oidc-doctor/check/diag"
)

// write lays out files (name → content) in a new directory.
func write(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func envOf(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

const seedTF = `terraform {
  required_version = "~> 1.5.0"
  required_providers {
    azurerm = {
      source  = "hashicorp/azurerm"
      version = "~> 3.100"
    }
  }
  backend "azurerm" {
    resource_group_name  = "rg-tfstate"
    storage_account_name = "sttfstate"
    container_name       = "tfstate"
    key                  = "azure-infra.tfstate"
    use_azuread_auth     = true
  }
}

provider "azurerm" {
  features {}
  use_oidc             = true
  oidc_token_file_path = "/mnt/workspace/spacelift.oidc"
}

provider "azurerm" {
  alias                = "mgmt"
  features {}
  subscription_id      = var.mgmt_subscription
  auxiliary_tenant_ids = ["a91f04d3-6e28-4c7b-b5d9-02e8f7c4a613"]
  oidc_token           = "never-kept"
}

resource "azurerm_resource_group" "main" {
  name     = "rg-azure-infra"
  location = "westeurope"
}

data "azuread_client_config" "current" {}
`

func TestReadNative(t *testing.T) {
	dir := write(t, map[string]string{"main.tf": seedTF})
	c, r := Read(Input{Dir: dir})
	if r.Status != diag.StatusPass || !c.Complete {
		t.Fatalf("status %s complete %v: %s %v", r.Status, c.Complete, r.Summary, c.Problems)
	}
	if c.Backend == nil || c.Backend.Type != "azurerm" || c.Backend.Pos != "main.tf:9" {
		t.Fatalf("backend %+v", c.Backend)
	}
	if got := c.Backend.Block["use_azuread_auth"]; got.Kind != Literal || got.Text != "true" || got.Pos != "main.tf:14" {
		t.Errorf("use_azuread_auth = %+v", got)
	}
	if c.RequiredVersion.Text != "~> 1.5.0" || c.RequiredProviders["azurerm"].Version.Text != "~> 3.100" || c.RequiredProviders["azurerm"].Source != "hashicorp/azurerm" {
		t.Errorf("required: %+v %+v", c.RequiredVersion, c.RequiredProviders)
	}
	if len(c.Providers) != 3 {
		t.Fatalf("providers %+v", c.Providers)
	}
	def := c.Provider("azurerm")
	if def == nil || def.Attrs["use_oidc"].Text != "true" || def.Attrs["oidc_token_file_path"].Text != "/mnt/workspace/spacelift.oidc" {
		t.Errorf("default provider %+v", def)
	}
	mgmt := c.Providers[1]
	if mgmt.Alias != "mgmt" || mgmt.Who() != `provider "azurerm" (alias "mgmt")` {
		t.Errorf("alias %+v", mgmt)
	}
	if v := mgmt.Attrs["subscription_id"]; v.Kind != Expression || v.Text != "var.mgmt_subscription" {
		t.Errorf("expression %+v", v)
	}
	if v := mgmt.Attrs["oidc_token"]; v.Kind != Literal || v.Text != "" {
		t.Errorf("a literal token was kept: %+v", v)
	}
	if diff := cmp.Diff([]string{"a91f04d3-6e28-4c7b-b5d9-02e8f7c4a613"}, mgmt.Attrs["auxiliary_tenant_ids"].List); diff != "" {
		t.Errorf("auxiliary_tenant_ids (-want +got):\n%s", diff)
	}
	if !c.Providers[2].Implicit || c.Providers[2].Name != "azuread" {
		t.Errorf("implicit azuread from the data source: %+v", c.Providers[2])
	}
	if diff := cmp.Diff([]string{"azurerm_resource_group"}, c.Resources); diff != "" {
		t.Error(diff)
	}
	if diff := cmp.Diff([]string{"azuread_client_config"}, c.DataSources); diff != "" {
		t.Error(diff)
	}
}

func TestReadJSON(t *testing.T) {
	dir := write(t, map[string]string{"main.tf.json": `{
  "terraform": {"backend": {"azurerm": {"storage_account_name": "sttfstate", "key": "${var.key}", "use_oidc": "true"}}},
  "provider": {"azurerm": [{"features": {}, "use_oidc": true}, {"alias": "b", "use_oidc": false}]},
  "resource": {"azurerm_storage_account": {"sa": {"name": "x"}}}
}`})
	c, r := Read(Input{Dir: dir})
	if r.Status != diag.StatusPass {
		t.Fatalf("%s: %s", r.Status, r.Summary)
	}
	b := c.Backend.Block
	if b["storage_account_name"].Text != "sttfstate" || b["key"].Kind != Expression {
		t.Errorf("backend %+v", b)
	}
	if v, ok := b["use_oidc"].Bool(); !ok || !v {
		t.Errorf(`"true" as a bool: %+v`, b["use_oidc"])
	}
	if len(c.Providers) != 2 || c.Providers[1].Alias != "b" {
		t.Errorf("providers %+v", c.Providers)
	}
}

func TestOverrideFiles(t *testing.T) {
	dir := write(t, map[string]string{
		"main.tf":          "provider \"azurerm\" { use_oidc = false }\nterraform {\n  backend \"azurerm\" { key = \"a\" }\n}\n",
		"main_override.tf": "provider \"azurerm\" { use_oidc = true }\nterraform {\n  backend \"azurerm\" { key = \"b\" }\n}\n",
	})
	c, _ := Read(Input{Dir: dir})
	if c.Provider("azurerm").Attrs["use_oidc"].Text != "true" || c.Backend.Block["key"].Text != "b" {
		t.Errorf("override not applied: %+v %+v", c.Providers, c.Backend)
	}
}

func TestBadFiles(t *testing.T) {
	outside := t.TempDir()
	if err := os.WriteFile(filepath.Join(outside, "shared.tf"), []byte(`provider "azurerm" {}`), 0o600); err != nil {
		t.Fatal(err)
	}
	dir := write(t, map[string]string{
		"good.tf":   `provider "azurerm" { use_oidc = true }`,
		"syntax.tf": "provider \"azurerm\" {\n  use_oidc = \n}\n",
		"binary.tf": "\x7fELF\x00\x00",
		"deep.tf":   "locals { x = " + strings.Repeat("[", 300) + " }",
		"huge.tf":   strings.Repeat("#", maxFileBytes+1),
		"dir.tf/x":  "",
	})
	if err := os.Symlink(filepath.Join(outside, "shared.tf"), filepath.Join(dir, "link.tf")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("good.tf", filepath.Join(dir, "inside.tf")); err != nil {
		t.Fatal(err)
	}
	c, r := Read(Input{Dir: dir})
	if r.Status != diag.StatusWarn || c.Complete {
		t.Fatalf("status %s complete %v", r.Status, c.Complete)
	}
	want := map[string]string{
		"syntax.tf:2": "syntax error",
		"binary.tf":   "binary",
		"deep.tf:1":   "nested more than 256",
		"huge.tf":     "larger than 2 MiB",
		"link.tf":     "outside the directory",
	}
	got := map[string]string{}
	for _, p := range c.Problems {
		got[strings.TrimSuffix(p.String(), ": "+p.Msg)] = p.Msg
	}
	for where, frag := range want {
		if !strings.Contains(got[where], frag) {
			t.Errorf("%s: got %q, want it to say %q (all: %v)", where, got[where], frag, c.Problems)
		}
	}
	if diff := cmp.Diff([]string{"good.tf", "inside.tf"}, c.Files); diff != "" {
		t.Errorf("files read (-want +got):\n%s", diff)
	}
}

func TestNoConfiguration(t *testing.T) {
	c, r := Read(Input{Dir: t.TempDir()})
	if r.Status != diag.StatusSkip || c.Found {
		t.Errorf("empty dir: %s %s", r.Status, r.Summary)
	}
	_, r = Read(Input{Dir: filepath.Join(t.TempDir(), "missing")})
	if r.Status != diag.StatusWarn || !strings.Contains(r.Summary, "does not exist") {
		t.Errorf("missing dir: %s %s", r.Status, r.Summary)
	}
}

func TestLockFile(t *testing.T) {
	dir := write(t, map[string]string{
		"main.tf": `provider "azurerm" {}`,
		".terraform.lock.hcl": `provider "registry.terraform.io/hashicorp/azurerm" {
  version     = "3.117.1"
  constraints = "~> 3.0"
  hashes      = ["h1:x"]
}`,
	})
	c, r := Read(Input{Dir: dir})
	if len(c.Locked) != 1 || c.Locked[0].Name() != "azurerm" || c.Locked[0].Version != "3.117.1" {
		t.Errorf("locked %+v", c.Locked)
	}
	if !strings.Contains(resultText(r), "locked azurerm 3.117.1") {
		t.Errorf("facts %v", r.Facts)
	}
}

func resultText(r diag.Result) string {
	var b strings.Builder
	b.WriteString(r.Summary + "\n")
	for _, f := range r.Facts {
		b.WriteString(f.Key + " " + f.Value + "\n")
	}
	return b.String()
}

func TestCLIArgs(t *testing.T) {
	dir := write(t, map[string]string{
		"main.tf":      "terraform {\n  backend \"azurerm\" {}\n}\n",
		"backend.hcl":  "use_azuread_auth = true\nkey = \"from-file\"\n",
		"b/extra.json": `{"container_name": "tfstate"}`,
	})
	env := envOf(map[string]string{
		"TF_CLI_ARGS":      "-no-color",
		"TF_CLI_ARGS_init": `-backend-config=backend.hcl --backend-config "storage_account_name=st tf" -backend-config=b/extra.json -backend-config=key=from-pair -backend-config=access_key=s3cr3t`,
	})
	c, _ := Read(Input{Dir: dir, Getenv: env})
	bc := c.CLI.BackendConfig
	if bc["use_azuread_auth"].Text != "true" || bc["key"].Text != "from-pair" || bc["storage_account_name"].Text != "st tf" || bc["container_name"].Text != "tfstate" {
		t.Errorf("backend config %+v", bc)
	}
	if bc["access_key"].Kind != Literal || bc["access_key"].Text != "" {
		t.Errorf("a secret was kept: %+v", bc["access_key"])
	}
	if diff := cmp.Diff([]string{"TF_CLI_ARGS", "TF_CLI_ARGS_init"}, c.CLI.Vars); diff != "" {
		t.Error(diff)
	}

	c, _ = Read(Input{Dir: dir, Getenv: envOf(map[string]string{"TF_CLI_ARGS_init": `-backend-config=key=a -backend-config= -backend=false`})})
	if len(c.CLI.BackendConfig) != 0 || !c.CLI.BackendDisabled {
		t.Errorf("clear and -backend=false: %+v", c.CLI)
	}
	c, _ = Read(Input{Dir: dir, Getenv: envOf(map[string]string{"TF_CLI_ARGS_init": `-backend-config="key=a`})})
	if len(c.Problems) != 1 || !strings.Contains(c.Problems[0].Msg, "unterminated quote") {
		t.Errorf("unterminated: %v", c.Problems)
	}
	c, _ = Read(Input{Dir: dir, Getenv: envOf(map[string]string{"TF_CLI_ARGS_init": `-backend-config=missing.hcl`})})
	if len(c.Problems) != 1 || !strings.Contains(c.Problems[0].String(), "missing.hcl: -backend-config file") {
		t.Errorf("missing file: %v", c.Problems)
	}
}

func TestShellWords(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{`a b`, []string{"a", "b"}},
		{`  a   "b c"  'd e' `, []string{"a", "b c", "d e"}},
		{`a\ b "x\"y" 'p\q'`, []string{"a b", `x"y`, `p\q`}},
		{`a "" b`, []string{"a", "", "b"}},
		{`$HOME`, []string{"$HOME"}},
		{`a; b`, []string{"a"}},
	}
	for _, tt := range tests {
		got, err := shellWords(tt.in)
		if err != nil {
			t.Errorf("%q: %v", tt.in, err)
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("%q (-want +got):\n%s", tt.in, diff)
		}
	}
}

func TestConstraints(t *testing.T) {
	tests := []struct {
		constraint, v string
		want          bool
	}{
		{"~> 1.5.0", "1.5.7", true},
		{"~> 1.5.0", "1.6.0", false},
		{"~> 1.5", "1.11.0", true},
		{"~> 1.5", "2.0.0", false},
		{">= 1.3, < 1.6", "1.5.7", true},
		{">= 1.3, < 1.6", "1.6.0", false},
		{"1.11.0", "1.11.0", true},
		{"= 1.11", "1.11.0", true},
		{"!= 1.11.0", "1.11.0", false},
		{">1.10.5", "1.11.0", true},
		{"<= 1.10.5", "1.11.0", false},
		{"v1.12.0-beta1", "1.12.0", true},
	}
	for _, tt := range tests {
		cs, err := parseConstraint(tt.constraint)
		if err != nil {
			t.Fatalf("%q: %v", tt.constraint, err)
		}
		v, _, _ := parseVersion(tt.v)
		if got := admitsAll(cs, v); got != tt.want {
			t.Errorf("%q admits %s = %v, want %v", tt.constraint, tt.v, got, tt.want)
		}
	}
	if _, err := parseConstraint(">= latest"); err == nil {
		t.Error("a word parsed as a version")
	}
}

func TestRuntime(t *testing.T) {
	yml := `version: "2"
stack_defaults:
  terraform_workflow_tool: TERRAFORM_FOSS
  before_init:
    - >-
      echo terraform_version: 9.9.9
  environment:
    terraform_version: "not this one"
stacks:
  azure-infra:
    terraform_version: "1.5.7" # pinned
  other:
    terraform_version: 1.4.0
`
	dir := write(t, map[string]string{".git/HEAD": "", ".spacelift/config.yml": yml, "infra/main.tf": `terraform { required_version = ">= 1.3" }`})
	c, _ := Read(Input{Dir: filepath.Join(dir, "infra"), Getenv: envOf(map[string]string{"TF_VAR_spacelift_stack_id": "azure-infra"})})
	rt := c.Runtime
	if rt.Tool != ToolTerraform || rt.Version != "1.5.7" || !strings.Contains(rt.VersionFrom, "stacks.azure-infra.terraform_version") {
		t.Fatalf("runtime %+v", rt)
	}
	for _, tt := range []struct {
		tool, from, before string
		want               bool
	}{
		{ToolTerraform, "0.0.0", "1.11.0", true},
		{ToolTerraform, "1.11.0", "", false},
		{ToolOpenTofu, "0.0.0", "", false},
	} {
		if got := rt.Admits(tt.tool, tt.from, tt.before); got != tt.want {
			t.Errorf("Admits(%s, %s, %s) = %v", tt.tool, tt.from, tt.before, got)
		}
	}
	if rt.Workflow != "" {
		t.Errorf("no workflow.yml, got %q", rt.Workflow)
	}
	dir = write(t, map[string]string{".spacelift/workflow.yml": "init: tofu init\n", "main.tf": ""})
	if c, _ := Read(Input{Dir: dir}); c.Runtime.Workflow != filepath.Join(dir, ".spacelift", "workflow.yml") {
		t.Errorf("workflow.yml not found: %+v", c.Runtime)
	}
	// FOSS without a version: capped at the last MPL release.
	dir = write(t, map[string]string{".spacelift/config.yml": "stack_defaults:\n  terraform_workflow_tool: TERRAFORM_FOSS\n", "main.tf": ""})
	c, _ = Read(Input{Dir: dir})
	if c.Runtime.Admits(ToolTerraform, "1.6.0", "") || !c.Runtime.Admits(ToolTerraform, "1.5.0", "1.6.0") {
		t.Errorf("FOSS cap: %+v", c.Runtime)
	}
	// Nothing said: both tools, every version.
	c, _ = Read(Input{Dir: write(t, map[string]string{"main.tf": ""})})
	if !c.Runtime.Admits(ToolOpenTofu, "1.12.0", "") || !c.Runtime.Admits(ToolTerraform, "1.11.0", "1.11.2") {
		t.Errorf("unknown runtime %+v", c.Runtime)
	}
}

func TestResolve(t *testing.T) {
	env := envOf(map[string]string{"ARM_USE_OIDC": "true", "ARM_USE_CLI": "false", "ARM_CLIENT_ID": "from-env", "ARM_OIDC_TOKEN": "secret-token", "ARM_AUXILIARY_TENANT_IDS": "t1;t2"})
	p := Provider{Name: "azurerm", Attrs: map[string]Value{
		"client_id": {Kind: Literal, Text: "", Pos: "main.tf:2"},
	}}
	tests := []struct {
		p       Provider
		setting string
		want    Setting
	}{
		{p, "use_oidc", Setting{Value: "true", Set: true, From: "ARM_USE_OIDC"}},
		{p, "use_cli", Setting{Value: "true", From: "default"}},
		{p, "client_id", Setting{Value: "", Set: true, From: `provider "azurerm" (main.tf:2)`}},
		{p, "oidc_token", Setting{Set: true, From: "ARM_OIDC_TOKEN"}},
		{p, "auxiliary_tenant_ids", Setting{Value: "t1;t2", Set: true, From: "ARM_AUXILIARY_TENANT_IDS"}},
		{Provider{Name: "azurerm", Attrs: map[string]Value{"use_oidc": {Kind: Literal, Text: "false", Pos: "a.tf:1"}}}, "use_oidc",
			Setting{Value: "false", Set: true, From: `provider "azurerm" (a.tf:1)`}},
		{Provider{Name: "azuread", Attrs: map[string]Value{"use_oidc": {Kind: Literal, Text: "false", Pos: "a.tf:1"}}}, "use_oidc",
			Setting{Value: "false", Set: true, From: `provider "azuread" (a.tf:1)`, Uncertain: `azuread releases differ: older ones keep the block's "false", newer ones take ARM_USE_OIDC instead`}},
		{Provider{Name: "azuread"}, "use_cli", Setting{Value: "false", Set: true, From: "ARM_USE_CLI"}},
		{Provider{Name: "azapi"}, "use_oidc", Setting{Value: "true", Set: true, From: "ARM_USE_OIDC"}},
		{Provider{Name: "azurerm", Attrs: map[string]Value{"use_oidc": {Kind: Expression, Pos: "a.tf:3"}}}, "use_oidc",
			Setting{Set: true, Expression: true, From: `provider "azurerm" (a.tf:3)`}},
	}
	for _, tt := range tests {
		if diff := cmp.Diff(tt.want, tt.p.Resolve(tt.setting, env)); diff != "" {
			t.Errorf("%s %s (-want +got):\n%s", tt.p.Who(), tt.setting, diff)
		}
	}
	azapi := Provider{Name: "azapi"}
	if s := azapi.Resolve("use_oidc", envOf(map[string]string{"ARM_USE_OIDC": "1"})); s.Value != "false" {
		t.Errorf("azapi takes only \"true\": %+v", s)
	}
}

// TestModules: local module calls are read (nested ones too, relative to
// their caller), a remote source is named but not read, and the facts
// say which.
func TestModules(t *testing.T) {
	dir := t.TempDir()
	for name, text := range map[string]string{
		"main.tf":        "module \"a\" {\n  source = \"./a\"\n}\nmodule \"r\" {\n  source  = \"Azure/avm-res-storage-storageaccount/azurerm\"\n  version = \"0.6.0\"\n}\n",
		"a/main.tf":      "terraform {\n  required_providers {\n    azapi = { source = \"azure/azapi\", version = \"~> 2.0\" }\n  }\n}\nmodule \"b\" {\n  source = \"../b\"\n}\n",
		"b/main.tf.json": `{"resource": {"azurerm_resource_group": {"g": {"name": "x"}}}}`,
		"a/README.md":    "not read",
	} {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	c, r := Read(Input{Dir: dir})
	type mod struct {
		Name, Source string
		Read         bool
		Uses         []string
	}
	var got []mod
	for _, m := range c.Modules {
		got = append(got, mod{m.Name, m.Source, m.Read, m.Uses})
	}
	want := []mod{{"a", "./a", true, []string{"azapi"}}, {"r", "Azure/avm-res-storage-storageaccount/azurerm", false, nil}, {"a.b", "../b", true, []string{"azurerm"}}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("modules (-want +got):\n%s", diff)
	}
	if rq := c.Modules[0].RequiredProviders["azapi"]; rq.Version.Text != "~> 2.0" || rq.Pos != "a/main.tf:3" {
		t.Errorf("a's requirement: %+v", rq)
	}
	if c.ModulesKnown() {
		t.Error("a registry module is not read, so the modules are not known")
	}
	if r.Status != diag.StatusPass || !strings.Contains(fmt.Sprint(r.Facts), "r (Azure/avm-res-storage-storageaccount/azurerm: not fetched, not read)") {
		t.Errorf("terraform-config: %s %+v", r.Status, r.Facts)
	}
}
