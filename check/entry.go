package check

// The entry points of the commands that are not a full run: explain reads
// pasted errors, subjects lists what a stack or module needs.

import (
	"fmt"
	"io"
	"io/fs"
	"strings"

	"github.com/oidc-doctor/oidc-doctor/check/diag"
	"github.com/oidc-doctor/oidc-doctor/check/entra"
	"github.com/oidc-doctor/oidc-doctor/check/explain"
	"github.com/oidc-doctor/oidc-doctor/check/spacelift"
	"github.com/oidc-doctor/oidc-doctor/check/token"
)

// ReadPaste reads the pasted error output explain reads: at most
// explain.MaxInput bytes; cutAt says where the rest was left unread (0 when
// nothing was).
func ReadPaste(r io.Reader) (text string, cutAt int64, err error) {
	var size int64
	if f, ok := r.(interface{ Stat() (fs.FileInfo, error) }); ok {
		if fi, err := f.Stat(); err == nil && fi.Mode().IsRegular() {
			size = fi.Size()
		}
	}
	return explain.ReadInput(r, size)
}

// ExplainPaste explains pasted error output, read by ReadPaste (cutAt is
// where it was cut). With Config.TokenFile set it compares the values the
// errors quote with that token's; a token file that cannot be read or
// decoded is an error, never silently ignored.
func ExplainPaste(text string, cutAt int64, cfg Config) (explain.Explanation, error) {
	var tok *explain.Token
	if cfg.TokenFile != "" {
		ctx, cancel := cfg.deadline()
		defer cancel()
		t, _, err := token.Load(ctx, cfg.tokenInput(nil))
		if err != nil {
			return explain.Explanation{}, fmt.Errorf("--token-file %s: %v", cfg.TokenFile, err)
		}
		et := explainToken(t)
		tok = &et
	}
	ex := explain.Read(text, tok)
	ex.CutAt = cutAt
	return ex, nil
}

// SubjectsInput is what `oidc-doctor subjects` was told: the flags, any of
// them empty to be read from the run's token.
type SubjectsInput struct {
	Space, Stack, Module, Account, ClientID string
}

// maxCredentials is Entra's limit of federated credentials per app or
// managed identity.
const maxCredentials = 20

// Subjects lists every subject a stack or module can present, with the
// commands that create their credentials. Missing flags come from the run's
// token. A plain listing passes; it warns when the subjects outnumber
// Entra's limit, when some cannot be known for sure (the module segment),
// or when the token's subject comes from a custom template, which the
// default-format listing does not follow.
func Subjects(in SubjectsInput, cfg Config) (diag.Report, error) {
	space, caller, id, host := in.Space, "", in.Stack, in.Account
	if in.Stack != "" {
		caller = "stack"
	}
	if in.Module != "" {
		caller, id = "module", in.Module
	}
	custom, foreign := false, false
	var files []string
	if space == "" || id == "" || host == "" {
		ctx, cancel := cfg.deadline()
		defer cancel()
		tok, found, err := token.Load(ctx, cfg.tokenInput(nil))
		files = found
		if err != nil {
			return diag.Report{}, fmt.Errorf("give --space, --stack or --module and --account, or a token: %v", err)
		}
		sc := tok.Spacelift
		space, caller = diag.FirstNonEmpty(space, sc.SpaceID), diag.FirstNonEmpty(caller, sc.CallerType)
		id, host = diag.FirstNonEmpty(id, sc.CallerID), diag.FirstNonEmpty(host, tok.FirstAudience())
		_, err = spacelift.ParseSubject(tok.Subject)
		custom = err != nil
		_, bad := spacelift.Untemplatable(tok.Subject)
		foreign = bad >= 0
	}
	host = strings.TrimSuffix(strings.TrimPrefix(host, "https://"), "/")
	clientID := diag.FirstNonEmpty(in.ClientID, cfg.env("ARM_CLIENT_ID"), "<client-id>")
	r := entra.Subjects("https://"+host, host, clientID, space, caller, id, "")
	r.Status, r.Hint, r.Step = diag.StatusPass, "", "subjects"
	var warns []string
	if n := len(spacelift.AllSubjects(space, caller, id)); n > maxCredentials {
		warns = append(warns, fmt.Sprintf("%d subjects are more than the %d credentials one identity can hold", n, maxCredentials))
	}
	for _, v := range spacelift.AllSubjects(space, caller, id) {
		if v.Uncertain != "" {
			warns = append(warns, "some subjects cannot be known for sure: "+v.Uncertain)
			break
		}
	}
	switch {
	case foreign:
		warns = append(warns, "the token's subject holds a character no Spacelift subject template can produce: it is not a Spacelift subject, and these subjects may not apply to it")
	case custom:
		warns = append(warns, "the token's subject comes from a custom subject template; these are the default-format subjects, and the credentials must match the template's")
	}
	if len(warns) > 0 {
		r.Status = diag.StatusWarn
		r.Hint = strings.Join(warns, "; ")
	}
	return diag.Report{Results: []diag.Result{r}, Started: cfg.now(), TokenFiles: files}, nil
}
