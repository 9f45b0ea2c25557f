package token

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"strings"

	"github.com/oidc-doctor/oidc-doctor/check/diag"
	"github.com/oidc-doctor/oidc-doctor/check/redact"
	"github.com/oidc-doctor/oidc-doctor/check/spacelift"
)

// source is one place a token may come from, and what was found there.
type source struct {
	Name   string // "--token-file", "ARM_OIDC_TOKEN", "SPACELIFT_OIDC_TOKEN", a path ...
	Desc   string // human description: "file named by ARM_OIDC_TOKEN_FILE_PATH"
	Path   string // file path, "" for values
	Value  string // content after azurerm's trim; never rendered
	Err    error  // why it could not be read
	exists bool   // set, or the file exists
	// st is the regular file at Path, still to be read (see readFiles);
	// nil for values and for paths that cannot be read.
	st fs.FileInfo
	// slow is set when the file was not read in time to be compared.
	slow bool
}

func (s source) label() string {
	if s.Path != "" && s.Path != s.Name {
		return s.Name + " (" + s.Path + ")"
	}
	return s.Name
}

// gatherSources lists every token source in the order azurerm and Spacelift
// use them: --token-file; ARM_OIDC_TOKEN and ARM_OIDC_TOKEN_FILE_PATH;
// SPACELIFT_OIDC_TOKEN; the workspace root's file; /mnt/workspace's file.
// Files are looked at, not yet read: readFiles reads them.
func gatherSources(in Input) []source {
	var out []source
	addFile := func(name, desc, path string) {
		if redact.String(path) != path {
			// The token itself where its path belongs (--token-file "$TOKEN",
			// ARM_OIDC_TOKEN_FILE_PATH=eyJ...): never open it nor show it.
			// Terraform would try to open it and fail, so it counts as present.
			out = append(out, source{Name: name, Desc: desc, exists: true,
				Err: fmt.Errorf("the value is a token (%s), not a file path", redact.Fingerprint(path))})
			return
		}
		s := source{Name: name, Desc: desc, Path: path}
		st, err := statToken(path)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			s.Err = fmt.Errorf("%s does not exist", path)
		case err != nil:
			s.exists, s.Err = true, err
		default:
			s.exists, s.st = true, st
		}
		out = append(out, s)
	}
	addValue := func(name string) {
		if v := in.env(name); v != "" {
			out = append(out, source{Name: name, Desc: "environment variable " + name, Value: strings.TrimSpace(v), exists: true})
		}
	}
	if in.TokenFile != "" {
		addFile("--token-file", "file named by --token-file", in.TokenFile)
	}
	addValue("ARM_OIDC_TOKEN")
	if p := in.env("ARM_OIDC_TOKEN_FILE_PATH"); p != "" {
		addFile("ARM_OIDC_TOKEN_FILE_PATH", "file named by ARM_OIDC_TOKEN_FILE_PATH", p)
	}
	addValue("SPACELIFT_OIDC_TOKEN")
	def := in.DefaultPath
	if def == "" {
		def = spacelift.TokenPath
	}
	if root := in.env("TF_VAR_spacelift_workspace_root"); root != "" {
		p := filepath.Join(root, "spacelift.oidc")
		if p != def {
			addFile("workspace-root", "$TF_VAR_spacelift_workspace_root/spacelift.oidc", p)
		}
	}
	addFile("workspace", "Spacelift's token file", def)
	return out
}

// resolveToken picks the token Terraform will use, reads it under ctx, and
// judges the sources. It returns the chosen source (nil when none exists),
// the token-source result and the token files it found.
func resolveToken(ctx context.Context, in Input) (*source, diag.Result, []string) {
	const id = "token-source"
	srcs := gatherSources(in)
	used := firstPresent(in, srcs)
	readFiles(ctx, srcs, used)
	var files []string
	for _, s := range srcs {
		if s.Path != "" && s.exists {
			files = append(files, s.Path)
		}
	}
	r := diag.Result{ID: id, Title: title(id), Facts: sourceFacts(srcs)}
	if used < 0 {
		return nil, noToken(in, srcs, r), files
	}
	chosen := &srcs[used]
	r.Facts = append([]diag.Fact{diag.F("used", chosen.label())}, r.Facts...)
	return chosen, judgeChosen(srcs, chosen, r), files
}

// firstPresent is the index of the source Terraform will use, or -1: the
// first that exists, never past an explicit --token-file.
func firstPresent(in Input, srcs []source) int {
	if in.TokenFile != "" && !srcs[0].exists {
		return -1
	}
	for i := range srcs {
		if srcs[i].exists {
			return i
		}
	}
	return -1
}

// sourceFacts says what each place held, by fingerprint only.
func sourceFacts(srcs []source) []diag.Fact {
	var fs []diag.Fact
	for _, s := range srcs {
		switch {
		case s.slow:
			fs = append(fs, diag.F(s.Name, "not compared: "+s.Err.Error()))
		case s.Err != nil && !s.exists:
			fs = append(fs, diag.F(s.Name, "not present: "+s.Err.Error()))
		case s.Err != nil:
			fs = append(fs, diag.F(s.Name, "unreadable: "+s.Err.Error()))
		case s.Value == "":
			fs = append(fs, diag.F(s.Name, "present but empty"))
		default:
			fs = append(fs, diag.F(s.Name, "present, "+redact.Fingerprint(s.Value)))
		}
	}
	return fs
}

// noToken is the verdict when no source holds a token.
func noToken(in Input, srcs []source, r diag.Result) diag.Result {
	r.Status = diag.StatusFail
	if in.TokenFile != "" {
		r.Summary = "no token: " + srcs[0].Err.Error()
		r.Hint = "check the path given to --token-file; on Spacelift the token is at " + spacelift.TokenPath
		return r
	}
	r.Summary = "no OIDC token found in any of the places Terraform and Spacelift use"
	r.Hint = "OIDC tokens exist only on paid Spacelift accounts (Settings → Billing); " +
		"Kubernetes workers keep the workspace elsewhere (/opt/spacelift/workspace: pass --token-file or set TF_VAR_spacelift_workspace_root); " +
		"a token variable set on the stack may not be passed to this phase (check ro_/wo_ prefixes). " +
		"Outside Spacelift, pass --token-file or run `oidc-doctor demo`"
	return r
}

// judgeChosen is the verdict on the source used, beside the others.
func judgeChosen(srcs []source, chosen *source, r diag.Result) diag.Result {
	switch {
	case chosen.Err != nil:
		r.Status, r.Summary = diag.StatusFail, chosen.label()+" is unreadable: "+chosen.Err.Error()
		r.Hint = "Terraform would fail to read it too; point ARM_OIDC_TOKEN_FILE_PATH (or oidc_token_file_path) at " + spacelift.TokenPath
		return r
	case chosen.Value == "":
		r.Status, r.Summary = diag.StatusFail, chosen.label()+" is empty"
		r.Hint = "Spacelift writes the token at the start of each phase; an empty value usually means a variable set to \"\" on the stack or a context shadows it"
		return r
	case tokenVarsDisagree(srcs):
		r.Status, r.Cause = diag.StatusFail, diag.CauseSettingsInvalid
		r.Summary = "ARM_OIDC_TOKEN and the file named by ARM_OIDC_TOKEN_FILE_PATH disagree: the azurerm provider refuses to start"
		r.Hint = "set only one of them, preferably ARM_OIDC_TOKEN_FILE_PATH=" + spacelift.TokenPath
		return r
	}
	r.Status, r.Summary = diag.StatusPass, "using the token from "+chosen.Desc
	if problems := otherSources(srcs, chosen); len(problems) > 0 {
		r.Status = diag.StatusWarn
		r.Summary += "; " + strings.Join(problems, "; ")
		r.Hint = "Terraform reads " + chosen.label() + "; make sure every place that holds a token holds the current one (Spacelift rewrites " + spacelift.TokenPath + " each phase)"
	}
	return r
}

// otherSources names the other places that hold an unreadable or a
// different token (a stale copy).
func otherSources(srcs []source, chosen *source) []string {
	var problems []string
	for _, s := range srcs {
		switch {
		case s.Name == chosen.Name, s.slow:
		case s.exists && s.Err != nil:
			problems = append(problems, s.label()+" exists but is unreadable")
		case s.exists && s.Value != "" && s.Value != chosen.Value:
			problems = append(problems, s.label()+" holds a different token ("+redact.Fingerprint(s.Value)+", a stale copy?)")
		}
	}
	return problems
}

// tokenVarsDisagree reports ARM_OIDC_TOKEN and the file named by
// ARM_OIDC_TOKEN_FILE_PATH holding different tokens: azurerm requires them
// to agree.
func tokenVarsDisagree(srcs []source) bool {
	var v, fp *source
	for i := range srcs {
		switch srcs[i].Name {
		case "ARM_OIDC_TOKEN":
			v = &srcs[i]
		case "ARM_OIDC_TOKEN_FILE_PATH":
			fp = &srcs[i]
		}
	}
	return v != nil && fp != nil && fp.exists && fp.Err == nil && !fp.slow && v.Value != fp.Value
}
