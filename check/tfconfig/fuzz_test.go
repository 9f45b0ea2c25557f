package tfconfig

import (
	"strings"
	"testing"
)

// FuzzConfig feeds one input to every reader of untrusted text in this
// package: a .tf file in native syntax and as JSON, a TF_CLI_ARGS value, a
// runtime configuration and a version constraint. None may panic, and no
// sensitive attribute may keep its value.
//
//	go test -fuzz FuzzConfig ./check/tfconfig
func FuzzConfig(f *testing.F) {
	f.Add([]byte(seedTF))
	f.Add([]byte(`{"terraform": {"backend": {"azurerm": {"key": "${var.k}", "access_key": "x"}}}, "provider": {"azurerm": [{"alias": "a", "oidc_token": "y"}]}}`))
	f.Add([]byte("provider \"azurerm\" {\n  use_oidc = \n}\n"))
	f.Add([]byte(`-backend-config="key=a b" -backend-config 'c=d' -backend=false ; x`))
	f.Add([]byte("stacks:\n  s:\n    terraform_version: \"1.5.7\" # c\n  - x\n"))
	f.Add([]byte("~> 1.5.0, != 1.5.3"))
	f.Add([]byte(`provider "azurerm" { client_secret = "${"a"}" }`))
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, isJSON := range []bool{false, true} {
			c := &Config{RequiredProviders: map[string]Requirement{}, resources: map[string]bool{}, dataSources: map[string]bool{}}
			name := "fuzz.tf"
			if isJSON {
				name += ".json"
			}
			if p := c.addSource(configFile{name: name, json: isJSON}, data); p != nil {
				if p.File != name || p.Msg == "" {
					t.Errorf("problem without file or message: %+v", p)
				}
				continue
			}
			c.finish()
			c.addImplicitProviders()
			c.result()
			check := func(attrs map[string]Value) {
				for k, v := range attrs {
					if sensitive[k] && v.Kind == Literal && (v.Text != "" || v.List != nil) {
						t.Errorf("sensitive %s kept %q", k, v.Text)
					}
					if sensitive[k] && v.Kind == Expression && v.Text != "" {
						t.Errorf("sensitive %s kept its expression %q", k, v.Text)
					}
				}
			}
			for _, p := range c.Providers {
				check(p.Attrs)
			}
			if c.Backend != nil {
				check(c.Backend.Block)
			}
		}
		s := string(data)
		if words, err := shellWords(s); err == nil {
			backendFlags(words)
		}
		yamlScalars(data)
		if cs, err := parseConstraint(s); err == nil {
			for _, v := range candidates[:50] {
				admitsAll(cs, v)
			}
		}
		_ = strings.ToLower(s)
	})
}
