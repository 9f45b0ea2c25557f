package token

import (
	"fmt"
	"strings"

	"github.com/oidc-doctor/oidc-doctor/check/diag"
	"github.com/oidc-doctor/oidc-doctor/check/redact"
	"github.com/oidc-doctor/oidc-doctor/check/spacelift"
)

// judgeFormat checks what Terraform will really send, then decodes it.
func judgeFormat(src *source) (*Token, diag.Result) {
	const id = "token-format"
	v := src.Value
	r := diag.Result{ID: id, Title: title(id)}
	fail := func(summary, hint string) (*Token, diag.Result) {
		r.Status, r.Summary, r.Hint = diag.StatusFail, summary, hint
		return nil, r
	}
	switch {
	case len(v) >= 2 && (v[0] == '"' && v[len(v)-1] == '"' || v[0] == '\'' && v[len(v)-1] == '\''):
		return fail("the token from "+src.label()+" is wrapped in quotes; Terraform would send the quotes and Entra answers AADSTS50027",
			"write the bare token: drop the quotes around the value (in a hook, use \"$(cat file)\" without extra quoting inside)")
	case strings.HasPrefix(strings.ToLower(v), "bearer "):
		return fail("the token from "+src.label()+" starts with \"Bearer \"; Terraform would send it as is and Entra answers AADSTS50027",
			"store only the token itself, without the \"Bearer \" prefix")
	case strings.HasPrefix(v, "{") || strings.HasPrefix(v, "["):
		// A JSON file: DecodeUnverified names it.
	case strings.ContainsAny(v, "\r\n"):
		return fail("the token from "+src.label()+" spans more than one line; azurerm trims only surrounding whitespace, so the line break goes to Entra",
			"keep only the token's single line: the file must hold one JWT and nothing else")
	case strings.ContainsAny(v, " \t"):
		return fail("the token from "+src.label()+" contains whitespace inside it; a JWT has none",
			"make sure the file holds exactly one token, not a log line or several values")
	}
	tok, err := DecodeUnverified(v)
	if err != nil {
		r.Status, r.Summary = diag.StatusFail, "the token from "+src.label()+" is not usable: "+err.Error()
		r.Hint = "point oidc-doctor (and Terraform's oidc_token_file_path) at Spacelift's token, " + spacelift.TokenPath + ", or SPACELIFT_OIDC_TOKEN"
		if te, ok := err.(*TokenError); ok {
			r.Facts = []diag.Fact{diag.F("problem", te.Kind)}
		}
		return nil, r
	}
	if len(tok.TypeErrors) > 0 {
		r.Status = diag.StatusFail
		r.Summary = "the token has claims Entra cannot read: " + strings.Join(tok.TypeErrors, "; ")
		r.Hint = "Entra will reject it (AADSTS50027); this is not a token Spacelift issued: check where it comes from"
		return tok, r
	}
	r.Status, r.Summary = diag.StatusPass, "a compact JWS of three parts (claims decoded; signature not verified here)"
	r.Facts = []diag.Fact{diag.F("fingerprint", redact.Fingerprint(v)), diag.F("length", fmt.Sprintf("%d bytes", len(v)))}
	return tok, r
}
