package check_test

import (
	"os/exec"
	"sort"
	"strings"
	"testing"
)

// The dependency boundaries of the layout, enforced the way
// cmd/crane/depcheck_test.go and cmd/tailscale/deps_test.go do: ask the go
// command for the import graph and fail on a package that must not be there.
// The binary's own test lives here too, because only main_test.go may sit in
// the module root.

const (
	module   = "github.com/oidc-doctor/oidc-doctor"
	checkPkg = module + "/check"
)

// pkgInfo is one package's direct imports and full dependency closure.
type pkgInfo struct {
	imports, deps map[string]bool
}

// listDeps runs one `go list` for all of pkgs (well under a second with a
// warm cache) and skips the test where there is no go command on PATH.
// Patterns such as ./check/... are allowed.
func listDeps(t *testing.T, pkgs ...string) map[string]pkgInfo {
	t.Helper()
	gobin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command on PATH")
	}
	args := append([]string{"list", "-f", `{{.ImportPath}}|{{join .Imports " "}}|{{join .Deps " "}}`}, pkgs...)
	cmd := exec.Command(gobin, args...)
	cmd.Dir = ".." // the module root; the test runs in check/
	out, err := cmd.Output()
	if err != nil {
		if ee, ok := err.(*exec.ExitError); ok {
			t.Fatalf("go list: %v\n%s", err, ee.Stderr)
		}
		t.Fatalf("go list: %v", err)
	}
	set := func(s string) map[string]bool {
		m := map[string]bool{}
		for _, p := range strings.Fields(s) {
			m[p] = true
		}
		return m
	}
	got := map[string]pkgInfo{}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		f := strings.SplitN(line, "|", 3)
		if len(f) != 3 {
			t.Fatalf("go list: unexpected line %q", line)
		}
		got[f[0]] = pkgInfo{imports: set(f[1]), deps: set(f[2])}
	}
	for _, p := range pkgs {
		if _, ok := got[p]; !ok && !strings.Contains(p, "...") {
			t.Fatalf("go list: no entry for %s", p)
		}
	}
	return got
}

// forbidden reports the packages in deps that equal one of bad or sit under it.
func forbidden(deps map[string]bool, bad []string) []string {
	var hits []string
	for p := range deps {
		for _, b := range bad {
			if p == b || strings.HasPrefix(p, b+"/") {
				hits = append(hits, p)
			}
		}
	}
	sort.Strings(hits)
	return hits
}

// The layout of check/ (README, Development): leaves hold what every step
// shares; every other package under check/ is a step, and a step never
// reaches another step: the root passes values from one to the next. A new
// package under check/ is a step unless it is added to leaves.
var leaves = map[string]bool{
	checkPkg + "/diag":      true, // the data every step returns
	checkPkg + "/redact":    true, // masking secrets and ids
	checkPkg + "/spacelift": true, // the subject grammar
	checkPkg + "/transport": true, // HTTP, retries, paging, network faults
	checkPkg + "/fixes":     true, // paste-ready az and Terraform
	checkPkg + "/explain":   true, // what a service's answer means
	checkPkg + "/signin":    true, // a failed token request, read through explain and transport
	checkPkg + "/emulator":  true, // the emulated services (tests and demo)
	checkPkg + "/roles":     true, // built-in Azure roles, action matching, least privilege
	checkPkg + "/graph":     true, // Graph scopes, directory roles, azuread's permissions
}

// isStep reports whether p is a step package.
func isStep(p string) bool {
	return strings.HasPrefix(p, checkPkg+"/") && !leaves[p] && !strings.HasPrefix(p, checkPkg+"/internal/")
}

// ours lists the module's packages in deps, sorted.
func ours(deps map[string]bool) []string {
	var out []string
	for p := range deps {
		if p == module || strings.HasPrefix(p, module+"/") {
			out = append(out, p)
		}
	}
	sort.Strings(out)
	return out
}

func TestDeps(t *testing.T) {
	got := listDeps(t, "./check/...", module, module+"/report")
	var steps []string
	for p := range got {
		if isStep(p) {
			steps = append(steps, p)
		}
	}
	sort.Strings(steps)
	if len(steps) < 5 {
		t.Fatalf("found steps %v; want at least token, settings, issuer, entra and rbac", steps)
	}

	t.Run("leaves import nothing of the project", func(t *testing.T) {
		for _, p := range []string{checkPkg + "/diag", checkPkg + "/redact", checkPkg + "/spacelift"} {
			for _, d := range ours(got[p].deps) {
				t.Errorf("%s depends on %s; it must import nothing of the project", p, d)
			}
		}
	})

	t.Run("roles is data and pure functions", func(t *testing.T) {
		allowed := map[string]bool{checkPkg + "/diag": true, checkPkg + "/fixes": true, checkPkg + "/spacelift": true}
		for _, d := range ours(got[checkPkg+"/roles"].deps) {
			if !allowed[d] {
				t.Errorf("%s/roles depends on %s; it may use diag and fixes only", checkPkg, d)
			}
		}
		for _, d := range forbidden(got[checkPkg+"/roles"].deps, []string{"net/http", "github.com/Azure", "github.com/AzureAD"}) {
			t.Errorf("%s/roles depends on %s", checkPkg, d)
		}
	})

	t.Run("graph is data and pure functions", func(t *testing.T) {
		for _, d := range ours(got[checkPkg+"/graph"].deps) {
			t.Errorf("%s/graph depends on %s; it imports nothing of the project", checkPkg, d)
		}
		for _, d := range forbidden(got[checkPkg+"/graph"].deps, []string{"net/http", "github.com/Azure", "github.com/AzureAD"}) {
			t.Errorf("%s/graph depends on %s", checkPkg, d)
		}
	})

	t.Run("token does no network I/O and uses no Azure SDK", func(t *testing.T) {
		// crypto/x509 (through golang-jwt) brings in package net for IP
		// addresses, so net is allowed in the closure but not imported.
		bad := []string{"net/http", "github.com/Azure", "github.com/AzureAD", checkPkg + "/transport"}
		for _, d := range forbidden(got[checkPkg+"/token"].deps, bad) {
			t.Errorf("%s/token depends on %s", checkPkg, d)
		}
		if got[checkPkg+"/token"].imports["net"] {
			t.Errorf("%s/token imports net", checkPkg)
		}
	})

	t.Run("explain works on answers, not on requests", func(t *testing.T) {
		bad := []string{checkPkg + "/transport", "github.com/Azure/azure-sdk-for-go/sdk/azcore", "github.com/Azure/azure-sdk-for-go/sdk/azidentity", "github.com/AzureAD"}
		for _, d := range forbidden(got[checkPkg+"/explain"].deps, bad) {
			t.Errorf("%s/explain depends on %s; it reads status codes, bodies and text only", checkPkg, d)
		}
		for _, d := range ours(got[checkPkg+"/explain"].deps) {
			if isStep(d) || d == checkPkg {
				t.Errorf("%s/explain depends on %s; a leaf never depends on a step", checkPkg, d)
			}
		}
	})

	t.Run("no step reaches another step", func(t *testing.T) {
		for _, s := range steps {
			for _, d := range ours(got[s].deps) {
				if isStep(d) || d == checkPkg {
					t.Errorf("%s depends on %s; the root passes values between steps", s, d)
				}
			}
		}
	})

	t.Run("leaves never reach a step", func(t *testing.T) {
		for l := range leaves {
			for _, d := range ours(got[l].deps) {
				if isStep(d) || d == checkPkg {
					t.Errorf("%s depends on %s", l, d)
				}
			}
		}
	})

	t.Run("report renders diag and explain data only", func(t *testing.T) {
		allowed := map[string]bool{checkPkg + "/diag": true, checkPkg + "/explain": true, checkPkg + "/redact": true}
		for p := range got[module+"/report"].imports {
			if strings.HasPrefix(p, module+"/") && !allowed[p] {
				t.Errorf("report imports %s; it may import diag, explain and redact only", p)
			}
		}
		for _, d := range ours(got[module+"/report"].deps) {
			if d == checkPkg || d == checkPkg+"/transport" || isStep(d) {
				t.Errorf("report depends on %s", d)
			}
		}
	})

	t.Run("main wires the root, never a step", func(t *testing.T) {
		for p := range got[module].imports {
			if isStep(p) {
				t.Errorf("main imports step %s; call it through package check", p)
			}
		}
	})

	t.Run("check produces data, not text", func(t *testing.T) {
		// Presentation (colour, terminals, templates, the renderers)
		// belongs to report/ and main.
		bad := []string{
			"github.com/fatih/color",
			"github.com/mattn/go-isatty",
			"github.com/mattn/go-colorable",
			module + "/report",
			"text/template",
			"html/template",
		}
		for p, info := range got {
			if p != checkPkg && !strings.HasPrefix(p, checkPkg+"/") {
				continue
			}
			for _, d := range forbidden(info.deps, bad) {
				t.Errorf("%s depends on %s; check/ must produce data, not text", p, d)
			}
			// github.com/pkg/browser (which opens a web browser via
			// os/exec) is reached only through azidentity → MSAL
			// apps/public, which imports it unconditionally for interactive
			// login. What we can hold is that check/ itself never imports
			// it, nor os/exec.
			for _, d := range []string{"github.com/pkg/browser", "os/exec"} {
				if info.imports[d] {
					t.Errorf("%s imports %s directly; the doctor never opens a browser or runs a command", p, d)
				}
			}
		}
	})

	t.Run("binary", func(t *testing.T) {
		// Test-only packages and packages nothing in the binary needs.
		// net/http/httptest matters because check/emulator ships in the
		// binary (oidc-doctor demo): it must serve with net/http alone.
		bad := []string{
			"testing",
			"net/http/httptest",
			"github.com/google/go-cmp",
			"github.com/rogpeppe/go-internal",
			"github.com/yuin/goldmark",
			"html/template",
			"text/template",
			"net/rpc",
			"expvar",
			"net/http/pprof",
			"golang.org/x/tools",
		}
		for _, p := range forbidden(got[module].deps, bad) {
			t.Errorf("the oidc-doctor binary depends on %s, which it does not need", p)
		}
	})
}
