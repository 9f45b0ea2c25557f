package token

// Which token Terraform itself will read. The doctor finds a token in more
// places than Terraform does: the azurerm, azuread and azapi providers read
// only oidc_token / ARM_OIDC_TOKEN and oidc_token_file_path /
// ARM_OIDC_TOKEN_FILE_PATH (AZURE_FEDERATED_TOKEN_FILE only under
// use_aks_workload_identity), and never SPACELIFT_OIDC_TOKEN nor Spacelift's
// token file unless a setting names it
// (https://github.com/hashicorp/terraform-provider-azurerm/blob/v4.81.0/internal/provider/helpers.go,
// getOidcToken). So a token the doctor found does not pass unless some part
// of Terraform reads it.

import (
	"context"
	"errors"
	"io/fs"
	"strings"

	"github.com/oidc-doctor/oidc-doctor/check/diag"
	"github.com/oidc-doctor/oidc-doctor/check/redact"
	"github.com/oidc-doctor/oidc-doctor/check/spacelift"
)

// Terraform is what the configuration and the environment say about where
// Terraform reads the token. Package check fills it from package tfconfig;
// a nil *Terraform is not judged (explain, subjects).
type Terraform struct {
	// Known reports that the whole configuration was read: a provider
	// that names no token source really has none.
	Known bool
	// Readers are the parts of Terraform that sign in with the token.
	Readers []Reader
}

// Reader is where one part of Terraform reads its token.
type Reader struct {
	// Who names it: `provider "azurerm"`, `provider "azurerm" (alias "mgmt")`, "azurerm backend".
	Who string
	// Backend marks the state backend: its own step judges it; here it is a fact.
	Backend bool
	// UseOIDC is false when the reader's use_oidc resolves to false: it will
	// not use a token at all, which azure-settings reports.
	UseOIDC bool
	// Source names the setting it reads: "ARM_OIDC_TOKEN_FILE_PATH",
	// "oidc_token_file_path (main.tf:4)"; "" when it reads none.
	Source string
	// Path is the file that setting names; "" for a value or an expression.
	Path string
	// Value: the token is given as a value (oidc_token, ARM_OIDC_TOKEN).
	Value bool
	// Expression: the setting is an expression: not judged.
	Expression bool
}

// readerState is what one reader will find.
type readerState struct {
	fact    string
	problem string // why it will find no usable token; "" when it will
	value   string // the token it reads, when read
}

// judgeTerraform adjusts the token-source result r for what Terraform will
// read; chosen is the source the doctor uses. Files the readers name are
// read the way the doctor's own sources are (read.go): regular files only,
// without blocking, under ctx.
func judgeTerraform(ctx context.Context, in Input, r diag.Result, chosen *source) diag.Result {
	tf := in.Terraform
	if tf == nil {
		return r
	}
	inRun := in.env("TF_VAR_spacelift_run_id") != ""
	var missing, stale []string
	for _, rd := range tf.Readers {
		st := readerFinds(ctx, in, rd)
		if !inRun && rd.Path == spacelift.TokenPath && st.value == "" && st.problem != "" {
			// Outside a run, Spacelift's file does not exist: nothing to judge.
			st = readerState{fact: rd.Source + " (" + rd.Path + "): written by Spacelift at the start of each phase; not judged outside a run"}
		}
		r.Facts = append(r.Facts, diag.F(rd.Who+" reads", st.fact))
		switch {
		case rd.Backend || !rd.UseOIDC:
		case st.problem != "":
			missing = append(missing, rd.Who+" "+st.problem)
		case chosen != nil && st.value != "" && chosen.Value != "" && st.value != chosen.Value:
			stale = append(stale, rd.Who+" reads a different token ("+redact.Fingerprint(st.value)+") from "+rd.Source)
		}
	}
	if r.Status == diag.StatusFail {
		return r
	}
	switch {
	case len(missing) > 0:
		r.Status, r.Cause = diag.StatusFail, diag.CauseNoCredential
		if !tf.Known {
			r.Status = diag.StatusWarn
		}
		r.Summary = strings.Join(missing, "; ")
		if chosen != nil && !readByAny(tf, chosen) {
			r.Summary += "; the doctor found the token in " + chosen.label() + ", which Terraform never reads on its own"
		}
		file := tokenFile(in)
		r.Fixes = tokenFixes(file)
		r.Hint = "Terraform reads the token only from oidc_token_file_path or ARM_OIDC_TOKEN_FILE_PATH (or oidc_token / ARM_OIDC_TOKEN): " +
			tokenAdvice(file) + ". The environment variables reach the provider and the state backend alike"
		if !tf.Known {
			r.Hint += "; no complete configuration was read, so a provider block may set it: run the doctor in the project root or pass --dir"
		}
	case len(stale) > 0:
		r.Status = diag.StatusWarn
		r.Summary += "; " + strings.Join(stale, "; ")
		r.Hint = "Terraform uses the file its settings name; make it the one Spacelift rewrites each phase, " + spacelift.TokenPath
	}
	return r
}

// readerFinds says what rd will read.
func readerFinds(ctx context.Context, in Input, rd Reader) readerState {
	switch {
	case rd.Expression:
		return readerState{fact: rd.Source + ", set by an expression: not judged"}
	case rd.Source == "":
		return readerState{fact: "no token setting", problem: "reads no token: neither oidc_token_file_path nor oidc_token is set, nor ARM_OIDC_TOKEN_FILE_PATH or ARM_OIDC_TOKEN"}
	case rd.Value && rd.Source == "ARM_OIDC_TOKEN":
		v := strings.TrimSpace(in.env("ARM_OIDC_TOKEN"))
		return readerState{fact: rd.Source + ", " + redact.Fingerprint(v), value: v}
	case rd.Value:
		return readerState{fact: rd.Source + " (value not shown)"}
	case redact.String(rd.Path) != rd.Path:
		return readerState{fact: rd.Source + ": the value is a token, not a file path", problem: "names a token where its file path belongs (" + rd.Source + ")"}
	}
	src := []source{{Path: rd.Path}}
	st, err := statToken(rd.Path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return stateOf(rd, "", nil, false)
	case err != nil:
		return stateOf(rd, "", err, true)
	}
	src[0].st = st
	readFiles(ctx, src, 0)
	return stateOf(rd, src[0].Value, src[0].Err, true)
}

func stateOf(rd Reader, value string, err error, exists bool) readerState {
	where := rd.Source + " (" + rd.Path + ")"
	switch {
	case !exists:
		return readerState{fact: where + ": does not exist", problem: "reads " + where + ", which does not exist"}
	case err != nil:
		return readerState{fact: where + ": unreadable", problem: "reads " + where + ", which is unreadable: " + err.Error()}
	case value == "":
		return readerState{fact: where + ": empty", problem: "reads " + where + ", which is empty"}
	}
	return readerState{fact: where + ", " + redact.Fingerprint(value), value: value}
}

// readByAny reports whether some reader reads the doctor's chosen source.
func readByAny(tf *Terraform, chosen *source) bool {
	for _, rd := range tf.Readers {
		if (chosen.Path != "" && rd.Path == chosen.Path) || (chosen.Name == "ARM_OIDC_TOKEN" && rd.Value) {
			return true
		}
	}
	return false
}

// tokenFile is the Spacelift token file Terraform should read: the one the
// doctor found (the workspace root's, on a worker whose workspace is not
// /mnt/workspace, or Spacelift's own); "" when there is none and the token
// is in SPACELIFT_OIDC_TOKEN; else Spacelift's documented path.
func tokenFile(in Input) string {
	for _, s := range gatherSources(in) {
		if (s.Name == "workspace-root" || s.Name == "workspace") && s.exists && s.Err == nil {
			return s.Path
		}
	}
	if in.env("SPACELIFT_OIDC_TOKEN") != "" {
		return ""
	}
	return spacelift.TokenPath
}

// tokenAdvice says, for the hint, what to point Terraform at.
func tokenAdvice(p string) string {
	if p != "" {
		return "point one at " + p
	}
	return "this run has no Spacelift token file, so set ARM_OIDC_TOKEN to SPACELIFT_OIDC_TOKEN: Spacelift fills ${SPACELIFT_OIDC_TOKEN} in a stack variable's value on the worker"
}

// tokenFixes point Terraform at the token the doctor found. A token only in
// SPACELIFT_OIDC_TOKEN is handed over by Spacelift's interpolation of one
// environment variable in another's value, evaluated on the worker
// (https://docs.spacelift.io/concepts/configuration/environment#environment-variable-interpolation);
// azurerm reads ARM_OIDC_TOKEN once at start-up, as it reads the file
// (https://github.com/hashicorp/terraform-provider-azurerm/blob/v4.81.0/internal/provider/helpers.go, getOidcToken).
func tokenFixes(p string) []diag.Fix {
	const where = "set on the stack (Environment) or a context attached to it: reaches the providers and the state backend"
	if p == "" {
		return []diag.Fix{{Title: where + "; Spacelift puts the token in ARM_OIDC_TOKEN on the worker", Lang: "text",
			Text: "ARM_USE_OIDC=true\nARM_OIDC_TOKEN=${SPACELIFT_OIDC_TOKEN}\n"}}
	}
	return []diag.Fix{
		{Title: where, Lang: "text", Text: "ARM_USE_OIDC=true\nARM_OIDC_TOKEN_FILE_PATH=" + p + "\n"},
		{Title: "or in the provider block (the state backend does not read it)", Lang: "hcl",
			Text: "provider \"azurerm\" {\n  features {}\n  use_oidc             = true\n  oidc_token_file_path = \"" + p + "\"\n}\n"},
	}
}
