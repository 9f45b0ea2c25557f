package explain

import (
	"fmt"
	"strings"

	"github.com/oidc-doctor/oidc-doctor/check/diag"
	"github.com/oidc-doctor/oidc-doctor/check/spacelift"
)

// MismatchShapes lists the likely ways a federated credential's field differs
// from the value the token presented, most likely first, one short sentence
// each. field is "issuer", "audience" or "subject"; presented is the value
// Entra quoted (or the token's, when empty and tok is given). tok may be nil.
// Entra never tells which credential value it compared against, so these are
// the common mistakes, checked against the presented value where possible.
func MismatchShapes(field, presented string, tok *Token) []string {
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
	var out []string
	if presented != strings.TrimSpace(presented) {
		out = append(out, fmt.Sprintf("The presented %s %q has surrounding whitespace, which Entra does not trim: fix what produced the token.", field, presented))
		presented = strings.TrimSpace(presented)
	}
	switch field {
	case "issuer":
		out = append(out, issuerShapes(presented, tok)...)
	case "audience":
		out = append(out, audienceShapes(presented, tok)...)
	case "subject":
		out = append(out, subjectShapes(presented, tok)...)
	}
	return out
}

func issuerShapes(iss string, tok *Token) []string {
	var out []string
	if strings.HasSuffix(iss, "/") {
		out = append(out, fmt.Sprintf("The presented issuer %q ends in a slash; the credential must end in one too, or the issuer must drop it.", iss))
	} else if iss != "" {
		out = append(out, fmt.Sprintf("The credential's issuer may have a trailing slash (%s/); it must be exactly %s.", iss, iss))
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
	if tok != nil && tok.FirstAudience() != "" && iss != "" && !strings.Contains(iss, tok.FirstAudience()) {
		out = append(out, fmt.Sprintf("The token's issuer %q and audience %q name different hosts: the token may come from another account than the one configured.", iss, tok.FirstAudience()))
	}
	out = append(out, "The credential's issuer may have leading or trailing whitespace, pasted from the portal or a variable.")
	return out
}

func audienceShapes(aud string, tok *Token) []string {
	var out []string
	if aud != "api://AzureADTokenExchange" {
		out = append(out, fmt.Sprintf("The credential's audience may still be the portal default api://AzureADTokenExchange; Spacelift tokens carry the account host, %s.", aud))
	}
	if aud != "" && !strings.Contains(aud, "://") {
		out = append(out, fmt.Sprintf("The credential's audience may be the issuer URL (https://%s); the audience is the bare host %s.", aud, aud))
	}
	if strings.HasSuffix(aud, ".app.spacelift.io") && !strings.HasSuffix(aud, ".app.us.spacelift.io") {
		out = append(out, fmt.Sprintf("The credential's audience may name another account or region (e.g. %s.app.us.spacelift.io).", strings.TrimSuffix(aud, ".app.spacelift.io")))
	}
	if tok != nil && len(tok.Audience) > 1 {
		out = append(out, fmt.Sprintf("The token carries %d audiences (%s); Entra needs the credential's single audience to be one of them.", len(tok.Audience), tok.AudienceString()))
	}
	out = append(out, "The credential's audience may have a trailing slash or surrounding whitespace.")
	return out
}

func subjectShapes(sub string, tok *Token) []string {
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
	other := func(scope string) string {
		t := s
		t.Scope = scope
		return t.String()
	}
	switch {
	case s.RunType == "TRACKED" && s.Scope == "read":
		out = append(out, fmt.Sprintf("This is the planning phase of a tracked run on a stack without autodeploy, which presents scope:read; a credential for scope:write alone does not cover it: add one for %s.", sub))
	case s.Scope == "write":
		out = append(out, fmt.Sprintf("The credential may have scope:read (%s); this run presents scope:write.", other("read")))
	default:
		out = append(out, fmt.Sprintf("The credential may have scope:write (%s); this run presents scope:read.", other("write")))
	}
	out = append(out, fmt.Sprintf("The credential may be for another run type; this run presents run_type:%s, and each run type (PROPOSED, TRACKED, TASK, TESTING, DESTROY) needs its own credential.", s.RunType))
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
	out = append(out, "The credential may differ in letter case: run_type is upper case (TRACKED), everything else is as spelled in the token, and Entra compares case-sensitively.")
	if tok != nil && tok.Subject != "" && tok.Subject != sub {
		out = append(out, "The error's subject is not the given token's: the failing run was a different run type, stack or scope.")
	}
	return out
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
