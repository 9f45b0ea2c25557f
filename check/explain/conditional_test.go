package explain

import (
	"strings"
	"testing"
)

// TestConditionalAccessFix: a Conditional Access refusal, live or pasted,
// gets as its first fix the reads of the policies its claims name, in the
// exchange's cloud: no command lifts a policy (the real 53003 answer with
// capolids of testdata/recorded).
func TestConditionalAccessFix(t *testing.T) {
	rec := loadRecorded(t, "entra")["53003_suberror_claims_capolids_cpp_doc.json"]
	v := Entra(EntraAnswer{Stage: "token request", Status: rec.Status, Body: []byte(rec.Body), ContentType: rec.ContentType},
		Exchange{ClientID: "c1", TenantID: "t1", GraphEndpoint: "https://graph.microsoft.us"})
	if len(v.Fixes) == 0 || !strings.Contains(v.Fixes[0].Text, "az rest --method get --url https://graph.microsoft.us/v1.0/identity/conditionalAccess/policies/") {
		t.Fatalf("live: %+v", v.Fixes)
	}
	fs := Paste(`{"error":"invalid_grant","error_description":"AADSTS53003: Access has been blocked by Conditional Access policies.","error_codes":[53003],"claims":"{\"access_token\":{\"capolids\":{\"essential\":true,\"values\":[\"0123-a\",\"0123-b\"]}}}"}`, nil)
	if len(fs) == 0 || len(fs[0].Fixes) == 0 || !strings.Contains(fs[0].Fixes[0].Text, "/policies/0123-a") || !strings.Contains(fs[0].Fixes[0].Text, "/policies/0123-b") {
		t.Fatalf("paste: %+v", fs)
	}
}
