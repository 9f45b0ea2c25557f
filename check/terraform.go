package check

// What the Terraform configuration (package tfconfig) tells the other
// steps, as plain values: where each provider and the state backend read
// the token (token), each provider's use_oidc (settings), and the backend
// block with -backend-config and the release lines that may run init
// (backend). The steps never see package tfconfig.

import (
	"slices"
	"strings"

	"github.com/oidc-doctor/oidc-doctor/check/backend"
	"github.com/oidc-doctor/oidc-doctor/check/diag"
	"github.com/oidc-doctor/oidc-doctor/check/rbac"
	"github.com/oidc-doctor/oidc-doctor/check/settings"
	"github.com/oidc-doctor/oidc-doctor/check/tfconfig"
	"github.com/oidc-doctor/oidc-doctor/check/token"
)

// terraform holds the configuration and what was derived from it.
type terraform struct {
	c *tfconfig.Config
	// backend is the backend step's input; nil when there is no azurerm
	// backend, and skipWhy then says why.
	backend *backend.Input
	skipWhy string
}

func readTerraform(cfg Config) (terraform, diag.Result) {
	c, r := tfconfig.Read(tfconfig.Input{Dir: cfg.Dir, Getenv: cfg.env})
	tf := terraform{c: c}
	tf.backend, tf.skipWhy = backendInput(c, cfg.env)
	return tf, r
}

// providers are the configurations the token and settings steps judge: the
// ones read, or, when no configuration was found, azurerm's implicit
// configuration from the environment alone.
func (tf terraform) providers() []tfconfig.Provider {
	if !tf.c.Found {
		return []tfconfig.Provider{{Name: "azurerm", Implicit: true}}
	}
	return tf.c.Providers
}

func (tf terraform) known() bool { return tf.c.Found && tf.c.Complete }

// token says where each part of Terraform reads its token.
func (tf terraform) token(getenv func(string) string) *token.Terraform {
	out := &token.Terraform{Known: tf.known()}
	for _, p := range tf.providers() {
		out.Readers = append(out.Readers, providerReader(p, getenv))
	}
	if tf.backend != nil {
		src, path, useOIDC, expr := backend.TokenSource(*tf.backend)
		out.Readers = append(out.Readers, token.Reader{Who: "azurerm backend", Backend: true, UseOIDC: useOIDC,
			Source: src, Path: path, Expression: expr})
	}
	return out
}

// providerReader resolves a provider configuration's token source in the
// provider's own order: oidc_token_file_path, then oidc_token (they must
// agree when both are set), then AZURE_FEDERATED_TOKEN_FILE under
// use_aks_workload_identity.
func providerReader(p tfconfig.Provider, getenv func(string) string) token.Reader {
	use := p.Resolve("use_oidc", getenv)
	aks := p.Resolve("use_aks_workload_identity", getenv)
	r := token.Reader{Who: p.Who(), UseOIDC: use.Value == "true" || use.Expression || aks.Value == "true"}
	file, value := p.Resolve("oidc_token_file_path", getenv), p.Resolve("oidc_token", getenv)
	switch {
	case file.Set:
		r.Source, r.Path, r.Expression = settingName(p, "oidc_token_file_path", file), file.Value, file.Expression
	case value.Set:
		r.Source, r.Value, r.Expression = settingName(p, "oidc_token", value), true, value.Expression
	case aks.Value == "true" && getenv("AZURE_FEDERATED_TOKEN_FILE") != "":
		r.Source, r.Path = "AZURE_FEDERATED_TOKEN_FILE", getenv("AZURE_FEDERATED_TOKEN_FILE")
	}
	return r
}

// settingName is "ARM_OIDC_TOKEN_FILE_PATH", or "oidc_token_file_path (main.tf:4)".
func settingName(p tfconfig.Provider, attr string, s tfconfig.Setting) string {
	if pos, ok := strings.CutPrefix(s.From, p.Who()+" "); ok {
		return attr + " " + pos
	}
	return s.From
}

// settings says how each provider configuration resolves use_oidc.
func (tf terraform) settings(getenv func(string) string) settings.Terraform {
	if !tf.c.Found {
		return settings.Terraform{}
	}
	out := settings.Terraform{Known: tf.c.Complete}
	for _, p := range tf.c.Providers {
		s := p.Resolve("use_oidc", getenv)
		out.Providers = append(out.Providers, settings.Provider{Who: p.Who(), UseOIDC: s.Value, From: s.From,
			Expression: s.Expression, Uncertain: s.Uncertain,
			AKSWorkloadIdentity: p.Resolve("use_aks_workload_identity", getenv).Value == "true"})
	}
	return out
}

// backendInput is the backend step's input, or why the step does not run.
func backendInput(c *tfconfig.Config, getenv func(string) string) (*backend.Input, string) {
	switch {
	case !c.Found:
		return nil, "no Terraform configuration was read (run in the project root or pass --dir)"
	case c.Cloud:
		return nil, "a cloud block: HCP Terraform holds the state"
	case c.Backend == nil:
		return nil, "no backend block: the state is local"
	case c.Backend.Type != "azurerm":
		return nil, "the backend is " + c.Backend.Type + ", not azurerm"
	case c.CLI.BackendDisabled:
		return nil, "-backend=false in " + strings.Join(c.CLI.Vars, ", ") + ": init configures no backend"
	}
	in := &backend.Input{Block: attrs(c.Backend.Block), Overrides: attrs(c.CLI.BackendConfig), BlockPos: c.Backend.Pos,
		Complete: c.Complete, ArgsElsewhere: c.Runtime.Workflow, Getenv: getenv}
	var names []string
	for _, l := range backend.Lines() {
		if c.Runtime.Admits(l.Tool, l.From, l.Before) {
			in.Lines = append(in.Lines, l.ID)
			names = append(names, l.Name)
		}
	}
	in.Runtime = strings.Join(names, ", ") + " (" + runtimeSource(c) + ")"
	for _, p := range c.Providers {
		if v := p.Attrs["use_oidc"]; in.ProviderUseOIDC == "" && v.Kind == tfconfig.Literal && v.Text == "true" {
			in.ProviderUseOIDC = p.Who() + " (" + v.Pos + ")"
		}
		if v := p.Attrs["oidc_token_file_path"]; in.ProviderTokenFile == "" && v.IsSet() {
			in.ProviderTokenFile = p.Who() + " (" + v.Pos + ")"
		}
	}
	return in, ""
}

func runtimeSource(c *tfconfig.Config) string {
	var parts []string
	if c.RequiredVersion.IsSet() {
		parts = append(parts, "required_version "+c.RequiredVersion.Describe()+" at "+c.RequiredVersion.Pos)
	}
	if c.Runtime.Version != "" {
		parts = append(parts, "version "+c.Runtime.Version+" from "+c.Runtime.VersionFrom)
	}
	tool := "workflow tool " + c.Runtime.ToolFrom
	if c.Runtime.Tool != "" {
		tool = "workflow tool " + c.Runtime.Tool + " from " + c.Runtime.ToolFrom
	}
	return strings.Join(append(parts, tool), "; ")
}

func attrs(m map[string]tfconfig.Value) map[string]backend.Attr {
	out := make(map[string]backend.Attr, len(m))
	for k, v := range m {
		a := backend.Attr{Text: v.Text, Pos: v.Pos}
		switch v.Kind {
		case tfconfig.Literal:
			a.Kind = backend.Literal
			if v.List != nil {
				a.Text = strings.Join(v.List, ",")
			}
		case tfconfig.Expression:
			a.Kind = backend.Expression
		default:
			continue
		}
		out[k] = a
	}
	return out
}

// azurerm is what the configuration says about the default azurerm block
// for the RBAC step's provider judging (see azurermOf).
func (tf terraform) azurerm() rbac.Azurerm { return tf.azurermOf(tf.c.Provider("azurerm")) }

// azurermOf is what the configuration says about the azurerm provider
// block p for the RBAC step's provider judging: the version init installs
// (the lock file's, else what an exact or pessimistic constraint pins) and
// the block's registration settings, literals only; a literal beats the
// environment variable, as in azurerm. p nil means no block.
func (tf terraform) azurermOf(p *tfconfig.Provider) rbac.Azurerm {
	var az rbac.Azurerm
	var from []string
	for _, l := range tf.c.Locked {
		if l.Name() == "azurerm" {
			az.Version = l.Version
			from = append(from, ".terraform.lock.hcl")
		}
	}
	if az.Version == "" {
		az.Version, from = tf.azurermPin()
	}
	az.Unused = p == nil && tf.azurermUnused()
	if p != nil && !p.Implicit {
		if v := p.Attrs["resource_provider_registrations"]; v.Kind == tfconfig.Literal {
			az.Registrations = v.Text
		}
		if v := p.Attrs["resource_providers_to_register"]; v.Kind == tfconfig.Literal {
			az.ProvidersToRegister = v.List
		}
		if b, ok := p.Attrs["skip_provider_registration"].Bool(); ok {
			az.SkipRegistration = &b
		}
		if az.Registrations != "" || az.ProvidersToRegister != nil || az.SkipRegistration != nil {
			from = append(from, "provider \"azurerm\" block")
		}
	}
	az.Source = strings.Join(from, ", ")
	return az
}

// azurermPin is how much of azurerm's version the constraints pin
// together, the root's and the local modules' (init installs one release
// that meets them all), and where they are; "" when none pins it or they
// disagree.
func (tf terraform) azurermPin() (string, []string) {
	reqs := []tfconfig.Requirement{tf.c.RequiredProviders["azurerm"]}
	for _, m := range tf.c.Modules {
		reqs = append(reqs, m.RequiredProviders["azurerm"])
	}
	pin, from := "", []string(nil)
	for _, rq := range reqs {
		v := ""
		if rq.Version.Kind == tfconfig.Literal {
			v = pinnedVersion(rq.Version.Text)
		}
		switch {
		case v == "":
			continue
		case pin == "" || strings.HasPrefix(v, pin+"."):
			pin = v
		case v != pin && !strings.HasPrefix(pin, v+"."):
			return "", nil // 3 and 4: no release meets both, and init says so
		}
		from = append(from, rq.Pos)
	}
	return pin, from
}

// azurermUnused reports that the configuration was read whole, modules
// included, and nothing in it names azurerm: no block, requirement, lock
// entry, resource or data source. No configuration at all is not this.
func (tf terraform) azurermUnused() bool {
	c := tf.c
	if !tf.known() || !c.ModulesKnown() {
		return false
	}
	_, required := c.RequiredProviders["azurerm"]
	for _, l := range c.Locked {
		required = required || l.Name() == "azurerm"
	}
	for _, p := range c.Providers {
		required = required || p.Name == "azurerm"
	}
	for _, m := range c.Modules {
		required = required || slices.Contains(m.Uses, "azurerm")
	}
	return !required
}

// pinnedVersion is how much of a version a constraint pins: "= 4.27.0" or
// "4.27.0" all of it, "~> 4.27.0" 4.27, "~> 4.27" 4; any other constraint
// (a range) pins nothing.
func pinnedVersion(constraint string) string {
	c := strings.TrimSpace(constraint)
	if strings.Contains(c, ",") || strings.ContainsAny(c, "<>!") && !strings.HasPrefix(c, "~>") {
		return ""
	}
	pessimistic := strings.HasPrefix(c, "~>")
	v := strings.TrimSpace(strings.TrimLeft(c, "~>= v"))
	parts := strings.Split(v, ".")
	for _, p := range parts {
		if p == "" || strings.Trim(p, "0123456789") != "" {
			return ""
		}
	}
	if pessimistic {
		if len(parts) < 2 {
			return ""
		}
		parts = parts[:len(parts)-1]
	}
	return strings.Join(parts, ".")
}
