package tfconfig

// Which tool (Terraform or OpenTofu) and which version will run init. The
// doctor cannot run terraform, so it reads what the repository says:
// required_version, and the stack's runtime configuration in
// .spacelift/config.yml (terraform_workflow_tool, terraform_version,
// opentofu_version; https://docs.spacelift.io/concepts/configuration/runtime-configuration).
// Spacelift runs only MPL-licensed Terraform releases, up to 1.5.7, for the
// TERRAFORM_FOSS tool
// (https://docs.spacelift.io/vendors/terraform/version-management), which
// is why those stacks run the ≤ 1.10 azurerm backend code.

import (
	"bufio"
	"bytes"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/oidc-doctor/oidc-doctor/check/diag"
)

// Tools, as Runtime.Tool names them.
const (
	ToolTerraform = "terraform"
	ToolOpenTofu  = "opentofu"
)

// lastMPL is the last Terraform release under the MPL.
var lastMPL = version{1, 5, 7}

// Runtime is what the repository says about the tool and version that run init.
type Runtime struct {
	// Tool is ToolTerraform or ToolOpenTofu, or "" when nothing says (both
	// are judged then).
	Tool string
	// ToolFrom says where Tool comes from, or why it is unknown.
	ToolFrom string
	// Version is the runtime configuration's version setting, if any.
	Version string
	// VersionFrom says where Version comes from.
	VersionFrom string
	// Unreadable says why a version setting is not used ("" when all were).
	Unreadable []string
	// Workflow is the path of .spacelift/workflow.yml when the repository
	// has one: a CUSTOM workflow's init command may pass arguments of its own.
	Workflow string

	foss        bool
	constraints [][]condition
}

// Admits reports whether a release of tool in [from, before) can run init,
// given what the repository says. from and before are versions ("1.11.0");
// an empty before means no upper bound.
func (r Runtime) Admits(tool, from, before string) bool {
	if r.Tool != "" && r.Tool != tool {
		return false
	}
	lo, _, err1 := parseVersion(from)
	hi, _, err2 := parseVersion(before)
	if err1 != nil || (before != "" && err2 != nil) {
		return false
	}
	for _, v := range candidates {
		if v.less(lo) || (before != "" && !v.less(hi)) {
			continue
		}
		if tool == ToolTerraform && r.foss && lastMPL.less(v) {
			continue
		}
		ok := true
		for _, cs := range r.constraints {
			ok = ok && admitsAll(cs, v)
		}
		if ok {
			return true
		}
	}
	return false
}

// addConstraint adds a constraint that every version must meet; one that
// cannot be parsed is noted and ignored (judging both behaviours then).
func (r *Runtime) addConstraint(s, from string) {
	cs, err := parseConstraint(s)
	if err != nil {
		r.Unreadable = append(r.Unreadable, from+" "+quote(s)+" is not a version constraint the doctor reads")
		return
	}
	r.constraints = append(r.constraints, cs)
}

func quote(s string) string { return `"` + diag.Truncate(s, 60) + `"` }

// maxRuntimeYAML bounds .spacelift/config.yml.
const maxRuntimeYAML = 1 << 20

// readRuntime finds .spacelift/config.yml in dir or a parent (the file lives
// at the repository root; the hook runs in the project root below it) and
// reads the stack's tool and version.
func readRuntime(dir, stack string, required Value) (Runtime, *Problem) {
	rt := Runtime{ToolFrom: "not set in the repository (.spacelift/config.yml); the stack's settings decide"}
	if required.Kind == Literal {
		rt.addConstraint(required.Text, "required_version ("+required.Pos+")")
	}
	path, src, p := findRuntimeYAML(dir)
	if w := filepath.Join(filepath.Dir(path), "workflow.yml"); path != "" {
		if _, err := os.Stat(w); err == nil {
			rt.Workflow = w
		}
	}
	if p != nil || src == nil {
		return rt, p
	}
	kv := yamlScalars(src)
	get := func(key string) (string, string) {
		for _, k := range []string{"stacks." + stack + "." + key, "stack_defaults." + key} {
			if v, ok := kv[k]; ok && (stack != "" || strings.HasPrefix(k, "stack_defaults.")) {
				return v, path + " (" + k + ")"
			}
		}
		return "", ""
	}
	switch tool, from := get("terraform_workflow_tool"); tool {
	case "OPEN_TOFU":
		rt.Tool, rt.ToolFrom = ToolOpenTofu, from
	case "TERRAFORM_FOSS":
		rt.Tool, rt.ToolFrom, rt.foss = ToolTerraform, from, true
	case "CUSTOM":
		rt.ToolFrom = from + ": CUSTOM, .spacelift/workflow.yml runs its own binary"
	}
	key := "terraform_version"
	if rt.Tool == ToolOpenTofu {
		key = "opentofu_version"
	}
	if v, from := get(key); v != "" {
		rt.Version, rt.VersionFrom = v, from
		rt.addConstraint(v, from)
	}
	return rt, nil
}

// findRuntimeYAML walks up from dir, at most 8 levels and not past a
// repository root (a directory holding .git), looking for a .spacelift
// directory. It returns the path of its config.yml (which may not exist:
// src is then nil) and the file's content.
func findRuntimeYAML(dir string) (string, []byte, *Problem) {
	d, err := filepath.Abs(dir)
	if err != nil {
		return "", nil, nil
	}
	for range 8 {
		p := filepath.Join(d, ".spacelift", "config.yml")
		if st, err := os.Stat(filepath.Dir(p)); err == nil && st.IsDir() {
			if _, err := os.Stat(p); err != nil {
				return p, nil, nil
			}
			budget := int64(maxRuntimeYAML)
			src, prob := readBounded(filepath.Dir(p), "config.yml", &budget)
			if prob != nil {
				prob.File = p
				return p, nil, prob
			}
			return p, src, nil
		}
		if _, err := os.Stat(filepath.Join(d, ".git")); !errors.Is(err, fs.ErrNotExist) {
			return "", nil, nil
		}
		parent := filepath.Dir(d)
		if parent == d {
			break
		}
		d = parent
	}
	return "", nil, nil
}

// yamlScalars reads the scalar values of nested block mappings in a YAML
// document, keyed by their dotted path ("stack_defaults.terraform_version").
// It is the small subset runtime configuration uses for these keys: no
// flow collections, anchors or multi-document streams; sequences and block
// scalars are skipped, with everything under them.
func yamlScalars(src []byte) map[string]string {
	type level struct {
		indent int
		key    string
	}
	out := map[string]string{}
	var stack []level
	skipAbove := -1 // inside a block scalar or a sequence item: skip deeper lines
	sc := bufio.NewScanner(bytes.NewReader(src))
	sc.Buffer(make([]byte, 64<<10), maxRuntimeYAML)
	for sc.Scan() {
		line := strings.TrimRight(sc.Text(), " \t\r")
		content := strings.TrimLeft(line, " ")
		indent := len(line) - len(content)
		if content == "" || strings.HasPrefix(content, "#") {
			continue
		}
		if skipAbove >= 0 && indent > skipAbove {
			continue
		}
		skipAbove = -1
		for len(stack) > 0 && stack[len(stack)-1].indent >= indent {
			stack = stack[:len(stack)-1]
		}
		if strings.HasPrefix(content, "- ") || content == "-" {
			skipAbove = indent
			continue
		}
		key, val, ok := strings.Cut(content, ":")
		if !ok || (val != "" && val[0] != ' ' && val[0] != '\t') {
			continue
		}
		key = unquoteYAML(strings.TrimSpace(key))
		val = stripYAMLComment(strings.TrimSpace(val))
		switch {
		case val == "":
			stack = append(stack, level{indent, key})
		case strings.HasPrefix(val, "|") || strings.HasPrefix(val, ">"):
			skipAbove = indent
		default:
			path := key
			if len(stack) > 0 {
				var parts []string
				for _, l := range stack {
					parts = append(parts, l.key)
				}
				path = strings.Join(parts, ".") + "." + key
			}
			out[path] = unquoteYAML(val)
		}
	}
	return out
}

func stripYAMLComment(v string) string {
	if v != "" && (v[0] == '"' || v[0] == '\'') {
		if end := strings.IndexByte(v[1:], v[0]); end >= 0 {
			return v[:end+2]
		}
		return v
	}
	if i := strings.Index(v, " #"); i >= 0 {
		v = strings.TrimSpace(v[:i])
	}
	return v
}

func unquoteYAML(v string) string {
	if len(v) >= 2 && (v[0] == '"' && v[len(v)-1] == '"' || v[0] == '\'' && v[len(v)-1] == '\'') {
		return v[1 : len(v)-1]
	}
	return v
}
