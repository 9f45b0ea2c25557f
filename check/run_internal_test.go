package check

import (
	"os"
	"path/filepath"
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

// TestProviderEnv: the RBAC step sees the azurerm block's literal
// resource_provider_registrations, which beats the variable.
func TestProviderEnv(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "main.tf"), []byte("provider \"azurerm\" {\n  features {}\n  resource_provider_registrations = \"none\"\n}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"ARM_RESOURCE_PROVIDER_REGISTRATIONS": "all", "ARM_SKIP_PROVIDER_REGISTRATION": "true"}
	tf, _ := readTerraform(Config{Dir: dir, Getenv: func(k string) string { return env[k] }})
	get := providerEnv(func(k string) string { return env[k] }, tf)
	if got := get("ARM_RESOURCE_PROVIDER_REGISTRATIONS"); got != "none" {
		t.Errorf("registrations = %q, want the block's none", got)
	}
	if got := get("ARM_SKIP_PROVIDER_REGISTRATION"); got != "true" {
		t.Errorf("skip = %q, want the variable's true", got)
	}
}
