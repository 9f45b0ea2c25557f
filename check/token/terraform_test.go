package token

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/oidc-doctor/oidc-doctor/check/diag"
	"github.com/oidc-doctor/oidc-doctor/check/spacelift"
)

func with(m map[string]string, k, v string) map[string]string {
	out := map[string]string{k: v}
	for a, b := range m {
		out[a] = b
	}
	return out
}

// TestJudgeTerraform: a token the doctor found passes only when some part
// of Terraform reads it.
func TestJudgeTerraform(t *testing.T) {
	tok := mint(t, nil)
	other := mint(t, func(c map[string]any, _ map[string]any) { c["runId"] = "01OTHER" })
	dir := t.TempDir()
	write := func(name, v string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(v), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	def := write("spacelift.oidc", tok+"\n")
	blockFile := write("block.jwt", tok)
	staleFile := write("stale.jwt", other)
	missing := filepath.Join(dir, "missing.jwt")
	provider := func(source, path string) Reader {
		return Reader{Who: `provider "azurerm"`, UseOIDC: true, Source: source, Path: path}
	}
	envFile := map[string]string{"ARM_OIDC_TOKEN_FILE_PATH": def, "SPACELIFT_OIDC_TOKEN": tok}
	spaceliftOnly := map[string]string{"SPACELIFT_OIDC_TOKEN": tok}
	tests := []struct {
		name   string
		env    map[string]string
		tf     *Terraform
		status diag.Status
		cause  diag.Cause
		inText string
	}{
		{"not judged", spaceliftOnly, nil, diag.StatusPass, "", "SPACELIFT_OIDC_TOKEN"},
		{"reads the env file", envFile, &Terraform{Known: true, Readers: []Reader{provider("ARM_OIDC_TOKEN_FILE_PATH", def)}},
			diag.StatusPass, "", `provider "azurerm" reads: ARM_OIDC_TOKEN_FILE_PATH (` + def + "), sha256:"},
		{"token only in SPACELIFT_OIDC_TOKEN", spaceliftOnly, &Terraform{Known: true, Readers: []Reader{provider("", "")}},
			diag.StatusFail, diag.CauseNoCredential, "which Terraform never reads on its own"},
		{"unknown configuration only warns", spaceliftOnly, &Terraform{Readers: []Reader{provider("", "")}},
			diag.StatusWarn, diag.CauseNoCredential, "pass --dir"},
		{"block file the doctor did not look at", spaceliftOnly, &Terraform{Known: true, Readers: []Reader{provider("oidc_token_file_path (main.tf:4)", blockFile)}},
			diag.StatusPass, "", "oidc_token_file_path (main.tf:4) (" + blockFile + "), sha256:"},
		{"block file missing", spaceliftOnly, &Terraform{Known: true, Readers: []Reader{provider("oidc_token_file_path (main.tf:4)", missing)}},
			diag.StatusFail, diag.CauseNoCredential, "which does not exist"},
		{"block file with another token", spaceliftOnly, &Terraform{Known: true, Readers: []Reader{provider("oidc_token_file_path (main.tf:4)", staleFile)}},
			diag.StatusWarn, "", "reads a different token"},
		{"expression", spaceliftOnly, &Terraform{Known: true, Readers: []Reader{{Who: `provider "azurerm"`, UseOIDC: true, Source: "oidc_token_file_path (main.tf:4)", Expression: true}}},
			diag.StatusPass, "", "not judged"},
		{"a provider not using OIDC is azure-settings' finding", spaceliftOnly, &Terraform{Known: true, Readers: []Reader{{Who: `provider "azurerm"`}}},
			diag.StatusPass, "", "no token setting"},
		{"the backend is a fact here", envFile, &Terraform{Known: true, Readers: []Reader{provider("ARM_OIDC_TOKEN_FILE_PATH", def), {Who: "azurerm backend", Backend: true, UseOIDC: true}}},
			diag.StatusPass, "", "azurerm backend reads: no token setting"},
		{"Spacelift's file outside a run is not judged", spaceliftOnly, &Terraform{Known: true, Readers: []Reader{provider("oidc_token_file_path (main.tf:4)", spacelift.TokenPath)}},
			diag.StatusPass, "", "not judged outside a run"},
		{"Spacelift's file missing inside a run", with(spaceliftOnly, "TF_VAR_spacelift_run_id", "01RUN"), &Terraform{Known: true, Readers: []Reader{provider("oidc_token_file_path (main.tf:4)", spacelift.TokenPath)}},
			diag.StatusFail, diag.CauseNoCredential, "which does not exist"},
		{"a token where the path belongs", spaceliftOnly, &Terraform{Known: true, Readers: []Reader{provider("oidc_token_file_path (main.tf:4)", tok)}},
			diag.StatusFail, diag.CauseNoCredential, "names a token where its file path belongs"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := Input{Getenv: envOf(tt.env), DefaultPath: def, Terraform: tt.tf}
			_, rs, _ := Check(t.Context(), in, testNow)
			r := rs[0]
			text := r.Summary + "\n" + r.Hint
			for _, f := range r.Facts {
				text += "\n" + f.Key + ": " + f.Value
			}
			if r.Status != tt.status || r.Cause != tt.cause || !strings.Contains(text, tt.inText) {
				t.Errorf("got %s %q, want %s %q with %q:\n%s", r.Status, r.Cause, tt.status, tt.cause, tt.inText, text)
			}
			if strings.Contains(text, "eyJ") {
				t.Errorf("a token in the result:\n%s", text)
			}
			if r.Status == diag.StatusFail && len(r.Fixes) == 0 {
				t.Errorf("fails without a fix")
			}
		})
	}
}

// TestTokenFixPointsAtWhatExists: with no reader of a token, the first fix
// points Terraform at the Spacelift token file the doctor found, the
// workspace root's on a worker whose workspace is elsewhere; with no file
// at all, at SPACELIFT_OIDC_TOKEN through Spacelift's interpolation.
func TestTokenFixPointsAtWhatExists(t *testing.T) {
	tok := mint(t, nil)
	dir, root := t.TempDir(), t.TempDir()
	def := filepath.Join(dir, "spacelift.oidc")
	if err := os.WriteFile(filepath.Join(root, "spacelift.oidc"), []byte(tok), 0o600); err != nil {
		t.Fatal(err)
	}
	none := &Terraform{Known: true, Readers: []Reader{{Who: `provider "azurerm"`, UseOIDC: true}}}
	for _, tt := range []struct {
		name string
		env  map[string]string
		want string
	}{
		{"the workspace root's file", map[string]string{"SPACELIFT_OIDC_TOKEN": tok, "TF_VAR_spacelift_workspace_root": root},
			"ARM_USE_OIDC=true\nARM_OIDC_TOKEN_FILE_PATH=" + filepath.Join(root, "spacelift.oidc") + "\n"},
		{"no file", map[string]string{"SPACELIFT_OIDC_TOKEN": tok}, "ARM_USE_OIDC=true\nARM_OIDC_TOKEN=${SPACELIFT_OIDC_TOKEN}\n"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, rs, _ := Check(t.Context(), Input{Getenv: envOf(tt.env), DefaultPath: def, Terraform: none}, testNow)
			if r := rs[0]; r.Status != diag.StatusFail || len(r.Fixes) == 0 || r.Fixes[0].Text != tt.want {
				t.Errorf("%s, fixes %+v; want first %q", r.Status, r.Fixes, tt.want)
			}
		})
	}
}
