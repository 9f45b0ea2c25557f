package explain

import (
	"sort"
	"strconv"
	"strings"

	"github.com/oidc-doctor/oidc-doctor/check/diag"
)

// Paste reads pasted error output (Terraform with its │ borders, az CLI,
// azidentity's Error() text, JSON bodies with their escapes, logs, markdown,
// Kubernetes events) and returns one Finding per distinct Entra or ARM error
// in it: root causes first (Entra refusals before the ARM errors they
// cause), then in order of appearance. With a token it also compares the
// values Entra quoted with the token's. It runs in time linear in the text:
// plain scans find the codes, and the few regexps run only on short windows.

// Finding is one error code found in pasted text, explained.
type Finding struct {
	// Code is the code as printed: "AADSTS700213", "AuthorizationFailed".
	Code  string
	Cause diag.Cause
	// Fields are the values the text names, exactly as written, in a fixed
	// key order: issuer, subject, audience, expected_subject, client_id,
	// object_id, tenant, token_tenant, subscription, action, scope, namespace.
	Fields                  []diag.Fact
	Title, Explanation, Fix string
	// Message is the service's own text for this error, trimmed, at most 500 bytes.
	Message                           string
	TraceID, CorrelationID, Timestamp string
	// Comparison compares the quoted values with the token's (when a token is
	// given) and lists the likely shapes of a credential mismatch (key "likely").
	Comparison []diag.Fact
	// Fixes are commands and configuration to paste.
	Fixes []diag.Fix

	pos int
}

// fieldOrder is the order of Finding.Fields.
var fieldOrder = []string{"issuer", "subject", "audience", "expected_subject", "client_id", "object_id", "tenant", "token_tenant", "subscription", "action", "scope", "namespace"}

// Paste finds, explains and de-duplicates every error code in text. tok may be nil.
func Paste(text string, tok *Token) []Finding {
	s := normalize(text)
	aad := findAADSTS(s)
	armf := findARM(s)
	out := append(dedupe(aad), dedupe(armf)...)
	for i := range out {
		enrich(&out[i], tok)
	}
	return out
}

// dedupe merges findings for the same error repeated (same code, no field
// values in conflict), keeping the first place it appeared and filling
// in what a later repetition adds.
func dedupe(fs []Finding) []Finding {
	sort.SliceStable(fs, func(a, b int) bool { return fs[a].pos < fs[b].pos })
	var out []Finding
next:
	for _, f := range fs {
		for i := range out {
			if out[i].Code == f.Code && compatible(out[i].Fields, f.Fields) {
				merge(&out[i], f)
				continue next
			}
		}
		out = append(out, f)
	}
	return out
}

func compatible(a, b []diag.Fact) bool {
	for _, x := range a {
		for _, y := range b {
			if x.Key == y.Key && x.Value != y.Value {
				return false
			}
		}
	}
	return true
}

func merge(dst *Finding, f Finding) {
	fs := fieldSet{}
	for _, x := range append(append([]diag.Fact(nil), dst.Fields...), f.Fields...) {
		fs.set(x.Key, x.Value)
	}
	dst.Fields = fs.facts()
	if dst.Cause != f.Cause && f.Cause != diag.CauseOther && len(f.Fields) > 0 {
		dst.Cause, dst.Title, dst.Explanation, dst.Fix = f.Cause, f.Title, f.Explanation, f.Fix
	}
	dst.Message = diag.FirstNonEmpty(dst.Message, f.Message)
	dst.TraceID = diag.FirstNonEmpty(dst.TraceID, f.TraceID)
	dst.CorrelationID = diag.FirstNonEmpty(dst.CorrelationID, f.CorrelationID)
	dst.Timestamp = diag.FirstNonEmpty(dst.Timestamp, f.Timestamp)
}

// Field returns the value of a finding's field, or "".
func (f Finding) Field(key string) string {
	for _, x := range f.Fields {
		if x.Key == key {
			return x.Value
		}
	}
	return ""
}

// enrich compares the finding with the token, adds the likely shapes of a
// credential mismatch, and writes the fixes.
func enrich(f *Finding, tok *Token) {
	tokVal := map[string]string{}
	if tok != nil {
		tokVal = map[string]string{"issuer": tok.Issuer, "subject": tok.Subject, "audience": tok.FirstAudience()}
	}
	for _, k := range []string{"issuer", "subject", "audience"} {
		v, tv := f.Field(k), tokVal[k]
		if v == "" || tv == "" {
			continue
		}
		if c := CompareValues(v, tv); c == "identical" {
			f.Comparison = append(f.Comparison, diag.Fact{Key: k, Value: "same as the token's"})
		} else {
			f.Comparison = append(f.Comparison, diag.Fact{Key: k, Value: "not the token's (" + tv + "): " + strings.ReplaceAll(strings.ReplaceAll(c, "presented", "error's"), "expected", "token's")})
		}
	}
	val := func(k string) string { return diag.FirstNonEmpty(f.Field(k), tokVal[k]) }
	ci, _ := lookupFinding(f.Code)
	if ficCauses[f.Cause] {
		var fields []string
		if ci.Field != "" && ci.Field != "client_id" {
			fields = []string{ci.Field}
		} else if f.Code == "AADSTS70021" {
			fields = []string{"audience", "subject", "issuer"}
		}
		for _, k := range fields {
			shapes := MismatchShapes(k, val(k), tok)
			if len(fields) > 1 && len(shapes) > 1 {
				shapes = shapes[:1]
			}
			for _, sh := range shapes {
				f.Comparison = append(f.Comparison, diag.Fact{Key: "likely", Value: sh})
			}
		}
	}
	if exp := f.Field("expected_subject"); exp != "" {
		f.Fix += " Entra expects the subject '" + exp + "'."
	}
	f.Fixes = chooseFixes(CodeInfo{Code: f.Code, Cause: f.Cause, Field: ci.Field}, values{
		ClientID: f.Field("client_id"), TenantID: f.Field("tenant"),
		Issuer: val("issuer"), Subject: val("subject"), Audience: val("audience"),
		ObjectID: f.Field("object_id"), Action: f.Field("action"), Scope: f.Field("scope"), Namespace: f.Field("namespace"),
	})
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

func lookupFinding(code string) (CodeInfo, bool) {
	if n, ok := strings.CutPrefix(code, "AADSTS"); ok {
		if v, err := strconv.Atoi(n); err == nil {
			return LookupAADSTS(v)
		}
	}
	return LookupARM(code)
}
