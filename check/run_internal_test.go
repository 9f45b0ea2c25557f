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
