package entra

import (
	"fmt"
	"strings"

	"github.com/oidc-doctor/oidc-doctor/check/diag"
	"github.com/oidc-doctor/oidc-doctor/check/fixes"
	"github.com/oidc-doctor/oidc-doctor/check/spacelift"
)

// subjectsOfToken lists every subject the token's stack or module needs,
// under the subject template the token shows (spacelift.Infer): the
// default format's, or a custom template's as far as it can be told. A
// subject that holds the run id lists nothing: claim-sub says why.
func subjectsOfToken(in Input) (diag.Result, bool) {
	sc := in.Spacelift
	if sc.SpaceID == "" || sc.CallerID == "" || sc.CallerType == "" {
		return diag.Result{}, false
	}
	if _, bad := spacelift.Untemplatable(in.Token.Subject); bad >= 0 {
		return diag.Result{}, false
	}
	tp := spacelift.Infer(in.Token.Subject, sc)
	if tp.PerRun != "" {
		return diag.Result{}, false
	}
	vs, cannot := tp.Variants(sc)
	if len(vs) == 0 {
		return diag.Result{}, false
	}
	r := SubjectsOf(in.Token.Issuer, in.Token.FirstAudience(), in.ClientID, sc.CallerType, sc.CallerID, vs, in.Token.Subject)
	TemplateFacts(&r, tp, cannot)
	return r, true
}

// TemplateFacts adds what a custom template is known to be, and the run
// types and scopes whose subjects cannot be built, to a subjects result.
func TemplateFacts(r *diag.Result, tp spacelift.Template, cannot []string) {
	if tp.Default {
		return
	}
	r.Facts = append(r.Facts, diag.F("subject template (as the token shows it)", tp.Text()))
	for _, u := range tp.Unsure {
		r.Facts = append(r.Facts, diag.F("not inferred", u))
	}
	if len(cannot) > 0 {
		r.Facts = append(r.Facts, diag.F("cannot be built", strings.Join(cannot, ", ")))
	}
}

// Subjects is the fic-subjects result: every subject a stack or module can
// present in Spacelift's default format, counted against Entra's limit,
// with the commands. The subject except (the one a failed exchange already
// printed a fix for) is listed but left out of the commands; "" leaves
// none out.
func Subjects(issuer, audience, clientID, spaceID, callerType, callerID, except string) diag.Result {
	return SubjectsOf(issuer, audience, clientID, callerType, callerID, spacelift.AllSubjects(spaceID, callerType, callerID), except)
}

// SubjectsOf is Subjects for the subjects vs (those of a custom template).
func SubjectsOf(issuer, audience, clientID, callerType, callerID string, vs []spacelift.Variant, except string) diag.Result {
	r := diag.Result{ID: "fic-subjects", Title: "All subjects this " + callerType + " needs", Status: diag.StatusWarn}
	var subs []string
	for _, v := range vs {
		note := v.Why
		if v.Uncertain != "" {
			note += " (" + v.Uncertain + ")"
		}
		if s := v.String(); s == except {
			note += " (this run's: see entra-exchange)"
		} else {
			subs = append(subs, s)
		}
		r.Facts = append(r.Facts, diag.F(v.String(), note))
	}
	r.Summary = fmt.Sprintf("%s %s presents up to %d different subjects, one federated credential each (Entra allows at most 20 per identity and has no wildcards)", callerType, callerID, len(vs))
	r.Hint = "create all of them now, so the next run type or the apply phase does not fail the same way"
	if len(subs) < len(vs) {
		r.Hint = fmt.Sprintf("create the other %d now, so the next run type or the apply phase does not fail the same way", len(subs))
	}
	r.Fixes = fixes.FICAll(clientID, issuer, audience, subs)
	return r
}
