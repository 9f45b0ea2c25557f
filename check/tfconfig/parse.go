package tfconfig

// Parsing one file's body (native syntax or JSON) into the parts of Config
// the doctor judges. Blocks and attributes it does not know are ignored, as
// Terraform's own partial decoding does for later stages.

import (
	"sort"
	"strconv"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	hcljson "github.com/hashicorp/hcl/v2/json"
	"github.com/oidc-doctor/oidc-doctor/check/diag"
	"github.com/zclconf/go-cty/cty"
)

var rootSchema = &hcl.BodySchema{Blocks: []hcl.BlockHeaderSchema{
	{Type: "terraform"},
	{Type: "provider", LabelNames: []string{"name"}},
	{Type: "resource", LabelNames: []string{"type", "name"}},
	{Type: "data", LabelNames: []string{"type", "name"}},
	{Type: "module", LabelNames: []string{"name"}},
}}

var terraformSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{{Name: "required_version"}},
	Blocks: []hcl.BlockHeaderSchema{
		{Type: "backend", LabelNames: []string{"type"}},
		{Type: "cloud"},
		{Type: "required_providers"},
	},
}

// ProviderTypes are the providers whose blocks are read: the ones that
// sign in to Entra ID with the run's token.
var ProviderTypes = []string{"azurerm", "azuread", "azapi"}

// parseHCL parses src as native syntax or JSON. A syntax error is a Problem
// at its line; the file is then not judged at all, since Terraform refuses it.
func parseHCL(name string, src []byte, isJSON bool) (*hcl.File, *Problem) {
	var (
		f     *hcl.File
		diags hcl.Diagnostics
	)
	if isJSON {
		f, diags = hcljson.Parse(src, name)
	} else {
		f, diags = hclsyntax.ParseConfig(src, name, hcl.InitialPos)
	}
	if diags.HasErrors() {
		return nil, diagProblem(name, diags)
	}
	return f, nil
}

// diagProblem is the first error of diags as a Problem naming file:line.
func diagProblem(name string, diags hcl.Diagnostics) *Problem {
	for _, d := range diags {
		if d.Severity != hcl.DiagError {
			continue
		}
		p := &Problem{File: name, Msg: "syntax error: " + diag.Truncate(d.Summary, 200)}
		if d.Detail != "" {
			p.Msg += ": " + diag.Truncate(d.Detail, 200)
		}
		if d.Subject != nil {
			p.Line = d.Subject.Start.Line
		}
		p.Msg += " (terraform init fails on it too; the doctor judges nothing in this file)"
		return p
	}
	return &Problem{File: name, Msg: "could not be parsed"}
}

// addFile merges one parsed file into c. Override files replace attributes
// of blocks already seen, as Terraform merges them.
func (c *Config) addFile(f configFile, file *hcl.File, src []byte) {
	content, _, _ := file.Body.PartialContent(rootSchema)
	if content == nil {
		return
	}
	for _, b := range content.Blocks {
		switch b.Type {
		case "terraform":
			c.addTerraform(f, b, src)
		case "provider":
			c.addProvider(f, b, src)
		case "resource":
			c.resources[b.Labels[0]] = true
		case "data":
			c.dataSources[b.Labels[0]] = true
		case "module":
			c.calls = append(c.calls, moduleCall{name: b.Labels[0], pos: posOf(f.name, b.DefRange),
				source: attrsOf(b.Body, src, f.name)["source"]})
		}
	}
}

func (c *Config) addTerraform(f configFile, b *hcl.Block, src []byte) {
	content, _, _ := b.Body.PartialContent(terraformSchema)
	if content == nil {
		return
	}
	if a, ok := content.Attributes["required_version"]; ok {
		c.RequiredVersion = valueOf(a.Name, a, src, f.name)
	}
	for _, blk := range content.Blocks {
		switch blk.Type {
		case "backend":
			// An override file's backend block replaces the original whole
			// (https://developer.hashicorp.com/terraform/language/files/override#merging-terraform-blocks).
			c.Backend = &Backend{Type: blk.Labels[0], Pos: posOf(f.name, blk.DefRange), Block: attrsOf(blk.Body, src, f.name)}
			c.Cloud = false
		case "cloud":
			c.Backend, c.Cloud = nil, true
		case "required_providers":
			c.addRequiredProviders(f, blk, src)
		}
	}
}

// addRequiredProviders reads { azurerm = { source = "...", version = "..." } }
// and the legacy form azurerm = "~> 3.0".
func (c *Config) addRequiredProviders(f configFile, b *hcl.Block, src []byte) {
	attrs, _ := b.Body.JustAttributes()
	for name, a := range attrs {
		req := Requirement{Pos: posOf(f.name, a.Range)}
		v, diags := a.Expr.Value(noScope)
		switch {
		case diags.HasErrors() || !v.IsWhollyKnown():
			req.Version = Value{Kind: Expression, Pos: req.Pos}
		case v.IsNull():
		case v.Type().IsObjectType():
			req.Source = objectString(v, "source")
			if t := objectString(v, "version"); t != "" {
				req.Version = Value{Kind: Literal, Text: t, Pos: req.Pos}
			}
		case v.Type() == cty.String:
			req.Version = Value{Kind: Literal, Text: v.AsString(), Pos: req.Pos}
		}
		c.RequiredProviders[name] = req
	}
}

// objectString is the string attribute key of a known object, or "".
func objectString(v cty.Value, key string) string {
	if !v.Type().HasAttribute(key) {
		return ""
	}
	s := v.GetAttr(key)
	if s.IsNull() || s.Type() != cty.String {
		return ""
	}
	return s.AsString()
}

func (c *Config) addProvider(f configFile, b *hcl.Block, src []byte) {
	name := b.Labels[0]
	if !isProviderType(name) {
		return
	}
	attrs := attrsOf(b.Body, src, f.name)
	alias := attrs["alias"].Text
	for i := range c.Providers {
		p := &c.Providers[i]
		if p.Name == name && p.Alias == alias {
			if f.override {
				for k, v := range attrs {
					p.Attrs[k] = v
				}
			}
			return // a duplicate outside override files: Terraform refuses it
		}
	}
	c.Providers = append(c.Providers, Provider{Name: name, Alias: alias, Pos: posOf(f.name, b.DefRange), Attrs: attrs})
}

func isProviderType(name string) bool {
	for _, t := range ProviderTypes {
		if t == name {
			return true
		}
	}
	return false
}

// attrsOf reads every attribute of a block body. Nested blocks (features
// {}) are not attributes; the diagnostics saying so are dropped.
func attrsOf(body hcl.Body, src []byte, file string) map[string]Value {
	attrs, _ := body.JustAttributes()
	out := make(map[string]Value, len(attrs))
	for name, a := range attrs {
		if v := valueOf(name, a, src, file); v.IsSet() {
			out[name] = v
		}
	}
	return out
}

func posOf(file string, r hcl.Range) string {
	return file + ":" + strconv.Itoa(r.Start.Line)
}

// finish turns the sets gathered while parsing into sorted lists.
func (c *Config) finish() {
	c.Resources = sortedKeys(c.resources)
	c.DataSources = sortedKeys(c.dataSources)
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
