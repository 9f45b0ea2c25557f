package explain

// Answers that are not Entra's JSON error body, at Entra's address: a page
// from a proxy, captive portal or firewall, a bare status, JSON of another
// service, or a body Entra's client could not read at all.

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/oidc-doctor/oidc-doctor/check/diag"
)

// entraNoBody is an answer without Entra's JSON error body: a bare status,
// an HTML page, something in between.
func entraNoBody(a EntraAnswer, x Exchange) Verdict {
	v := Verdict{Cause: diag.CauseOther,
		Summary: fmt.Sprintf("Entra ID answered the %s with HTTP %d and no Entra error body (%s)", a.Stage, a.Status, contentKind(a.ContentType, a.Body))}
	switch {
	case a.Status == http.StatusTooManyRequests:
		v.Cause = diag.CauseServiceFault
		v.Hint = "Entra is throttling this client (Retry-After " + diag.Absent(a.RetryAfter) + "); retry the run later"
	case a.Status >= 500:
		v.Cause = diag.CauseServiceFault
		v.Hint = "Entra ID had a server error; retry, and check https://status.azure.com if it persists"
	default:
		v.Hint = "a proxy or firewall may be answering instead of Entra ID: check HTTPS_PROXY/NO_PROXY for " + x.AuthorityHost
	}
	return v
}

// EntraUnreadable is an answer the SDK could not read at all (HTML where
// JSON belongs, a body cut short): only its status and content type are
// known. A page of another type (HTML, text) is someone else answering in
// Entra's place, which no retry changes. Entra's own JSON that could not be
// read was cut short or corrupted on the way, a network fault; a 5xx or a
// 429 is Entra's.
func EntraUnreadable(host string, status int, contentType string) Verdict {
	v := Verdict{Cause: diag.CauseOther,
		Facts:   []diag.Fact{diag.F("last response", fmt.Sprintf("HTTP %d, Content-Type %s", status, diag.Absent(contentType)))},
		Summary: fmt.Sprintf("%s answered, but not with Entra's JSON (HTTP %d, %s): the response could not be read", host, status, diag.Absent(contentType)),
		Hint:    "a proxy, captive portal or TLS-inspecting firewall may be answering for " + host + ": check HTTPS_PROXY/NO_PROXY, and run `curl -sSI https://" + host + "/common/discovery/instance?api-version=1.1` on the worker",
	}
	switch {
	case status == http.StatusTooManyRequests || status >= 500:
		v.Cause = diag.CauseServiceFault
		v.Hint = "Entra ID had a server error or is throttling; retry, and check https://status.azure.com if it persists"
	case isJSON(contentType):
		v.Cause = diag.CauseNetworkFault
		v.Summary = fmt.Sprintf("%s answered HTTP %d with JSON that could not be read: the response was cut short or corrupted on the way", host, status)
		v.Hint = "retry; if it persists, a proxy or TLS-inspecting firewall may be altering responses for " + host + ": check HTTPS_PROXY/NO_PROXY"
	}
	return v
}

// isJSON reports whether a Content-Type is JSON, as Entra's answers are.
func isJSON(contentType string) bool {
	mt, _, _ := strings.Cut(strings.ToLower(contentType), ";")
	mt = strings.TrimSpace(mt)
	return mt == "application/json" || strings.HasSuffix(mt, "+json")
}

func contentKind(ct string, body []byte) string {
	switch {
	case len(body) == 0:
		return "empty body"
	case strings.Contains(ct, "html") || strings.HasPrefix(strings.TrimSpace(string(body[:min(len(body), 64)])), "<"):
		return "an HTML page: a proxy, captive portal or firewall answered"
	}
	return "body of type " + diag.Absent(ct)
}
