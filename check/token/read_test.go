package token

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/oidc-doctor/oidc-doctor/check/diag"
)

func TestStatTokenSaysWhatItIs(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct{ path, want string }{
		{dir, "is a directory"},
		{"/dev/null", "is a character device, not a regular file"},
		{"/dev/zero", "is a character device, not a regular file"},
	} {
		if _, err := os.Stat(tc.path); err != nil {
			t.Logf("skipping %s: %v", tc.path, err)
			continue
		}
		_, err := statToken(tc.path)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("statToken(%s) = %v, want %q", tc.path, err, tc.want)
		}
	}
	if _, err := statToken(filepath.Join(dir, "missing")); err != fs.ErrNotExist {
		t.Errorf("a missing file: %v, want fs.ErrNotExist", err)
	}
}

// hangOn makes readFile block for paths in slow until the test ends.
func hangOn(t *testing.T, slow ...string) {
	t.Helper()
	release := make(chan struct{})
	orig := readFile
	readFile = func(path string, st fs.FileInfo) (string, error) {
		for _, p := range slow {
			if p == path {
				<-release
			}
		}
		return orig(path, st)
	}
	t.Cleanup(func() { close(release); readFile = orig })
}

// TestLaterSourceNeverDelays: a source after the one used that never
// answers is not waited for beyond compareGrace, and is not a warning.
func TestLaterSourceNeverDelays(t *testing.T) {
	tok := mint(t, nil)
	dir := t.TempDir()
	used, later := filepath.Join(dir, "used.jwt"), filepath.Join(dir, "spacelift.oidc")
	for _, p := range []string{used, later} {
		if err := os.WriteFile(p, []byte(tok), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	hangOn(t, later)
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	in := Input{TokenFile: used, Getenv: envOf(map[string]string{"TF_VAR_spacelift_workspace_root": dir}), DefaultPath: filepath.Join(dir, "nope")}
	src, r, files := resolveToken(ctx, in)
	if src == nil || src.Name != "--token-file" || src.Value != tok || r.Status != diag.StatusPass {
		t.Fatalf("got %v %s %q, want --token-file used and passing", src, r.Status, r.Summary)
	}
	if ctx.Err() != nil {
		t.Fatal("resolveToken waited for the run's deadline")
	}
	if !hasFact(r, "workspace-root", "not compared") {
		t.Errorf("facts %v lack the source not compared", r.Facts)
	}
	if len(files) != 2 {
		t.Errorf("files = %v, want both", files)
	}
}

// TestUsedSourceReadUnderDeadline: the source used is waited for until the
// run's deadline, and then named as unreadable.
func TestUsedSourceReadUnderDeadline(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "stuck.jwt")
	if err := os.WriteFile(p, []byte(mint(t, nil)), 0o600); err != nil {
		t.Fatal(err)
	}
	hangOn(t, p)
	ctx, cancel := context.WithTimeout(t.Context(), 100*time.Millisecond)
	defer cancel()
	src, r, _ := resolveToken(ctx, Input{TokenFile: p, DefaultPath: filepath.Join(dir, "nope")})
	if src == nil || r.Status != diag.StatusFail || !strings.Contains(r.Summary, "did not finish before the run's deadline") {
		t.Fatalf("got %s %q, want a failure naming the deadline", r.Status, r.Summary)
	}
}

func TestReadRegularNoticesAReplacedFile(t *testing.T) {
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a"), filepath.Join(dir, "b")
	for _, p := range []string{a, b} {
		if err := os.WriteFile(p, []byte("x"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	st, err := os.Stat(b)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := readRegular(a, st); err == nil || !strings.Contains(err.Error(), "replaced") {
		t.Errorf("readRegular of another file = %v, want it replaced", err)
	}
}

func hasFact(r diag.Result, key, in string) bool {
	for _, f := range r.Facts {
		if f.Key == key && strings.Contains(f.Value, in) {
			return true
		}
	}
	return false
}
