package tfconfig

import (
	"fmt"
	"sort"
	"strings"

	"github.com/oidc-doctor/oidc-doctor/check/diag"
)

// Skipped is the step's result when it does not run (--dir not used by a
// subcommand, say); why says which.
func Skipped(why string) diag.Result { return diag.Skipped(id, title, why) }

// result is the terraform-config check: what was read, and what could not be.
func (c *Config) result() diag.Result {
	r := diag.Result{ID: id, Title: title, Facts: []diag.Fact{diag.F("directory", c.Dir)}}
	if !c.Found && len(c.Problems) == 0 {
		r.Status = diag.StatusSkip
		r.Summary = "skipped: no *.tf or *.tf.json file in " + c.Dir + "; settings are judged from the environment alone"
		r.Hint = "run the doctor in the Terraform project root (the before_init hook does), or pass it with --dir"
		return r
	}
	r.Facts = append(r.Facts, c.facts()...)
	if ms := c.moduleFacts(); len(ms) > 0 {
		r.Facts = append(r.Facts, diag.F("modules", capList(ms, 12)))
	}
	for _, p := range c.Problems {
		r.Facts = append(r.Facts, diag.F("not read", p.String()))
	}
	r.Status, r.Summary = diag.StatusPass, c.summary()
	if len(c.Problems) > 0 {
		var ps []string
		for _, p := range c.Problems {
			ps = append(ps, p.String())
		}
		r.Status = diag.StatusWarn
		r.Summary = strings.Join(ps, "; ")
		if len(ps) > 3 {
			r.Summary = strings.Join(ps[:3], "; ") + fmt.Sprintf("; and %d more", len(ps)-3)
		}
		r.Hint = "settings in what was not read are not judged, and a setting that seems absent may be there. " +
			"Terraform refuses a file with a syntax error, binary content or an invalid TF_CLI_ARGS too; fix those first"
	}
	return r
}

func (c *Config) summary() string {
	var parts []string
	switch {
	case c.Backend != nil:
		parts = append(parts, c.Backend.Type+" backend ("+c.Backend.Pos+")")
	case c.Cloud:
		parts = append(parts, "a cloud block (HCP Terraform holds the state)")
	default:
		parts = append(parts, "no backend block (local state)")
	}
	var provs []string
	for _, p := range c.Providers {
		provs = append(provs, p.Who())
	}
	if len(provs) > 0 {
		parts = append(parts, strings.Join(provs, ", "))
	}
	return fmt.Sprintf("read %d file(s) in %s: %s", len(c.Files), c.Dir, strings.Join(parts, "; "))
}

func (c *Config) facts() []diag.Fact {
	var fs []diag.Fact
	add := func(k, v string) {
		if v != "" {
			fs = append(fs, diag.F(k, v))
		}
	}
	add("files", strings.Join(c.Files, ", "))
	if c.RequiredVersion.IsSet() {
		add("required_version", c.RequiredVersion.Describe()+" ("+c.RequiredVersion.Pos+")")
	}
	names := make([]string, 0, len(c.RequiredProviders))
	for n := range c.RequiredProviders {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		rq := c.RequiredProviders[n]
		add("required provider "+n, strings.TrimSpace(diag.FirstNonEmpty(rq.Source, n)+" "+rq.Version.Describe()))
	}
	for _, l := range c.Locked {
		add("locked "+l.Name(), l.Version+" ("+lockFile+")")
	}
	if c.Backend != nil {
		add("backend", c.Backend.Type+" ("+c.Backend.Pos+")")
	}
	for _, p := range c.Providers {
		where := p.Pos
		if p.Implicit {
			where = "no block: resources use it, configured from the environment"
		}
		add(p.Who(), where)
	}
	add("resource types", capList(c.Resources, 12))
	add("data source types", capList(c.DataSources, 12))
	add("extra init arguments", strings.Join(c.CLI.Vars, ", "))
	if len(c.CLI.BackendConfig) > 0 {
		add("-backend-config", capList(sortedValueKeys(c.CLI.BackendConfig), 20))
	}
	if c.CLI.BackendDisabled {
		add("-backend", "false: init configures no backend")
	}
	add("workflow tool", diag.FirstNonEmpty(c.Runtime.Tool, "unknown")+" ("+c.Runtime.ToolFrom+")")
	if c.Runtime.Version != "" {
		add("tool version", c.Runtime.Version+" ("+c.Runtime.VersionFrom+")")
	}
	if c.Runtime.Workflow != "" {
		add("custom workflow", c.Runtime.Workflow+" (its commands are not read)")
	}
	for _, u := range c.Runtime.Unreadable {
		add("version", u)
	}
	return fs
}

func sortedValueKeys(m map[string]Value) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func capList(xs []string, n int) string {
	if len(xs) > n {
		return strings.Join(xs[:n], ", ") + fmt.Sprintf(" and %d more", len(xs)-n)
	}
	return strings.Join(xs, ", ")
}
