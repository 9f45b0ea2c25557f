package explain

import (
	"net/http"
	"strings"
	"testing"
)

// causeWords says, per AADSTS code, what a headline must name (any of
// want) and what it must never say (the claims that would contradict
// Entra's own message).
var causeWords = map[int]struct{ want, not []string }{
	70021:   {[]string{"matches the token"}, nil},
	700211:  {[]string{"issuer"}, []string{"client id", "audience"}},
	700212:  {[]string{"audience"}, []string{"client id"}},
	700213:  {[]string{"subject"}, []string{"client id", "letter case"}},
	7002138: {[]string{"letter case"}, []string{"client id"}},
	70025:   {[]string{"has no federated credentials"}, []string{"not an Application (client) ID", "no app with"}},
	700016:  {[]string{"no app with client id"}, []string{"disabled", "service principal"}},
	7000229: {[]string{"has no service principal"}, []string{"not an Application (client) ID", "no app with", "disabled"}},
	7000112: {[]string{"is disabled"}, []string{"not an Application (client) ID", "no app with"}},
	90002:   {[]string{"does not exist"}, []string{"client id"}},
	900023:  {[]string{"neither a tenant GUID nor a domain"}, nil},
	700024:  {[]string{"expired", "not valid yet", "time range"}, nil},
	50166:   {[]string{"could not reach the token's issuer"}, nil},
	7000272: {[]string{"signing key"}, nil},
	900612:  {[]string{"signing keys"}, nil},
	53003:   {[]string{"conditional access"}, nil},
	90033:   {[]string{"transient"}, nil},
	90055:   {[]string{"throttling"}, nil},
}

// headlineWords returns what a headline for an AADSTS code ("AADSTS7000112")
// must name and must not say; ok is false for a code without such a rule.
func headlineWords(code string) (want, not []string, ok bool) {
	w, ok := causeWords[canonical(code)]
	return w.want, w.not, ok
}

// TestHeadlineOnRecordedAnswers gives every real recorded Entra answer to
// the live reading: its summary names the cause of the code Entra
// returned and never contradicts it.
func TestHeadlineOnRecordedAnswers(t *testing.T) {
	rec := loadRecorded(t, "entra")
	x := Exchange{ClientID: "2b8e6f1a-4c3d-4e9b-a7f2-6d1c0e5b9a38", TenantID: "5c2a7e14-9b3d-4f61-8a0e-3d7c91b2e6f4",
		Token: Token{Issuer: "https://acme.app.spacelift.io", Subject: "space:root:stack:infra:run_type:TRACKED:scope:write", Audience: []string{"acme.app.spacelift.io"}}}
	checked := 0
	for _, name := range sortedNames(rec) {
		r := rec[name]
		status := r.LiveStatus
		if status == 0 {
			status = http.StatusBadRequest
		}
		v := Entra(EntraAnswer{Stage: "token request", Status: status, ContentType: r.ContentType, Body: []byte(r.Body)}, x)
		want, not, ok := headlineWords(v.ErrorCode)
		if !ok {
			continue
		}
		checked++
		low := strings.ToLower(v.Summary)
		named := false
		for _, w := range want {
			named = named || strings.Contains(low, strings.ToLower(w))
		}
		if !named {
			t.Errorf("%s (%s): summary %q names none of %q", name, v.ErrorCode, v.Summary, want)
		}
		for _, w := range not {
			if strings.Contains(low, strings.ToLower(w)) {
				t.Errorf("%s (%s): summary %q says %q, which contradicts the code", name, v.ErrorCode, v.Summary, w)
			}
		}
		if len(v.Fixes) > 0 && v.Fixes[0].Lang != "sh" && v.Fixes[0].Lang != "text" {
			t.Errorf("%s: the first fix is %s, not a command or a setting", name, v.Fixes[0].Lang)
		}
	}
	if checked < 20 {
		t.Errorf("only %d recorded answers checked", checked)
	}
}

// TestPerCauseFixes pins the first fix of the codes that name the app.
func TestPerCauseFixes(t *testing.T) {
	const id = "2b8e6f1a-4c3d-4e9b-a7f2-6d1c0e5b9a38"
	v := values{ClientID: id, TenantID: "5c2a7e14-9b3d-4f61-8a0e-3d7c91b2e6f4", Issuer: "https://acme.app.spacelift.io",
		Subject: "space:root:stack:infra:run_type:TRACKED:scope:write", Audience: "acme.app.spacelift.io"}
	for code, want := range map[int]string{
		7000112: "az ad sp update --id " + id + " --set accountEnabled=true\n",
		7000229: "az ad sp create --id " + id + "\n",
		70025:   "| grep -q . || az ad app federated-credential create --id " + id + " ",
		700016:  "az ad sp show --id \"$(az ad app show --id " + id + " --query appId -o tsv 2>/dev/null || echo " + id + ")\" --query appId -o tsv && az account show --query tenantId -o tsv\n",
		90002:   "az account show --query tenantId -o tsv\n",
		700212:  "az ad app federated-credential update --id " + id + " --federated-credential-id \"$(",
		700211:  "contains(issuer, 'acme.app.spacelift.io')",
		7002138: "tolower($2) == tolower(ENVIRON[\"s\"])",
		700213:  "| grep -q . || az ad app federated-credential create",
	} {
		ci, _ := LookupAADSTS(code)
		fs := chooseFixes(ci, v)
		if len(fs) == 0 || !strings.Contains(fs[0].Text, want) {
			t.Errorf("%d: first fix lacks %q:\n%+v", code, want, fs)
			continue
		}
		for _, f := range fs[1:] {
			if !strings.HasPrefix(f.Title, "alternative: ") && !strings.HasPrefix(f.Title, "then, if ") {
				t.Errorf("%d: fix %q after the first is not labelled an alternative", code, f.Title)
			}
		}
	}
	// A wrong tenant gets a tenant fix.
	ci, _ := LookupAADSTS(90002)
	if fs := chooseFixes(ci, v); len(fs) != 2 || !strings.Contains(fs[1].Text, "ARM_TENANT_ID=") || strings.Contains(fs[1].Text, "ARM_CLIENT_ID") {
		t.Errorf("tenant fixes: %+v", fs)
	}
}

// TestPasteLikelyByEvidence: the likely lines of pasted errors follow the
// code and the presented subject: letter case alone for 7002138, and
// nothing about TRACKED for a PROPOSED run.
func TestPasteLikelyByEvidence(t *testing.T) {
	const tok = "Assertion Issuer: 'https://acme.app.spacelift.io'. Assertion Audience: 'acme.app.spacelift.io'."
	for _, tt := range []struct {
		text, likely string
		not          string
		also         int
	}{
		{"AADSTS700213: No matching federated identity record found for presented assertion subject 'space:root:stack:infra:run_type:PROPOSED:scope:read'.", "proposed runs", "TRACKED", 0},
		{"AADSTS7002138: No matching federated identity record found for presented assertion subject 'space:root:stack:infra:run_type:PROPOSED:scope:read'. The subject matches with case-insensitive comparison, but not with case-sensitive comparison.", "letter case", "scope:write", 0},
	} {
		fs := Paste(tt.text+" "+tok, nil)
		if len(fs) != 1 {
			t.Fatalf("%d findings", len(fs))
		}
		var likely []string
		also := 0
		for _, c := range fs[0].Comparison {
			switch c.Key {
			case "likely":
				likely = append(likely, c.Value)
			case "also check":
				also++
			}
			if strings.Contains(c.Value, tt.not) {
				t.Errorf("%s: says %q: %s", fs[0].Code, tt.not, c.Value)
			}
		}
		if len(likely) != 1 || !strings.Contains(likely[0], tt.likely) || also != tt.also {
			t.Errorf("%s: likely %q (want one with %q), %d also-checks (want %d)", fs[0].Code, likely, tt.likely, also, tt.also)
		}
	}
}

// TestServiceFaultHintOnce: a 5xx whose code's own text says to retry
// (AADSTS90033, the real 503 of testdata/recorded) says it once; a code
// that is not a service fault, answered with a 5xx, gets the advice first.
func TestServiceFaultHintOnce(t *testing.T) {
	rec := loadRecorded(t, "entra")["90033_transient_503.json"]
	refusal := `{"error":"invalid_client","error_description":"AADSTS700213: No matching federated identity record found for presented assertion subject 'x'.","error_codes":[700213]}`
	for name, a := range map[string]EntraAnswer{
		"90033 at 503":  {Stage: "token request", Status: rec.Status, Body: []byte(rec.Body), ContentType: rec.ContentType},
		"700213 at 500": {Stage: "token request", Status: 500, Body: []byte(refusal), ContentType: "application/json"},
	} {
		v := Entra(a, Exchange{ClientID: "c1", TenantID: "t1"})
		if n := strings.Count(strings.ToLower(v.Hint), "retry the run in a few minutes"); n != 1 {
			t.Errorf("%s: the hint says to retry the run %d times, want once: %s", name, n, v.Hint)
		}
		if v.Cause != "service_fault" {
			t.Errorf("%s: cause %s, want service_fault", name, v.Cause)
		}
	}
	throttled := `{"error":"temporarily_unavailable","error_description":"AADSTS90055: The request was throttled.","error_codes":[90055]}`
	v := Entra(EntraAnswer{Stage: "token request", Status: 429, Body: []byte(throttled), ContentType: "application/json", RetryAfter: "30"}, Exchange{ClientID: "c1", TenantID: "t1"})
	if !strings.Contains(v.Hint, "Retry later") || !strings.Contains(v.Hint, "Entra asked to wait 30s") || strings.Index(v.Hint, "Entra asked") < strings.Index(v.Hint, "Retry later") {
		t.Errorf("429 with Retry-After: the wait is not named with the advice to retry: %s", v.Hint)
	}
}
