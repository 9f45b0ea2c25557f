package explain

import (
	"strings"
	"testing"

	"github.com/oidc-doctor/oidc-doctor/check/diag"
)

// TestEntraUnreadable: an answer Entra's client could not use, read whole
// (one cut short has its own error and never comes here), is a server's
// fault when it is a 5xx or a 429, and otherwise someone answering in
// Entra's place: a page, or another service's JSON, which no retry changes.
func TestEntraUnreadable(t *testing.T) {
	tests := []struct {
		status int
		ct     string
		head   string
		want   diag.Cause
	}{
		{200, "application/json; charset=utf-8", `{"message":"hello"}`, diag.CauseOther},
		{200, "application/json", `[1,2,3]`, diag.CauseOther},
		{400, "application/problem+json", `{"type":"about:blank","title":"Bad Request"}`, diag.CauseOther},
		{503, "application/json", `{"error":"temporarily_unavailable"}`, diag.CauseServiceFault},
		{429, "", "", diag.CauseServiceFault},
		{200, "text/html; charset=utf-8", "<html>", diag.CauseOther},
		{200, "text/plain", "hello", diag.CauseOther},
		{200, "", "", diag.CauseOther},
		// JSON that is wrong, not cut: no retry changes it.
		{200, "application/json", `{"token_type":"Bearer","expires_in":3599,}`, diag.CauseOther},
	}
	for _, tt := range tests {
		v := EntraUnreadable("login.microsoftonline.com", tt.status, tt.ct, []byte(tt.head), true)
		if v.Cause != tt.want {
			t.Errorf("HTTP %d %q: cause %s, want %s (%s)", tt.status, tt.ct, v.Cause, tt.want, v.Summary)
		}
		if v.Summary == "" || v.Hint == "" {
			t.Errorf("HTTP %d %q: no summary or hint", tt.status, tt.ct)
		}
		if strings.Contains(v.Summary, "cut short") {
			t.Errorf("HTTP %d %q: a whole answer called cut short: %s", tt.status, tt.ct, v.Summary)
		}
	}
}

// TestEntraUnreadableBrokeOff: whole JSON that stops before its end, where
// a connection closed cleanly with no Content-Length to say it was short,
// is a network fault (exit 4) and says so, whether Entra's client rejected
// it (EntraUnreadable) or reported its 4xx status (Entra); a head that is
// not the whole body says nothing of where it ends (signin review #1, #2).
func TestEntraUnreadableBrokeOff(t *testing.T) {
	x := Exchange{ClientID: "c", TenantID: "t", AuthorityHost: "login.microsoftonline.com"}
	for _, head := range []string{`{"token_type":"Bearer","expires_in":35`, `{"error":"invalid_client","error_des`, `[`} {
		v := EntraUnreadable(x.AuthorityHost, 200, "application/json", []byte(head), true)
		for _, status := range []int{400, 401} {
			a := Entra(EntraAnswer{Stage: "token request", Status: status, ContentType: "application/json", Body: []byte(head)}, x)
			if a.Cause != v.Cause || !strings.Contains(a.Summary, "cut short") {
				t.Errorf("%q at %d: cause %s, summary %q; want %s, cut short", head, status, a.Cause, a.Summary, v.Cause)
			}
		}
		if v.Cause != diag.CauseNetworkFault || !strings.Contains(v.Summary, "cut short") {
			t.Errorf("%q: cause %s, summary %q; want a network fault, cut short", head, v.Cause, v.Summary)
		}
		if strings.Contains(v.Summary+v.Hint, "Bearer") || strings.Contains(v.Summary+v.Hint, "invalid_client") {
			t.Errorf("%q: a value of the body is shown: %s", head, v.Summary)
		}
		if part := EntraUnreadable(x.AuthorityHost, 200, "application/json", []byte(head), false); part.Cause != diag.CauseOther {
			t.Errorf("%q, not the whole body: cause %s, want other", head, part.Cause)
		}
	}
}

// TestEntraUnreadableForeignJSON: another service's whole JSON at the
// sign-in host says who answered (host, status, its keys, never a value:
// a token response's own would hold the token) and what to check.
func TestEntraUnreadableForeignJSON(t *testing.T) {
	const tok = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln"
	v := EntraUnreadable("login.example.com", 200, "application/json", []byte(`{"token_type":"Bearer","access_token":"`+tok+`"}`), true)
	text := v.Summary + " " + v.Hint
	for _, want := range []string{"login.example.com", "HTTP 200", `{"token_type": …, "access_token": …}`, "not Entra's", "ARM_ENVIRONMENT", "AZURE_AUTHORITY_HOST", "HTTPS_PROXY"} {
		if !strings.Contains(text, want) {
			t.Errorf("does not say %q: %s", want, text)
		}
	}
	for _, f := range v.Facts {
		text += " " + f.Value
	}
	if strings.Contains(text, "eyJ") || strings.Contains(text, "Bearer") {
		t.Errorf("a value of the body is shown: %s", text)
	}
}

// TestJSONShape: the structure of a JSON head, no value in it.
func TestJSONShape(t *testing.T) {
	tests := []struct{ head, want string }{
		{`{"error":{"code":"MissingApiVersionParameter","message":"x"}}`, `{"error": {"code": …, "message": …}}`},
		{`{"a":{"b":{"c":1}},"d":[1,{"e":2}]}`, `{"a": {"b": …}, "d": […]}`},
		{`[1,2,3]`, `[…]`},
		{`"eyJhbGciOi"`, `…`},
		{`{}`, `{}`},
		{`{"a":1,"b":2,"c":3,"d":4,"e":5,"f":6,"g":7,"h":8,"i":9}`, `{"a": …, "b": …, "c": …, "d": …, "e": …, "f": …, "g": …, "h": …, …}`},
		{`{"error":{"code":"X","mess`, `{"error": {"code": …`},
		{`{"error":{"code":"X","message":`, `{"error": {"code": …, "message": …`},
		{`<html>`, `not valid JSON`},
		{``, `not valid JSON`},
	}
	for _, tt := range tests {
		if got := jsonShape([]byte(tt.head)); got != tt.want {
			t.Errorf("jsonShape(%q) = %q, want %q", tt.head, got, tt.want)
		}
	}
}

// TestForeignRecordedAnswers: real answers that a run meets at Entra's
// address from someone else (testdata/recorded/foreign) read the same
// whether Entra's client reports their status (Entra) or rejects them
// whole (EntraUnreadable), at their recorded and their live status: a
// server's fault for a 5xx or a 429, else someone answering in Entra's
// place, showing what came (the record's fields).
func TestForeignRecordedAnswers(t *testing.T) {
	recs := loadRecorded(t, "foreign")
	for _, name := range sortedNames(recs) {
		r := recs[name]
		x := Exchange{AuthorityHost: "login.microsoftonline.com"}
		for _, st := range recordedStatuses(r) {
			want := r.Expect.Cause
			if st == 429 || st >= 500 {
				want = diag.CauseServiceFault
			}
			answered := Entra(EntraAnswer{Stage: "tenant discovery (GET login.microsoftonline.com/t/v2.0/.well-known/openid-configuration)",
				Status: st, ContentType: r.ContentType, Body: []byte(r.Body)}, x)
			whole := EntraUnreadable(x.AuthorityHost, st, r.ContentType, []byte(r.Body), true)
			for how, v := range map[string]Verdict{"answered": answered, "unreadable": whole} {
				if v.Cause != want || v.ErrorCode != r.Expect.Code {
					t.Errorf("%s %d (%s): cause %s code %q, want %s %q: %s", name, st, how, v.Cause, v.ErrorCode, want, r.Expect.Code, v.Summary)
				}
				for k, f := range r.Expect.Fields {
					if !strings.Contains(v.Summary, f) {
						t.Errorf("%s %d (%s): does not show its %s %s: %s", name, st, how, k, f, v.Summary)
					}
				}
				if want == diag.CauseOther && isJSON(r.ContentType) && !strings.Contains(v.Hint, "ARM_ENVIRONMENT") {
					t.Errorf("%s %d (%s): no cloud to check: %s", name, st, how, v.Hint)
				}
			}
		}
	}
}

// recordedStatuses are the statuses a record is read at: the one recorded
// (when the source showed it) and the one the live tests serve.
func recordedStatuses(r Recorded) []int {
	var out []int
	for _, st := range []int{r.Status, r.LiveStatus} {
		if st != 0 && (len(out) == 0 || out[0] != st) {
			out = append(out, st)
		}
	}
	return out
}

// TestServerFaultWording: a 5xx or a 429 without Entra's error body is a
// fault either way, and summary and hint name the same culprit: a page
// (HTML, text, nothing) may be a proxy's in front of Entra as well as
// Entra's, so both name "Entra ID or a proxy in front of it" and the hint
// says how to check the proxy; JSON is Entra's.
func TestServerFaultWording(t *testing.T) {
	const both = "Entra ID or a proxy in front of it"
	nginx := loadRecorded(t, "foreign")["nginx_502_page_special_response.json"]
	tests := []struct {
		name, ct, body string
		status         int
		page           bool
	}{
		{"nginx 502 page", nginx.ContentType, nginx.Body, nginx.Status, true},
		{"empty 503", "", "", 503, true},
		{"html 429", "text/html", "<html><body>Too many requests</body></html>", 429, true},
		{"text 500", "text/plain", "upstream connect error", 500, true},
		{"json 503", "application/json", `{"message":"upstream unavailable"}`, 503, false},
	}
	for _, tt := range tests {
		x := Exchange{AuthorityHost: "login.microsoftonline.com"}
		answered := Entra(EntraAnswer{Stage: "token request (POST login.microsoftonline.com/t/oauth2/v2.0/token)", Status: tt.status,
			ContentType: tt.ct, Body: []byte(tt.body), RetryAfter: "30"}, x)
		whole := EntraUnreadable(x.AuthorityHost, tt.status, tt.ct, []byte(tt.body), true)
		for how, v := range map[string]Verdict{"answered": answered, "unreadable": whole} {
			name := tt.name + " (" + how + ")"
			if v.Cause != diag.CauseServiceFault || !strings.Contains(v.Summary, "not your configuration") {
				t.Errorf("%s: cause %s, want service_fault, not your configuration: %s", name, v.Cause, v.Summary)
			}
			if got := strings.Contains(v.Summary, both) && strings.Contains(v.Hint, both); got != tt.page {
				t.Errorf("%s: summary and hint name %q: %v, want %v:\n%s\n%s", name, both, got, tt.page, v.Summary, v.Hint)
			}
			if tt.page && !strings.Contains(v.Hint, "HTTPS_PROXY") {
				t.Errorf("%s: no proxy to check: %s", name, v.Hint)
			}
			if !tt.page && (strings.Contains(v.Summary, "proxy") || !strings.Contains(v.Hint, "Entra ID")) {
				t.Errorf("%s: JSON blamed on a proxy:\n%s\n%s", name, v.Summary, v.Hint)
			}
		}
	}
}
