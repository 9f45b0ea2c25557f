package report

import (
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func renderHello(w io.Writer) error {
	_, err := io.WriteString(w, "report\n")
	return err
}

func readFile(t *testing.T, p string) string {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestWriteFileNewAndExisting(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{"new.txt", "old.txt"} {
		p := filepath.Join(dir, name)
		if name == "old.txt" {
			if err := os.WriteFile(p, []byte("a much longer old content\n"), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		if err := WriteFile(p, nil, renderHello); err != nil {
			t.Fatal(err)
		}
		st, err := os.Lstat(p)
		if err != nil {
			t.Fatal(err)
		}
		if got := readFile(t, p); got != "report\n" {
			t.Errorf("%s = %q", name, got)
		}
		if st.Mode().Perm() != 0o600 || !st.Mode().IsRegular() {
			t.Errorf("%s: mode %v, want a regular file of mode 0600", name, st.Mode())
		}
	}
	if left, _ := filepath.Glob(filepath.Join(dir, ".*.tmp")); len(left) != 0 {
		t.Errorf("temporary files left: %v", left)
	}
}

// TestWriteFileReplacesSymlink: a symlink at the path is replaced by the
// report; the file it pointed to is untouched.
func TestWriteFileReplacesSymlink(t *testing.T) {
	dir := t.TempDir()
	victim, link := filepath.Join(dir, "bashrc"), filepath.Join(dir, "report.md")
	if err := os.WriteFile(victim, []byte("keep me\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(victim, link); err != nil {
		t.Skip(err)
	}
	if err := WriteFile(link, nil, renderHello); err != nil {
		t.Fatal(err)
	}
	if got := readFile(t, victim); got != "keep me\n" {
		t.Errorf("the symlink was followed: its target now holds %q", got)
	}
	st, err := os.Lstat(link)
	if err != nil || !st.Mode().IsRegular() || readFile(t, link) != "report\n" {
		t.Errorf("the symlink was not replaced by the report: %v %v", st.Mode(), err)
	}
}

// TestWriteFileRefusesTokenFile: the token file, a symlink to it or a hard
// link of it is never overwritten.
func TestWriteFileRefusesTokenFile(t *testing.T) {
	dir := t.TempDir()
	tok := filepath.Join(dir, "spacelift.oidc")
	if err := os.WriteFile(tok, []byte("eyJ.token\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	sym, hard := filepath.Join(dir, "sym"), filepath.Join(dir, "hard")
	if err := os.Symlink(tok, sym); err != nil {
		t.Skip(err)
	}
	if err := os.Link(tok, hard); err != nil {
		t.Skip(err)
	}
	for _, out := range []string{tok, sym, hard, filepath.Join(dir, ".", "spacelift.oidc")} {
		err := WriteFile(out, []string{tok}, renderHello)
		if err == nil || !strings.Contains(err.Error(), "it is "+tok+", which this run read") {
			t.Errorf("WriteFile(%s) = %v, want it refused", out, err)
		}
	}
	// The token reached through a symlink as the source, the output the file.
	if err := WriteFile(tok, []string{sym}, renderHello); err == nil {
		t.Error("writing the target of a token symlink was allowed")
	}
	if got := readFile(t, tok); got != "eyJ.token\n" {
		t.Errorf("the token file now holds %q", got)
	}
}

func TestWriteFileErrors(t *testing.T) {
	dir := t.TempDir()
	if err := WriteFile(dir, nil, renderHello); err == nil || !strings.Contains(err.Error(), "is a directory") {
		t.Errorf("a directory: %v", err)
	}
	if err := WriteFile(filepath.Join(dir, "no", "such", "dir", "r.txt"), nil, renderHello); err == nil {
		t.Error("a missing directory: no error")
	}
	if _, err := os.Stat("/dev/full"); err != nil {
		t.Skip("no /dev/full")
	}
	// A full disk fails the render, the flush and the close alike: one error.
	err := WriteFile("/dev/full", nil, func(w io.Writer) error {
		return JSON(w, vectorReport("x"), Meta{})
	})
	if err == nil || strings.Count(err.Error(), "no space left") != 1 || strings.Contains(err.Error(), "\n") {
		t.Errorf("/dev/full: %q, want one error", err)
	}
}
