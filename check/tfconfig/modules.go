package tfconfig

// The root module's module calls. A local source ("./net", "../shared":
// https://developer.hashicorp.com/terraform/language/modules/sources#local-paths)
// is a directory of the repository, read here the way the root is, for
// what decides which providers init installs: its required_providers and
// the provider types its blocks, resources and data sources name. Local
// modules it calls are read too, to a bounded depth. A registry, Git or
// other remote source is downloaded by init; the doctor does not fetch it,
// so what it needs stays unknown.

import (
	"path"
	"path/filepath"
	"strings"

	"github.com/oidc-doctor/oidc-doctor/check/diag"
)

// Bounds on the local modules read, beside the shared byte budget.
const (
	maxModules     = 32
	maxModuleDepth = 4
)

// Module is one module call, of the root module or of a local module it
// calls.
type Module struct {
	// Name is the call's label; a nested call is "outer.inner".
	Name string
	// Source is the source literal; "" when it is not a literal.
	Source string
	// Pos is where the call is written.
	Pos string
	// Read reports that Source is a local path whose directory was read
	// completely. False for a remote source, which init downloads and the
	// doctor does not: then what the module needs is not known.
	Read bool
	// RequiredProviders are its terraform { required_providers }, by local name.
	RequiredProviders map[string]Requirement
	// Uses are the provider types of ProviderTypes it names: in
	// required_providers, a provider block, or a resource or data source type.
	Uses []string
}

// moduleCall is a module block as read, before its source is followed.
type moduleCall struct {
	name, pos string
	source    Value
}

// isLocalSource reports a local path source, which Terraform requires to
// start with ./ or ../.
func isLocalSource(s string) bool {
	return strings.HasPrefix(s, "./") || strings.HasPrefix(s, "../")
}

// readModules follows the root's module calls (c.calls), breadth first,
// reading each local module's directory relative to the module that calls
// it; rel is a module's directory relative to the root, for positions.
func (c *Config) readModules(root string, budget *int64) {
	type pending struct {
		call     moduleCall
		prefix   string // the caller's name, "" for the root
		dir, rel string // the caller's directory, and relative to the root
		depth    int
	}
	var queue []pending
	for _, mc := range c.calls {
		queue = append(queue, pending{call: mc, dir: root, rel: "."})
	}
	for len(queue) > 0 {
		if len(c.Modules) >= maxModules {
			c.modulesCut = true
			return
		}
		p := queue[0]
		queue = queue[1:]
		m := Module{Name: p.call.name, Pos: p.call.pos}
		if p.prefix != "" {
			m.Name = p.prefix + "." + m.Name
		}
		if p.call.source.Kind == Literal {
			m.Source = p.call.source.Text
		}
		if !isLocalSource(m.Source) || p.depth >= maxModuleDepth {
			c.Modules = append(c.Modules, m)
			continue
		}
		dir := filepath.Join(p.dir, filepath.FromSlash(m.Source))
		rel := path.Clean(path.Join(p.rel, m.Source))
		sub, ok := readModuleDir(dir, rel, budget)
		if ok {
			m.Read, m.RequiredProviders, m.Uses = true, sub.RequiredProviders, sub.uses()
		}
		c.Modules = append(c.Modules, m)
		for _, mc := range sub.calls {
			queue = append(queue, pending{call: mc, prefix: m.Name, dir: dir, rel: rel, depth: p.depth + 1})
		}
	}
}

// readModuleDir reads a local module's files; ok is false when the
// directory or one of its files could not be read and parsed. Positions
// name the files relative to the root (rel).
func readModuleDir(dir, rel string, budget *int64) (sub *Config, ok bool) {
	sub = &Config{RequiredProviders: map[string]Requirement{}, resources: map[string]bool{}, dataSources: map[string]bool{}}
	files, err := listFiles(dir)
	if err != nil || len(files) == 0 || len(files) > maxFiles {
		return sub, false
	}
	ok = true
	for _, f := range files {
		src, p := readBounded(dir, f.name, budget)
		if p != nil {
			ok = false
			continue
		}
		f.name = path.Join(rel, f.name)
		file, p := parseHCL(f.name, src, f.json)
		if p != nil {
			ok = false
			continue
		}
		sub.addFile(f, file, src)
	}
	return sub, ok
}

// uses are the provider types c names: required, configured, or the
// prefix of a resource or data source type.
func (c *Config) uses() []string {
	var out []string
	for _, name := range ProviderTypes {
		used := false
		for local, rq := range c.RequiredProviders {
			used = used || local == name || strings.HasSuffix(rq.Source, "/"+name)
		}
		for _, p := range c.Providers {
			used = used || p.Name == name
		}
		for t := range c.resources {
			used = used || strings.HasPrefix(t, name+"_")
		}
		for t := range c.dataSources {
			used = used || strings.HasPrefix(t, name+"_")
		}
		if used {
			out = append(out, name)
		}
	}
	return out
}

// ModulesKnown reports that every module call was followed and read: the
// modules' requirements and uses are all there is.
func (c *Config) ModulesKnown() bool {
	for _, m := range c.Modules {
		if !m.Read {
			return false
		}
	}
	return !c.modulesCut
}

// moduleFacts say, per module call, whether it was read.
func (c *Config) moduleFacts() []string {
	var out []string
	for _, m := range c.Modules {
		switch {
		case m.Read:
			out = append(out, m.Name+" ("+m.Source+")")
		case isLocalSource(m.Source):
			out = append(out, m.Name+" ("+m.Source+": not read)")
		default:
			out = append(out, m.Name+" ("+diag.FirstNonEmpty(m.Source, "source set by an expression")+": not fetched, not read)")
		}
	}
	return out
}
