package check_test

import (
	"os/exec"
	"sort"
	"strings"
	"testing"
)

// The dependency boundaries of STYLE.md rule 2, enforced the way
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
		if _, ok := got[p]; !ok {
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

func TestDeps(t *testing.T) {
	got := listDeps(t, checkPkg, module)

	t.Run("check", func(t *testing.T) {
		// check/ returns data; presentation (colour, terminals, templates,
		// the renderers) belongs to report/ and main.
		bad := []string{
			"github.com/fatih/color",
			"github.com/mattn/go-isatty",
			"github.com/mattn/go-colorable",
			module + "/report",
			"text/template",
			"html/template",
		}
		for _, p := range forbidden(got[checkPkg].deps, bad) {
			t.Errorf("%s depends on %s; check/ must produce data, not text (STYLE.md rule 2)", checkPkg, p)
		}
		// github.com/pkg/browser (which opens a web browser via os/exec) is
		// reached only through azidentity → MSAL apps/public, which imports
		// it unconditionally for interactive login. We cannot drop it without
		// dropping azidentity; the linker keeps only its init and two vars
		// (about 140 bytes, see .ci/bench). What we can hold is that check/
		// itself never imports it, nor any other interactive-login helper.
		for _, p := range []string{"github.com/pkg/browser", "os/exec"} {
			if got[checkPkg].imports[p] {
				t.Errorf("%s imports %s directly; the doctor never opens a browser or runs a command", checkPkg, p)
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
