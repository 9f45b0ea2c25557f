package explain

// Finishing a finding read from a paste: comparing its values with a
// given token, the likely shapes of a credential mismatch, and the fixes.

import (
	"strings"

	"github.com/oidc-doctor/oidc-doctor/check/diag"
)

// isMasked reports whether a value was masked or elided by whoever pasted
// it (***, xxxx, <removed>, [REDACTED], …): it is reported as written and
// never compared or put into a fix.
func isMasked(v string) bool {
	l := strings.ToLower(v)
	for _, m := range []string{"***", "xxx", "redact", "removed", "omit", "<", "...", "…"} {
		if strings.Contains(l, m) {
			return true
		}
	}
	return v != "" && strings.Trim(l, "x*-_. ") == ""
}

// enrich compares the finding with the token, adds the likely shapes of a
// credential mismatch, and writes the fixes. ctx is what the rest of the
// paste says (the client id az login was given, the tenant in a URL): it
// fills a value the error itself masked.
func enrich(f *Finding, tok *Token, ctx fieldSet) {
	tokVal := map[string]string{}
	if tok != nil {
		tokVal = map[string]string{"issuer": tok.Issuer, "subject": tok.Subject, "audience": tok.FirstAudience()}
	}
	compareWithToken(f, tokVal)
	// known is a field's value when it is not masked, else the paste's
	// elsewhere, else the token's.
	known := func(k string) string {
		if v := f.Field(k); v != "" && !isMasked(v) {
			return v
		}
		if v := ctx[k]; v != "" && !isMasked(v) {
			return v
		}
		return tokVal[k]
	}
	ci, _ := lookupFinding(f.Code)
	if ficCauses[f.Cause] {
		f.Comparison = append(f.Comparison, likelyShapes(f, ci, tok, known).Facts()...)
	}
	if exp := f.Field("expected_subject"); exp != "" {
		f.Fix += " Entra expects the subject '" + exp + "'."
	}
	if id := known("client_id"); id != "" {
		f.Fix = strings.ReplaceAll(f.Fix, "<client-id>", id)
	}
	f.Fixes = chooseFixes(CodeInfo{Code: f.Code, Cause: f.Cause, Field: ci.Field}, values{
		ClientID: known("client_id"), TenantID: known("tenant"),
		Issuer: known("issuer"), Subject: known("subject"), Audience: known("audience"),
		ObjectID: known("object_id"), Action: known("action"), Scope: known("scope"), Namespace: known("namespace"),
		Policies: splitIDs(known("policy_ids")),
	})
	for _, k := range fieldOrder {
		if v := known(k); v != "" {
			f.Values = append(f.Values, diag.Fact{Key: k, Value: v})
		}
	}
	if f.Comparison == nil {
		f.Comparison = []diag.Fact{}
	}
	if f.Fixes == nil {
		f.Fixes = []diag.Fix{}
	}
	if f.Fields == nil {
		f.Fields = []diag.Fact{}
	}
}

// compareWithToken says, for each value Entra quoted, whether it is the
// token's, and how it differs; a masked value is only said to be masked.
func compareWithToken(f *Finding, tokVal map[string]string) {
	for _, k := range []string{"issuer", "subject", "audience"} {
		v, tv := f.Field(k), tokVal[k]
		switch {
		case v == "" || tv == "":
		case isMasked(v):
			f.Comparison = append(f.Comparison, diag.Fact{Key: k, Value: "masked in the paste; the token's is " + tv})
		case CompareValues(v, tv) == "identical":
			f.Comparison = append(f.Comparison, diag.Fact{Key: k, Value: "same as the token's"})
		default:
			c := CompareValues(v, tv)
			f.Comparison = append(f.Comparison, diag.Fact{Key: k, Value: "not the token's (" + tv + "): " + strings.ReplaceAll(strings.ReplaceAll(c, "presented", "error's"), "expected", "token's")})
		}
	}
}

// likelyShapes ranks the shapes of a credential mismatch for the field the
// code blames. The older AADSTS70021 blames none: each field's most likely
// shape is then only worth checking, unless the given token shows which
// value differs.
func likelyShapes(f *Finding, ci CodeInfo, tok *Token, known func(string) string) Shapes {
	var fields []string
	switch {
	case ci.Field != "" && ci.Field != "client_id":
		fields = []string{ci.Field}
	case f.Code == "AADSTS70021":
		fields = []string{"audience", "subject", "issuer"}
	}
	var out Shapes
	for _, k := range fields {
		if known(k) == "" && f.Field(k) != "" {
			continue // masked, and no token to say what it was
		}
		sh := MismatchShapes(f.Code, k, known(k), tok)
		switch {
		case len(fields) == 1:
			return sh
		case sh.Likely == "":
		case out.Likely == "" && tok != nil && differsFromToken(k, known(k), tok):
			// The one value that is not the given token's is the evidence.
			out.Likely = sh.Likely
		default:
			out.Also = append(out.Also, sh.Likely)
		}
	}
	return out
}

// differsFromToken reports whether the error's value of field k is not the token's.
func differsFromToken(k, v string, tok *Token) bool {
	t := map[string]string{"issuer": tok.Issuer, "subject": tok.Subject, "audience": tok.FirstAudience()}[k]
	return v != "" && t != "" && v != t
}
