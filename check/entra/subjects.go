package entra

import (
	"fmt"

	"github.com/oidc-doctor/oidc-doctor/check/diag"
	"github.com/oidc-doctor/oidc-doctor/check/fixes"
	"github.com/oidc-doctor/oidc-doctor/check/spacelift"
)

// subjectsOfToken lists every subject the token's stack or module needs,
// when its subject is in the default format (a custom template would make
// the default variants wrong).
func subjectsOfToken(in Input) (diag.Result, bool) {
	sc := in.Spacelift
	if sc.SpaceID == "" || sc.CallerID == "" || sc.CallerType == "" {
		return diag.Result{}, false
	}
	if _, err := spacelift.ParseSubject(in.Token.Subject); err != nil {
		return diag.Result{}, false
	}
	return Subjects(in.Token.Issuer, in.Token.FirstAudience(), in.ClientID, sc.SpaceID, sc.CallerType, sc.CallerID, in.Token.Subject), true
}

// Subjects is the fic-subjects result: every subject a stack or module can
// present, counted against Entra's limit, with the commands. The subject
// except (the one a failed exchange already printed a fix for) is listed
// but left out of the commands; "" leaves none out.
func Subjects(issuer, audience, clientID, spaceID, callerType, callerID, except string) diag.Result {
	vs := spacelift.AllSubjects(spaceID, callerType, callerID)
	r := diag.Result{ID: "fic-subjects", Title: "All subjects this " + callerType + " needs", Status: diag.StatusWarn}
	var subs []string
	for _, v := range vs {
		note := v.Why
		if v.Uncertain != "" {
			note += " (" + v.Uncertain + ")"
		}
		if s := v.Subject.String(); s == except {
			note += " (this run's: see entra-exchange)"
		} else {
			subs = append(subs, s)
		}
		r.Facts = append(r.Facts, diag.F(v.Subject.String(), note))
	}
	r.Summary = fmt.Sprintf("%s %s presents up to %d different subjects, one federated credential each (Entra allows at most 20 per identity and has no wildcards)", callerType, callerID, len(vs))
	r.Hint = "create all of them now, so the next run type or the apply phase does not fail the same way"
	if len(subs) < len(vs) {
		r.Hint = fmt.Sprintf("create the other %d now, so the next run type or the apply phase does not fail the same way", len(subs))
	}
	r.Fixes = fixes.FICAll(clientID, issuer, audience, subs)
	return r
}
