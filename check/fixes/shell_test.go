package fixes

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// runSh runs script with sh -e, az being a shell function that records its
// arguments and prints list for any list command (nothing else prints), and
// returns the recorded calls in order.
func runSh(t *testing.T, script, list string) [][]string {
	t.Helper()
	sh, err := exec.LookPath("sh")
	if err != nil {
		t.Skip("no sh")
	}
	log := filepath.Join(t.TempDir(), "calls")
	az := `az() { for a in "$@"; do printf '%s\037' "$a"; done >>"$AZ_LOG"; printf '\036' >>"$AZ_LOG"; ` +
		`case "$3$4" in *list*) printf '%s' "$AZ_LIST";; esac; }` + "\n"
	cmd := exec.Command(sh, "-e", "-c", az+script)
	cmd.Env = append(os.Environ(), "AZ_LOG="+log, "AZ_LIST="+list)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("sh: %v\n%s\nscript:\n%s", err, out, script)
	}
	b, err := os.ReadFile(log)
	if err != nil {
		t.Fatal(err)
	}
	var calls [][]string
	for _, c := range strings.Split(strings.TrimSuffix(string(b), "\036"), "\036") {
		calls = append(calls, strings.Split(strings.TrimSuffix(c, "\037"), "\037"))
	}
	return calls
}

// TestFICUpdateFindsTheCredential runs each in-place update through sh with
// hostile values: the query reaches az intact, and the name the look-up
// prints is the credential updated.
func TestFICUpdateFindsTheCredential(t *testing.T) {
	iss := `https://acme.app.spacelift.io`
	sub := "space:root:stack:it's $x:run_type:TRACKED:scope:write"
	for _, tt := range []struct {
		m          Match
		list, want string
		query      string
	}{
		{MatchAudience, "fic-1\n", "fic-1", "[?issuer==" + JMESString(iss) + " && subject==" + JMESString(sub) + "].name | [0]"},
		{MatchIssuer, "fic-2\n", "fic-2", "[?subject==" + JMESString(sub) + " && issuer!=" + JMESString(iss) + " && contains(issuer, 'acme.app.spacelift.io')].name | [0]"},
		{MatchSubjectCase, "other\tspace:root:stack:x:run_type:TASK:scope:write\nfic-3\t" + strings.Replace(sub, "TRACKED", "tracked", 1) + "\n", "fic-3", "[?issuer==" + JMESString(iss) + "].[name, subject]"},
	} {
		f := FICUpdate("app id", iss, sub, "acme.app.spacelift.io", tt.m)
		calls := runSh(t, f.Text, tt.list)
		if len(calls) != 2 {
			t.Fatalf("match %d: calls %q", tt.m, calls)
		}
		if got := calls[0]; len(got) != 10 || got[4] != "--id" || got[5] != "app id" || got[7] != tt.query {
			t.Errorf("match %d: list call %q, want query %s", tt.m, got, tt.query)
		}
		up := calls[1]
		if len(up) != 10 || up[3] != "update" || up[7] != tt.want {
			t.Errorf("match %d: update call %q, want id %s", tt.m, up, tt.want)
			continue
		}
		var p ficParams
		if err := json.Unmarshal([]byte(up[9]), &p); err != nil || p.Subject != sub || p.Issuer != iss {
			t.Errorf("match %d: parameters %s (%v)", tt.m, up[9], err)
		}
	}
}

// TestIdentityLookupThroughShell checks the look-up is one command that
// runs whatever the value is.
func TestIdentityLookupThroughShell(t *testing.T) {
	fs := IdentityLookup("7d4c2e9f-1a6b-4b3e-9c8d-5f0a2e7b1c64", "5c2a7e14-9b3d-4f61-8a0e-3d7c91b2e6f4", Setting{}, Setting{})
	calls := runSh(t, fs[0].Text, "")
	if len(calls) != 3 || strings.Join(calls[0][:4], " ") != "ad app show --id" || strings.Join(calls[1][:3], " ") != "ad sp show" || calls[2][0] != "account" {
		t.Errorf("calls %q", calls)
	}
	if !strings.Contains(fs[1].Text, "ARM_CLIENT_ID="+PrintedClientID) || !strings.Contains(fs[2].Text, "ARM_TENANT_ID="+PrintedTenantID) {
		t.Errorf("follow-ups: %+v", fs[1:])
	}
}

func TestQueryQuoting(t *testing.T) {
	for in, want := range map[string]string{
		"[?a=='b' && c!='d']": `"[?a=='b' && c!='d']"`,
		"[?a=='$x']":          `'[?a=='\''$x'\'']'`,
		"[?!a]":               `'[?!a]'`,
		`[?a=='\\']`:          `'[?a=='\''\\'\'']'`,
	} {
		if got := Query(in); got != want {
			t.Errorf("Query(%s) = %s, want %s", in, got, want)
		}
	}
	if got := JMESString(`it's \ `); got != `'it\'s \\ '` {
		t.Errorf("JMESString = %s", got)
	}
}
