package token

import (
	"github.com/oidc-doctor/oidc-doctor/check/diag"
	"github.com/oidc-doctor/oidc-doctor/check/spacelift"
)

// perRunSubject fails claim-sub when sub holds a value that changes with
// every run (the runId or jti claim, or TF_VAR_spacelift_run_id): a
// subject template with {runId} renders another subject for every run,
// and Entra matches subjects exactly, so no federated credential can
// match the next run's, even when one matches this run's
// (https://docs.spacelift.io/integrations/cloud-providers/oidc/subject-template).
func perRunSubject(r diag.Result, t *Token, getenv func(string) string) diag.Result {
	if r.Status == diag.StatusFail {
		return r
	}
	v, ok := spacelift.PerRunValue(t.Subject, []spacelift.RunValue{
		{Name: "runId", Value: t.Spacelift.RunID}, {Name: "jti", Value: t.ID}, {Name: "TF_VAR_spacelift_run_id", Value: getenv("TF_VAR_spacelift_run_id")},
	})
	if !ok {
		return r
	}
	tp := spacelift.Infer(t.Subject, t.Spacelift, spacelift.RunValue{Name: "jti", Value: t.ID})
	r.Status, r.Cause = diag.StatusFail, diag.CauseSubjectMismatch
	r.Summary = "sub holds the run's " + v.Name + " " + v.Value + ": every run presents another subject, so no federated credential can match the next run's"
	r.Facts = append(r.Facts, diag.F("per-run value in sub", v.Name+" "+v.Value), diag.F("subject template (as the token shows it)", tp.Text()))
	r.Hint = "remove {runId} from the account's OIDC subject template (Organization Settings → Security); build it from {spaceId}, {callerType}, {callerId}, {runType} and {scope}, which stay the same across a stack's runs, then create the credentials again"
	r.Fixes = []diag.Fix{templateFix}
	return r
}

// templateFix is the repair no command can make: the template is a setting
// of the Spacelift account, which only an account admin can change, in the
// web UI (https://docs.spacelift.io/integrations/cloud-providers/oidc/subject-template).
// Spacelift's default format holds no per-run value; an empty field means it.
var templateFix = diag.Fix{
	Title: "paste as the account's OIDC subject template (a Spacelift account admin: Organization Settings → Security → OIDC subject template; " +
		"an empty field means the same): Spacelift's default format, with no per-run value. It changes every stack's subjects: " +
		"the federated credentials must then match them (oidc-doctor subjects lists them)",
	Lang: "text", Text: spacelift.DefaultTemplate + "\n"}
