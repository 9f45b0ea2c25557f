package explain

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/oidc-doctor/oidc-doctor/check/diag"
)

// TestRecordedGraphAnswers reads every real recorded Graph API answer as
// the live path does (Graph) and as pasted text.
func TestRecordedGraphAnswers(t *testing.T) {
	recs := loadRecorded(t, "graph")
	for _, name := range sortedNames(recs) {
		r := recs[name]
		t.Run(name, func(t *testing.T) {
			v := Graph(GraphAnswer{Request: "GET graph.microsoft.com/v1.0/x", Status: r.LiveStatus, ContentType: r.ContentType,
				Body: []byte(r.Body), RequestID: r.Headers["request-id"]})
			if v.Cause != r.Expect.Cause || v.ErrorCode != r.Expect.Code {
				t.Errorf("Graph: %s (%s), want %s (%s)", v.ErrorCode, v.Cause, r.Expect.Code, r.Expect.Cause)
			}
			for k, want := range r.Expect.Fields {
				if !hasFactValue(v.Facts, k, want) {
					t.Errorf("no fact %s = %q in %v", k, want, v.Facts)
				}
			}
			if fs := Paste(r.Body, nil); len(fs) == 0 || fs[0].Code != r.Expect.Code || fs[0].Cause != r.Expect.Cause {
				t.Errorf("as a paste: %+v", fs)
			}
		})
	}
}

func hasFactValue(fs []diag.Fact, k, v string) bool {
	for _, f := range fs {
		if f.Key == k && f.Value == v {
			return true
		}
	}
	return false
}

func TestGraphFaults(t *testing.T) {
	v := Graph(GraphAnswer{Status: 503, ContentType: "text/html", Body: []byte("<html>busy</html>")})
	if v.Cause != diag.CauseServiceFault || !strings.Contains(v.Summary, "HTTP 503") {
		t.Errorf("503: %+v", v)
	}
	v = Graph(GraphAnswer{Status: 404, Body: []byte(`{"error":{"code":"Request_ResourceNotFound","message":"Resource 'x' does not exist or one of its queried reference-property objects are not present."}}`)})
	if v.Cause != diag.CauseOther || v.ErrorCode != "Request_ResourceNotFound" || !strings.Contains(v.Summary, "does not exist") {
		t.Errorf("404: %+v", v)
	}
}

func TestGraphTokenWording(t *testing.T) {
	body := []byte(`{"error":"invalid_request","error_description":"AADSTS53003: Access has been blocked by Conditional Access policies.","error_codes":[53003]}`)
	v := GraphToken(Verdict{Summary: "a conditional access policy blocked the token", Cause: diag.CauseConditionalAccess, ListSubjects: true}, 400, body)
	if v.Facts[0].Key != "azurerm stops with" || !strings.HasPrefix(v.Facts[0].Value, "building account: could not acquire access token to parse claims: clientCredentialsToken: received HTTP status 400 with response: {") {
		t.Errorf("facts: %v", v.Facts)
	}
	if v.ListSubjects || v.Cause != diag.CauseConditionalAccess || !strings.Contains(v.Summary, "first one Terraform's azurerm provider asks for") {
		t.Errorf("verdict: %+v", v)
	}
	if f := GraphToken(Verdict{Summary: "a transient Entra error (HTTP 503)", Cause: diag.CauseServiceFault}, 503, nil); !strings.HasPrefix(f.Summary, "Entra did not issue the Microsoft Graph token") {
		t.Errorf("a 503 is worded as a refusal: %s", f.Summary)
	}
	if got := AzurermGraphError(0, nil, "dial tcp: i/o timeout"); got != "building account: could not acquire access token to parse claims: clientCredentialsToken: cannot request token: dial tcp: i/o timeout" {
		t.Errorf("no answer: %q", got)
	}
}

// TestAzurermGraphErrorQuotesErrorFieldsOnly: azurerm quotes the Graph
// token's answer whole; the report quotes Entra's error fields of it, and
// any other body (a token response MSAL could not decode, a page) by its
// shape or kind, never its values.
func TestAzurermGraphErrorQuotesErrorFieldsOnly(t *testing.T) {
	const tok = "eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJlLXNpZ25hdHVyZS1zaWduYXR1cmU"
	for name, tt := range map[string]struct {
		body, want string
	}{
		"Entra's error": {`{"error":"invalid_client","error_description":"AADSTS700213: No matching federated identity record found for presented assertion subject 'a<b>'.","error_codes":[700213],"timestamp":"2026-12-01 10:00:00Z","extra":"` + tok + `"}`,
			`{"error":"invalid_client","error_description":"AADSTS700213: No matching federated identity record found for presented assertion subject 'a<b>'.","error_codes":[700213],"timestamp":"2026-12-01 10:00:00Z"}`},
		"a token response": {`{"token_type":"Bearer","expires_in":"soon","access_token":"` + tok + `"}`, `{"token_type": …, "expires_in": …, "access_token": …}`},
		"a page":           {`<html><body>` + tok + `</body></html>`, "(an HTML page)"},
		"Conditional Access": {`{"error":"invalid_grant","error_description":"AADSTS53003: Access has been blocked by Conditional Access policies.","error_codes":[53003],"suberror":"message_only","claims":"{\"access_token\":{\"capolids\":{\"essential\":true,\"values\":[\"p1\"]}}}"}`,
			`{"error":"invalid_grant","error_description":"AADSTS53003: Access has been blocked by Conditional Access policies.","error_codes":[53003],"suberror":"message_only","claims":"{\"access_token\":{\"capolids\":{\"essential\":true,\"values\":[\"p1\"]}}}"}`},
		"ARM's error":    {`{"error":{"code":"MissingApiVersionParameter","message":"The api-version query parameter (?api-version=) is required for all requests."}}`, `{"error":{"code":"MissingApiVersionParameter","message":"The api-version query parameter (?api-version=) is required for all requests."}}`},
		"JSON cut short": {`{"token_type":"Bearer","access_token":"` + tok[:20], `{"token_type": …, "access_token": …`},
		"plain text":     {"Service Unavailable " + tok, "(a text body of 112 bytes)"},
	} {
		got := AzurermGraphError(400, []byte(tt.body), "")
		if strings.Contains(got, "eyJ") {
			t.Errorf("%s: the token is quoted: %s", name, got)
		}
		if !strings.HasSuffix(got, "with response: "+tt.want) {
			t.Errorf("%s: %s\nwant it to end in %s", name, got, tt.want)
		}
	}
}

// TestCredentials reads the example answer of Graph's documentation
// (https://learn.microsoft.com/graph/api/application-list-federatedidentitycredentials,
// "Response", microsoftgraph/microsoft-graph-docs-contrib at
// 028b8e354879f1054adbd96bfa8d16fff4330811) and covers subjects with it.
func TestCredentials(t *testing.T) {
	const body = `{"value":[{"@odata.id":"https://graph.microsoft.com/v2/3d1e2be9-a10a-4a0c-8380-7ce190f98ed9/directoryObjects/$/Microsoft.DirectoryServices.Application('bcd7c908-1c4d-4d48-93ee-ff38349a75c8')/federatedIdentityCredentials/bdad0963-4a7a-43ae-b569-e67e1da3f2c0","id":"bdad0963-4a7a-43ae-b569-e67e1da3f2c0","name":"testing","issuer":"https://login.microsoftonline.com/3d1e2be9-a10a-4a0c-8380-7ce190f98ed9/v2.0","subject":"a7d388c3-5e3f-4959-ac7d-786b3383006a","description":"This is my test  federated identity credential 03","audiences":["api://AzureADTokenExchange"]}]}`
	creds, err := Credentials([]byte(body))
	if err != nil || len(creds) != 1 {
		t.Fatalf("%v %v", creds, err)
	}
	iss := "https://login.microsoftonline.com/3d1e2be9-a10a-4a0c-8380-7ce190f98ed9/v2.0"
	c := Cover(creds, iss, "demo.app.spacelift.io", []string{"a7d388c3-5e3f-4959-ac7d-786b3383006a", "other"})
	if diff := cmp.Diff([]string{"a7d388c3-5e3f-4959-ac7d-786b3383006a", "other"}, c.Missing); diff != "" {
		t.Errorf("missing (-want +got):\n%s", diff)
	}
	if !strings.Contains(c.Near["a7d388c3-5e3f-4959-ac7d-786b3383006a"], "audience api://AzureADTokenExchange") {
		t.Errorf("near: %v", c.Near)
	}
	if c := Cover(creds, iss, "api://AzureADTokenExchange", []string{"a7d388c3-5e3f-4959-ac7d-786b3383006a"}); len(c.Missing) != 0 {
		t.Errorf("covered subject missing: %v", c.Missing)
	}
	for _, bad := range []string{`{}`, `[1]`, `<html>`} {
		if _, err := Credentials([]byte(bad)); err == nil {
			t.Errorf("%s: no error", bad)
		}
	}
}
