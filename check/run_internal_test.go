package check

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestStripUserinfo(t *testing.T) {
	tests := []struct{ in, want string }{
		{"http://alice:s3cret@proxy.corp:3128", "http://REDACTED@proxy.corp:3128"},
		{"alice:s3cret@proxy.corp:3128", "REDACTED@proxy.corp:3128"},
		{"alice:p#ss@proxy.corp:3128", "REDACTED@proxy.corp:3128"},
		{"http://proxy.corp:3128", "http://proxy.corp:3128"},
		{"proxy.corp:3128", "proxy.corp:3128"},
		{"localhost,.corp,10.0.0.0/8", "localhost,.corp,10.0.0.0/8"},
	}
	for _, tt := range tests {
		if got := stripUserinfo(tt.in); got != tt.want {
			t.Errorf("stripUserinfo(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// TestAzurermFromConfig: the RBAC step sees the azurerm block's literal
// resource_provider_registrations and skip_provider_registration (which
// beat the variables inside the rbac step) and the version the lock file
// pins; a constraint pins what it can.
func TestAzurermFromConfig(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write("main.tf", "terraform {\n  required_providers {\n    azurerm = { source = \"hashicorp/azurerm\", version = \"~> 4.27.0\" }\n  }\n}\n"+
		"provider \"azurerm\" {\n  features {}\n  resource_provider_registrations = \"none\"\n  skip_provider_registration = false\n}\n")
	tf, _ := readTerraform(Config{Dir: dir, Getenv: func(string) string { return "" }})
	az := tf.azurerm()
	if az.Version != "4.27" || az.Registrations != "none" || az.SkipRegistration == nil || *az.SkipRegistration {
		t.Errorf("from the constraint: %+v", az)
	}
	write(".terraform.lock.hcl", "provider \"registry.terraform.io/hashicorp/azurerm\" {\n  version = \"4.27.3\"\n}\n")
	tf, _ = readTerraform(Config{Dir: dir, Getenv: func(string) string { return "" }})
	if az := tf.azurerm(); az.Version != "4.27.3" || !strings.Contains(az.Source, ".terraform.lock.hcl") {
		t.Errorf("from the lock file: %+v", az)
	}
	for c, want := range map[string]string{"= 3.117.1": "3.117.1", "4.1.0": "4.1.0", "~> 4.0": "4", "~> 4": "", ">= 3.0, < 5.0": "", "> 4": ""} {
		if got := pinnedVersion(c); got != want {
			t.Errorf("pinnedVersion(%q) = %q, want %q", c, got, want)
		}
	}
}

// TestAzurermFromModules: a local module's required_providers pins the
// version with the root's (init installs one release for both); a remote
// module is not read, and a local one that contradicts the root pins
// nothing.
func TestAzurermFromModules(t *testing.T) {
	dir := writeFiles(t, map[string]string{
		"main.tf":                   "module \"net\" {\n  source = \"./modules/net\"\n}\n",
		"modules/net/versions.tf":   "terraform {\n  required_providers {\n    azurerm = { source = \"hashicorp/azurerm\", version = \"~> 4.0\" }\n  }\n}\n",
		"modules/net/main.tf":       "resource \"azurerm_virtual_network\" \"v\" {}\nmodule \"sub\" {\n  source = \"../sub\"\n}\n",
		"modules/sub/versions.tf":   "terraform {\n  required_providers {\n    azurerm = \"~> 4.27.0\"\n  }\n}\n",
		"modules/other/versions.tf": "terraform {\n  required_providers {\n    azurerm = \"~> 3.0\"\n  }\n}\n",
	})
	tf, _ := readTerraform(Config{Dir: dir, Getenv: func(string) string { return "" }})
	az := tf.azurerm()
	if az.Version != "4.27" || az.Unused || !strings.Contains(az.Source, "modules/net/versions.tf:3") || !strings.Contains(az.Source, "modules/sub/versions.tf:3") {
		t.Errorf("from the modules: %+v (modules %+v)", az, tf.c.Modules)
	}
	if len(tf.c.Modules) != 2 || tf.c.Modules[1].Name != "net.sub" || !tf.c.Modules[1].Read {
		t.Errorf("modules: %+v", tf.c.Modules)
	}
	writeFile(t, dir, "main.tf", "module \"net\" {\n  source = \"./modules/net\"\n}\nmodule \"old\" {\n  source = \"./modules/other\"\n}\n")
	tf, _ = readTerraform(Config{Dir: dir, Getenv: func(string) string { return "" }})
	if az := tf.azurerm(); az.Version != "" {
		t.Errorf("4.27 and 3 together pin %q, want nothing", az.Version)
	}
}

// TestAzurermUnused: only a configuration read whole, modules included,
// that names azurerm nowhere has no azurerm; no configuration, a remote
// module or a module that uses azurerm keep the judgement.
func TestAzurermUnused(t *testing.T) {
	azapi := "terraform {\n  required_providers {\n    azapi = { source = \"azure/azapi\" }\n  }\n}\nprovider \"azapi\" {}\nresource \"azapi_resource\" \"r\" {}\n"
	tests := []struct {
		name  string
		files map[string]string
		want  bool
	}{
		{"azapi only", map[string]string{"main.tf": azapi}, true},
		{"no configuration", map[string]string{"README.md": "no terraform here"}, false},
		{"azurerm resource", map[string]string{"main.tf": azapi + "resource \"azurerm_resource_group\" \"g\" {}\n"}, false},
		{"azurerm in the lock file", map[string]string{"main.tf": azapi,
			".terraform.lock.hcl": "provider \"registry.terraform.io/hashicorp/azurerm\" {\n  version = \"4.27.3\"\n}\n"}, false},
		{"a local module with azurerm", map[string]string{"main.tf": azapi + "module \"m\" {\n  source = \"./m\"\n}\n",
			"m/main.tf": "data \"azurerm_client_config\" \"c\" {}\n"}, false},
		{"a local module without", map[string]string{"main.tf": azapi + "module \"m\" {\n  source = \"./m\"\n}\n",
			"m/main.tf": "resource \"azapi_resource\" \"x\" {}\n"}, true},
		{"a registry module", map[string]string{"main.tf": azapi + "module \"m\" {\n  source  = \"Azure/avm-res-network-virtualnetwork/azurerm\"\n  version = \"0.8.1\"\n}\n"}, false},
		{"a missing local module", map[string]string{"main.tf": azapi + "module \"m\" {\n  source = \"./gone\"\n}\n"}, false},
		{"a syntax error", map[string]string{"main.tf": azapi, "broken.tf": "resource \"x\" {\n"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tf, _ := readTerraform(Config{Dir: writeFiles(t, tt.files), Getenv: func(string) string { return "" }})
			if got := tf.azurerm().Unused; got != tt.want {
				t.Errorf("Unused = %v, want %v (modules %+v)", got, tt.want, tf.c.Modules)
			}
		})
	}
}

func writeFiles(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, text := range files {
		writeFile(t, dir, name, text)
	}
	return dir
}

func writeFile(t *testing.T, dir, name, text string) {
	t.Helper()
	p := filepath.Join(dir, filepath.FromSlash(name))
	if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
}
