package check_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/oidc-doctor/oidc-doctor/check"
	"github.com/oidc-doctor/oidc-doctor/check/diag"
	"github.com/oidc-doctor/oidc-doctor/check/emulator"
)

// TestEveryFailureHasACause runs every emulated scenario, and the local
// failures no scenario covers (no token, a broken token, broken settings),
// and holds every failing check to a cause from the shared vocabulary: the
// JSON report has "cause" on each.
func TestEveryFailureHasACause(t *testing.T) {
	holds := func(t *testing.T, rep diag.Report) {
		t.Helper()
		for _, r := range rep.Results {
			if r.Status == diag.StatusFail && (r.Cause == "" || !diag.KnownCause(r.Cause)) {
				t.Errorf("%s fails with cause %q: %s", r.ID, r.Cause, r.Summary)
			}
		}
	}
	for _, sc := range emulator.Scenarios() {
		t.Run(sc.Name, func(t *testing.T) {
			t.Parallel()
			timeout := 20 * time.Second
			if sc.Name == "entra-hang" || sc.Name == "arm-hang" {
				timeout = 2 * time.Second
			}
			rep, _ := runScenario(t, sc, timeout)
			holds(t, rep)
		})
	}
	dir := t.TempDir()
	broken := filepath.Join(dir, "broken.jwt")
	if err := os.WriteFile(broken, []byte("not.a.jwt"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name string
		cfg  check.Config
		want map[string]diag.Cause
	}{
		{"no token", check.Config{Getenv: func(string) string { return "" }, DefaultTokenPath: filepath.Join(dir, "none")},
			map[string]diag.Cause{"token-source": diag.CauseNoCredential, "azure-settings": diag.CauseSettingsInvalid}},
		{"broken token", check.Config{Getenv: func(string) string { return "" }, TokenFile: broken, Offline: true},
			map[string]diag.Cause{"token-format": diag.CauseTokenMalformed}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			rep := check.Run(context.Background(), tt.cfg)
			holds(t, rep)
			for id, want := range tt.want {
				if r := rep.Find(id); r == nil || r.Cause != want {
					t.Errorf("%s: %+v, want cause %s", id, r, want)
				}
			}
		})
	}
}

// TestCausesDocumented: README's table of causes lists every cause, with
// the exit class its fault status implies.
func TestCausesDocumented(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	readme := string(b)
	for _, c := range diag.Causes {
		class := "3"
		switch {
		case c.Fault():
			class = "4"
		case c == diag.CauseClockSkew:
			class = "0"
		}
		row := "| `" + string(c) + "` |"
		i := strings.Index(readme, row)
		if i < 0 {
			t.Errorf("README has no row for cause %s", c)
			continue
		}
		line := readme[i:]
		line = line[:strings.IndexByte(line, '\n')]
		if !strings.HasSuffix(line, "| "+class+" |") {
			t.Errorf("README row for %s does not end with exit class %s: %s", c, class, line)
		}
	}
}
