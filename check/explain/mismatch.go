package explain

import (
	"fmt"
	"strings"

	"github.com/oidc-doctor/oidc-doctor/check/diag"
	"github.com/oidc-doctor/oidc-doctor/check/spacelift"
)

// Shapes are the ways a federated credential may differ from the value the
// token presented, ranked by the evidence: the code Entra returned, the
// presented value, the subjects the stack can present, and the token.
type Shapes struct {
	// Likely is the one most likely cause, one sentence; empty when the
	// evidence points at none.
	Likely string
	// Also are the other things worth checking, most likely first.
	Also []string
}

// Facts are the shapes as facts: "likely", then an "also check" for each other.
func (s Shapes) Facts() []diag.Fact {
	var out []diag.Fact
	if s.Likely != "" {
		out = append(out, diag.F("likely", s.Likely))
	}
	for _, a := range s.Also {
		out = append(out, diag.F("also check", a))
	}
	return out
}

// MismatchShapes ranks the ways a federated credential's field may differ
// from the value the token presented. code is the AADSTS code Entra returned
// ("AADSTS7002138"), or "" when it is not known; field is "issuer",
// "audience" or "subject"; presented is the value Entra quoted (or the
// token's, when empty and tok is given). tok may be nil. Entra never says
// which credential it compared against, so what the code and the values
// rule out is left out, and what they point at comes first.
func MismatchShapes(code, field, presented string, tok *Token) Shapes {
	if presented == "" && tok != nil {
		switch field {
		case "issuer":
			presented = tok.Issuer
		case "audience":
			presented = tok.FirstAudience()
		case "subject":
			presented = tok.Subject
		}
	}
	var out Shapes
	if presented != strings.TrimSpace(presented) {
		out.Likely = fmt.Sprintf("The presented %s %q has surrounding whitespace, which Entra does not trim: fix what produced the token.", field, presented)
		presented = strings.TrimSpace(presented)
	}
	var ranked []string
	switch field {
	case "issuer":
		ranked = issuerShapes(presented, tok)
	case "audience":
		ranked = audienceShapes(presented, tok)
	case "subject":
		if canonical(code) == 7002138 {
			// Entra has said the cause: letter case, and nothing else.
			return Shapes{Likely: caseShape(presented)}
		}
		ranked = subjectShapes(canonical(code), presented, tok)
	}
	// An empty first shape means the evidence points at none.
	for i, r := range ranked {
		switch {
		case r == "":
		case i == 0 && out.Likely == "":
			out.Likely = r
		default:
			out.Also = append(out.Also, r)
		}
	}
	return out
}

// caseShape is the one finding of AADSTS7002138.
func caseShape(sub string) string {
	rt := "the run type"
	if s, err := spacelift.ParseSubject(spacelift.FixCase(sub)); err == nil {
		rt = "run_type:" + s.RunType
	}
	return fmt.Sprintf("Entra says a credential's subject equals %s when letter case is ignored: correct that credential's letter case to exactly this (Spacelift writes %s in upper case and the ids as spelled).", sub, rt)
}

// issuerShapes ranks the issuer's shapes; an empty first one means the
// evidence points at none.
func issuerShapes(iss string, tok *Token) []string {
	var first string
	var out []string
	if tok != nil && tok.FirstAudience() != "" && iss != "" && !strings.Contains(iss, tok.FirstAudience()) {
		first = fmt.Sprintf("The token's issuer %q and audience %q name different hosts: the token may come from another account than the one configured.", iss, tok.FirstAudience())
	}
	if strings.HasSuffix(iss, "/") {
		out = append(out, fmt.Sprintf("The presented issuer %q ends in a slash; the credential must end in one too, or the issuer must drop it.", iss))
	} else if iss != "" {
		out = append(out, fmt.Sprintf("The credential's issuer most likely has a trailing slash (%s/), as the portal and many guides write it; it must be exactly %s.", iss, iss))
	}
	if rest, ok := strings.CutPrefix(iss, "https://"); ok {
		out = append(out, fmt.Sprintf("The credential's issuer may start with http:// (http://%s); it must be https://.", rest))
		host, _, _ := strings.Cut(rest, "/")
		switch {
		case strings.HasSuffix(host, ".app.us.spacelift.io"):
			out = append(out, fmt.Sprintf("The credential may name the default-region host (%s.app.spacelift.io); this account is in the US region.", strings.TrimSuffix(host, ".app.us.spacelift.io")))
		case strings.HasSuffix(host, ".app.spacelift.io"):
			acct := strings.TrimSuffix(host, ".app.spacelift.io")
			out = append(out, fmt.Sprintf("The credential may name another Spacelift account or the US region (e.g. https://%s.app.us.spacelift.io); the issuer is per account: %s.", acct, iss))
		default:
			out = append(out, fmt.Sprintf("The credential may name another account's host; the issuer must be this token's, %s.", iss))
		}
	}
	out = append(out, "The credential's issuer may have leading or trailing whitespace, pasted from the portal or a variable.")
	if first != "" {
		out = append([]string{first}, out...)
	}
	return out
}

func audienceShapes(aud string, tok *Token) []string {
	var out []string
	if tok != nil && len(tok.Audience) > 1 {
		out = append(out, fmt.Sprintf("The token carries %d audiences (%s); Entra needs the credential's single audience to be one of them.", len(tok.Audience), tok.AudienceString()))
	}
	if aud != "api://AzureADTokenExchange" {
		out = append(out, fmt.Sprintf("The credential's audience is most likely still the portal default api://AzureADTokenExchange; Spacelift tokens carry the account host, %s.", aud))
	} else {
		out = append(out, "")
	}
	if aud != "" && !strings.Contains(aud, "://") {
		out = append(out, fmt.Sprintf("The credential's audience may be the issuer URL (https://%s); the audience is the bare host %s.", aud, aud))
	}
	if strings.HasSuffix(aud, ".app.spacelift.io") && !strings.HasSuffix(aud, ".app.us.spacelift.io") {
		out = append(out, fmt.Sprintf("The credential's audience may name another account or region (e.g. %s.app.us.spacelift.io).", strings.TrimSuffix(aud, ".app.spacelift.io")))
	}
	out = append(out, "The credential's audience may have a trailing slash or surrounding whitespace.")
	return out
}

// subjectShapes ranks the subject's shapes against the subjects the stack
// (or module) can present. code is Entra's, canonical; for 700213 a
// difference in letter case alone is ruled out (Entra would have answered
// 7002138).
func subjectShapes(code int, sub string, tok *Token) []string {
	s, err := spacelift.ParseSubject(sub)
	if err != nil {
		if ls, err2 := spacelift.ParseSubject(spacelift.FixCase(sub)); err2 == nil {
			return []string{fmt.Sprintf("The presented subject has unusual letter case in its fixed words; Spacelift's default form is %s, and the credential must equal what the token presents.", ls.String())}
		}
		return []string{
			fmt.Sprintf("The subject is not in Spacelift's default format (%v): a custom subject template is in use, and the credential must equal the rendered subject exactly.", err),
			"The credential may still hold a subject in the default format, written before the template changed.",
		}
	}
	var out []string
	if tok != nil && tok.Subject != "" && tok.Subject != sub {
		out = append(out, fmt.Sprintf("The error's subject is not the given token's (%s): the failing run was another run type, stack or scope, and the credential it needs is for the error's subject.", tok.Subject))
	}
	out = append(out, presentedAmong(s))
	if slug, ok := spacelift.SpaceSlug(s.SpaceID); ok {
		t := s
		t.SpaceID = slug
		out = append(out, fmt.Sprintf("The credential may use the space name without its ID suffix (%s instead of %s).", t.String(), s.SpaceID))
	}
	if s.CallerType == "module" {
		t := s
		t.CallerType = "stack"
		out = append(out, fmt.Sprintf("The credential may use the stack segment as Spacelift's Azure page writes module subjects (%s); the token says module.", t.String()))
	} else if tok != nil && tok.CallerType == "module" {
		out = append(out, "The token's callerType is module but its subject says stack: the credential must follow the subject.")
	}
	if code != 700213 {
		out = append(out, fmt.Sprintf("The credential may differ in letter case: run_type:%s is upper case, everything else is as spelled in the token, and Entra compares case-sensitively.", s.RunType))
	}
	return out
}

// presentedAmong says which of its caller's subjects s is, and what a
// credential for a neighbouring one leaves uncovered.
func presentedAmong(s spacelift.Subject) string {
	vs := spacelift.AllSubjects(s.SpaceID, s.CallerType, s.CallerID)
	sub := s.String()
	for _, v := range vs {
		if v.Subject.String() != sub {
			continue
		}
		if s.RunType == "TRACKED" && s.Scope == "read" {
			return fmt.Sprintf("This is the planning phase of a tracked run on a stack without autodeploy, which presents scope:read: no credential has %s, and one for scope:write does not cover it.", sub)
		}
		return fmt.Sprintf("No credential has this run's subject, %s (%s): it is one of the %d subjects this %s presents, each needing its own credential, and one for another run type or scope does not cover it.", sub, v.Why, len(vs), s.CallerType)
	}
	return fmt.Sprintf("No credential has %s: run_type:%s with scope:%s is not among the subjects Spacelift documents for a %s, so check how the run was started.", sub, s.RunType, s.Scope, s.CallerType)
}

// CompareValues describes, at the byte level, how presented differs from
// expected: "identical", "differs only in letter case ...", "has a trailing
// slash ...", "has surrounding whitespace ...", or "differs at byte N: ...".
// Byte positions count from 1.
func CompareValues(presented, expected string) string {
	switch {
	case presented == expected:
		return "identical"
	case strings.TrimSpace(presented) == strings.TrimSpace(expected):
		if presented != strings.TrimSpace(presented) {
			return fmt.Sprintf("the presented value has surrounding whitespace (%q)", presented)
		}
		return fmt.Sprintf("the expected value has surrounding whitespace (%q)", expected)
	case presented+"/" == expected:
		return "the expected value has a trailing slash the presented value lacks"
	case presented == expected+"/":
		return "the presented value has a trailing slash the expected value lacks"
	case "https://"+presented == expected:
		return "the expected value has https:// in front; the presented value is the bare host"
	case presented == "https://"+expected:
		return "the presented value has https:// in front; the expected value is the bare host"
	case strings.EqualFold(presented, expected):
		i := firstDiff(presented, expected)
		return fmt.Sprintf("differs only in letter case, first at byte %d (%q vs %q)", i+1, presented[i:i+1], expected[i:i+1])
	}
	i := firstDiff(presented, expected)
	switch {
	case i == len(presented):
		return fmt.Sprintf("differs at byte %d: the presented value ends there; the expected value goes on with %q", i+1, diag.Truncate(expected[i:], 16))
	case i == len(expected):
		return fmt.Sprintf("differs at byte %d: the expected value ends there; the presented value goes on with %q", i+1, diag.Truncate(presented[i:], 16))
	}
	return fmt.Sprintf("differs at byte %d: presented has %q, expected has %q", i+1, diag.Truncate(presented[i:], 16), diag.Truncate(expected[i:], 16))
}

func firstDiff(a, b string) int {
	n := min(len(a), len(b))
	for i := 0; i < n; i++ {
		if a[i] != b[i] {
			return i
		}
	}
	return n
}
