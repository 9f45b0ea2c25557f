//go:build unix

package token

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/oidc-doctor/oidc-doctor/check/diag"
)

// TestFIFOAtEachSource puts a named pipe that no one writes at each place a
// token may come from. Opening it for reading would block forever; each must
// be refused without opening, named as a FIFO, long before the deadline.
func TestFIFOAtEachSource(t *testing.T) {
	tok := mint(t, nil)
	dir := t.TempDir()
	fifo := filepath.Join(dir, "spacelift.oidc")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	good := filepath.Join(dir, "good.jwt")
	if err := os.WriteFile(good, []byte(tok), 0o600); err != nil {
		t.Fatal(err)
	}
	nope := filepath.Join(dir, "nope")
	for _, tc := range []struct {
		name string
		in   Input
		want diag.Status
	}{
		{"--token-file", Input{TokenFile: fifo, DefaultPath: nope}, diag.StatusFail},
		{"ARM_OIDC_TOKEN_FILE_PATH", Input{Getenv: envOf(map[string]string{"ARM_OIDC_TOKEN_FILE_PATH": fifo}), DefaultPath: nope}, diag.StatusFail},
		{"workspace-root", Input{Getenv: envOf(map[string]string{"TF_VAR_spacelift_workspace_root": dir}), DefaultPath: nope}, diag.StatusFail},
		{"workspace", Input{DefaultPath: fifo}, diag.StatusFail},
		// A FIFO after the source used still warns: Terraform may read it.
		{"ARM_OIDC_TOKEN_FILE_PATH after --token-file", Input{TokenFile: good, Getenv: envOf(map[string]string{"ARM_OIDC_TOKEN_FILE_PATH": fifo}), DefaultPath: nope}, diag.StatusWarn},
		{"workspace after SPACELIFT_OIDC_TOKEN", Input{Getenv: envOf(map[string]string{"SPACELIFT_OIDC_TOKEN": tok}), DefaultPath: fifo}, diag.StatusWarn},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(t.Context(), 2*time.Second)
			defer cancel()
			_, r, files := resolveToken(ctx, tc.in)
			if ctx.Err() != nil {
				t.Fatal("resolveToken ran into the deadline: the FIFO was opened")
			}
			if r.Status != tc.want || !strings.Contains(r.Summary+factValues(r), "is a named pipe (FIFO), not a regular file") {
				t.Errorf("got %s %q %v, want %s naming the FIFO", r.Status, r.Summary, r.Facts, tc.want)
			}
			if !contains(files, fifo) {
				t.Errorf("files %v lack the FIFO", files)
			}
		})
	}
}

func factValues(r diag.Result) string {
	var b strings.Builder
	for _, f := range r.Facts {
		b.WriteString(f.Value + "\n")
	}
	return b.String()
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
