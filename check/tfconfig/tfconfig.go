// Package tfconfig reads the stack's Terraform configuration the way
// `terraform init` will meet it: the *.tf and *.tf.json files of one
// directory (hashicorp/hcl/v2, native syntax and JSON), the providers the
// local modules it calls require and use, the dependency lock
// file, -backend-config given in TF_CLI_ARGS and TF_CLI_ARGS_init, and the
// tool and version the repository asks for. It returns plain data; the
// other steps judge it, given by package check.
//
// Only literal values are judged: an expression is "set by an expression:
// not judged", and nothing is ever evaluated beyond constants (no
// variables, no functions, no files but the ones named here). Every read is
// bounded, a symlink out of the directory is not followed, and a file that
// cannot be read is a warning naming it (file:line for a syntax error).
//
// It owns the check id terraform-config.
package tfconfig

import (
	"errors"
	"io/fs"
	"strings"

	"github.com/oidc-doctor/oidc-doctor/check/diag"
)

const (
	id    = "terraform-config"
	title = "Terraform configuration"
)

// Input is where the step reads.
type Input struct {
	// Dir is the root module's directory (--dir); empty means ".".
	Dir string
	// Getenv reads TF_CLI_ARGS, TF_CLI_ARGS_init and TF_VAR_spacelift_stack_id.
	Getenv func(string) string
}

func (in Input) env(k string) string {
	if in.Getenv == nil {
		return ""
	}
	return in.Getenv(k)
}

// Config is what was read of the configuration.
type Config struct {
	// Dir is the directory read.
	Dir string
	// Files are the configuration files read, in Terraform's order.
	Files []string
	// Found reports whether the directory holds any *.tf or *.tf.json file.
	Found bool
	// Complete reports whether every file was read and parsed: only then
	// does an absent setting mean Terraform has none.
	Complete bool
	// Problems are the files (and settings) that could not be read.
	Problems []Problem
	// RequiredVersion is terraform { required_version }.
	RequiredVersion Value
	// RequiredProviders are terraform { required_providers }, by local name.
	RequiredProviders map[string]Requirement
	// Locked are the provider versions in .terraform.lock.hcl.
	Locked []Locked
	// Backend is terraform { backend "…" {} }; nil when there is none.
	Backend *Backend
	// Cloud reports a terraform { cloud {} } block (HCP Terraform holds
	// the state, not a backend).
	Cloud bool
	// Providers are the azurerm, azuread and azapi configurations, aliases
	// included, in file order; a provider used by resources without a
	// block appears as Implicit.
	Providers []Provider
	// Resources and DataSources are the resource and data source types
	// in use, sorted.
	Resources, DataSources []string
	// CLI is what TF_CLI_ARGS and TF_CLI_ARGS_init add to init.
	CLI CLI
	// Runtime is the tool and version the repository asks for.
	Runtime Runtime
	// Modules are the module calls, and the local modules' calls, in the
	// order followed (see readModules).
	Modules []Module

	resources, dataSources map[string]bool
	calls                  []moduleCall // this directory's module blocks
	modulesCut             bool         // more than maxModules calls: not all followed
}

// Requirement is one entry of required_providers.
type Requirement struct {
	// Source is "hashicorp/azurerm"; empty when not written.
	Source string
	// Version is the version constraint.
	Version Value
	// Pos is where it is written.
	Pos string
}

// Backend is the backend block as Terraform will configure it.
type Backend struct {
	// Type is the backend's label: "azurerm".
	Type string
	// Pos is where the block starts.
	Pos string
	// Block holds the block's attributes as written.
	Block map[string]Value
}

// Provider returns the default (alias-less) configuration of the named
// provider, or nil.
func (c *Config) Provider(name string) *Provider {
	for i := range c.Providers {
		if c.Providers[i].Name == name && c.Providers[i].Alias == "" {
			return &c.Providers[i]
		}
	}
	return nil
}

// Read reads the configuration in in.Dir. It never fails: what could not be
// read is in Config.Problems and the terraform-config result.
func Read(in Input) (*Config, diag.Result) {
	dir := in.Dir
	if dir == "" {
		dir = "."
	}
	c := &Config{Dir: dir, Complete: true, RequiredProviders: map[string]Requirement{},
		resources: map[string]bool{}, dataSources: map[string]bool{}}
	files, err := listFiles(dir)
	if err != nil {
		c.Complete = false
		c.Problems = append(c.Problems, Problem{File: dir, Msg: dirError(err)})
		return c, c.result()
	}
	budget := int64(maxTotalBytes)
	for i, f := range files {
		c.Found = true
		if i >= maxFiles {
			c.Problems = append(c.Problems, Problem{File: f.name, Msg: "not read: the directory has more than 256 configuration files"})
			c.Complete = false
			continue
		}
		src, p := readBounded(dir, f.name, &budget)
		if p == nil {
			p = c.addSource(f, src)
		}
		if p != nil {
			c.Problems = append(c.Problems, *p)
			c.Complete = false
		}
	}
	c.finish()
	c.addImplicitProviders()
	c.readModules(dir, &budget)
	var p *Problem
	if c.Locked, p = readLockFile(dir, &budget); p != nil {
		c.Problems = append(c.Problems, *p)
	}
	var probs []Problem
	c.CLI, probs = readCLI(dir, in.env, &budget)
	c.Problems = append(c.Problems, probs...)
	if c.Runtime, p = readRuntime(dir, in.env("TF_VAR_spacelift_stack_id"), c.RequiredVersion); p != nil {
		c.Problems = append(c.Problems, *p)
	}
	return c, c.result()
}

// addSource parses one file's content and merges it into c.
func (c *Config) addSource(f configFile, src []byte) *Problem {
	if p := checkContent(f.name, src); p != nil {
		return p
	}
	file, p := parseHCL(f.name, src, f.json)
	if p != nil {
		return p
	}
	c.addFile(f, file, src)
	c.Files = append(c.Files, f.name)
	return nil
}

func dirError(err error) string {
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return "the directory does not exist: pass the Terraform project root with --dir"
	case errors.Is(err, fs.ErrPermission):
		return "the directory cannot be read: permission denied"
	}
	return "the directory cannot be read: " + unwrapPath(err).Error()
}

// addImplicitProviders adds an empty configuration for each provider that
// resources or data sources use (azurerm_resource_group → azurerm) without
// a default block: Terraform configures it from the environment alone.
func (c *Config) addImplicitProviders() {
	for _, name := range ProviderTypes {
		if c.Provider(name) != nil {
			continue
		}
		_, required := c.RequiredProviders[name]
		used := required
		for _, t := range append(append([]string(nil), c.Resources...), c.DataSources...) {
			used = used || strings.HasPrefix(t, name+"_")
		}
		if used {
			c.Providers = append(c.Providers, Provider{Name: name, Implicit: true, Attrs: map[string]Value{}})
		}
	}
}
