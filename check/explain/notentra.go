package explain

// Answers that are not Entra's JSON error body, at Entra's address: a page
// from a proxy, captive portal or firewall, a bare status, JSON of another
// service, or a body Entra's client could not read at all.

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/oidc-doctor/oidc-doctor/check/diag"
)

// entraNoBody is an answer without Entra's JSON error body: a bare status,
// an HTML page, another service's JSON, something in between.
func entraNoBody(a EntraAnswer, x Exchange) Verdict {
	v := Verdict{Cause: diag.CauseOther,
		Summary: fmt.Sprintf("Entra ID answered the %s with HTTP %d and no Entra error body (%s)", a.Stage, a.Status, contentKind(a.ContentType, a.Body))}
	switch {
	case a.Status == http.StatusTooManyRequests || a.Status >= 500:
		what, hint := serverFault(x.AuthorityHost, a.Status, a.RetryAfter, !jsonBody(a.ContentType, a.Body))
		v.Cause, v.Hint = diag.CauseServiceFault, hint
		v.Summary = fmt.Sprintf("the %s was answered with HTTP %d and no Entra error body (%s): %s, not your configuration", a.Stage, a.Status, bodyKind(a.ContentType, a.Body), what)
	case jsonBody(a.ContentType, a.Body) && brokeOff(a.Body):
		v.Cause, v.Hint = diag.CauseNetworkFault, cutHint(x.AuthorityHost)
		v.Summary = fmt.Sprintf("the %s was answered with HTTP %d and JSON that breaks off (%s): the answer was cut short", a.Stage, a.Status, jsonShape(a.Body))
	case jsonBody(a.ContentType, a.Body):
		v.Summary = fmt.Sprintf("the %s was answered with HTTP %d and JSON that is not Entra's (%s): another service answers at the sign-in host", a.Stage, a.Status, jsonShape(a.Body))
		v.Hint = foreignHint(x.AuthorityHost)
	default:
		v.Hint = "a proxy or firewall may be answering instead of Entra ID: check HTTPS_PROXY/NO_PROXY for " + x.AuthorityHost
	}
	return v
}

// EntraUnreadable is a response Entra's client (MSAL) could not use,
// although it arrived. Its status, content type and first bytes (head) are
// known, and whether head is the whole body. A 5xx or a 429 is a server's
// fault. A body cut short against its Content-Length never comes here, as
// the request's own error says so first (transport.Calls.Unanswered), but
// whole JSON that breaks off, where a connection closed cleanly with no
// length set, does: a network fault. Anything else is someone else
// answering in Entra's place, which no retry changes: a page (HTML, text)
// from a proxy, captive portal or firewall, or another service's JSON.
func EntraUnreadable(host string, status int, contentType string, head []byte, whole bool) Verdict {
	v := Verdict{Cause: diag.CauseOther,
		Facts:   []diag.Fact{diag.F("last response", fmt.Sprintf("HTTP %d, Content-Type %s", status, diag.Absent(contentType)))},
		Summary: fmt.Sprintf("%s answered, but not with Entra's JSON (HTTP %d, %s): the response could not be read", host, status, diag.Absent(contentType)),
		Hint:    "a proxy, captive portal or TLS-inspecting firewall may be answering for " + host + ": check HTTPS_PROXY/NO_PROXY, and run `curl -sSI https://" + host + "/common/discovery/instance?api-version=1.1` on the worker",
	}
	switch {
	case status == http.StatusTooManyRequests || status >= 500:
		what, hint := serverFault(host, status, "", !jsonBody(contentType, head))
		v.Cause, v.Hint = diag.CauseServiceFault, hint
		v.Summary = fmt.Sprintf("%s answered HTTP %d, not with Entra's JSON (%s): %s, not your configuration", host, status, diag.Absent(contentType), what)
	case jsonBody(contentType, head) && whole && brokeOff(head):
		v.Cause, v.Hint = diag.CauseNetworkFault, cutHint(host)
		v.Summary = fmt.Sprintf("%s answered HTTP %d with JSON that breaks off (%s): the answer was cut short", host, status, jsonShape(head))
	case jsonBody(contentType, head):
		v.Summary = fmt.Sprintf("%s answered HTTP %d with JSON that is not Entra's answer (%s): another service answers at the sign-in host", host, status, jsonShape(head))
		v.Hint = foreignHint(host)
	}
	return v
}

// brokeOff reports whether body, whole, is JSON that stops before its end
// (not JSON that is wrong, such as a trailing comma).
func brokeOff(body []byte) bool {
	var v any
	return errors.Is(json.NewDecoder(bytes.NewReader(body)).Decode(&v), io.ErrUnexpectedEOF)
}

// cutHint is what to do about an answer cut short on its way from host.
func cutHint(host string) string {
	return "retry the run; if it persists, a proxy or firewall between the worker and " + host + " may be cutting answers short: check HTTPS_PROXY/NO_PROXY"
}

// serverFault words a 5xx or a 429 that came without Entra's error body:
// what it is, for the summary, and the hint. A page (HTML, text, nothing
// at all) may be a proxy's in front of Entra as well as Entra's own, so
// both are named and the proxy is worth a look; JSON is Entra's.
func serverFault(host string, status int, retryAfter string, page bool) (what, hint string) {
	who, proxy := "Entra ID", ""
	if page {
		who = "Entra ID or a proxy in front of it"
		proxy = "whether a proxy or TLS-inspecting firewall answers for " + host +
			" (HTTPS_PROXY/NO_PROXY; `curl -sSI https://" + host + "/common/discovery/instance?api-version=1.1` on the worker)"
	}
	if status == http.StatusTooManyRequests {
		hint = who + " is throttling this client"
		if retryAfter != "" {
			hint += " (Retry-After " + retryAfter + ")"
		}
		hint += ": retry the run later"
		if page {
			hint += "; if it persists, check " + proxy
		}
		return "throttling by " + who, hint
	}
	hint = who + " had a server error: retry; if it persists, check https://status.azure.com"
	if page {
		hint += " and " + proxy
	}
	return "a server error of " + who, hint
}

// foreignHint is what to check when another service's JSON answers at the
// sign-in host: the cloud the run signs in to, and a proxy in the way.
func foreignHint(host string) string {
	return "check the cloud the run signs in to: ARM_ENVIRONMENT (or the provider's `environment`, or AZURE_AUTHORITY_HOST) must name the cloud whose sign-in host is " + host +
		", and no proxy may answer for it (HTTPS_PROXY/NO_PROXY); on the worker, `curl -sS https://" + host + "/common/v2.0/.well-known/openid-configuration` should show Entra's token_endpoint"
}

// isJSON reports whether a Content-Type is JSON, as Entra's answers are.
func isJSON(contentType string) bool {
	mt, _, _ := strings.Cut(strings.ToLower(contentType), ";")
	mt = strings.TrimSpace(mt)
	return mt == "application/json" || strings.HasSuffix(mt, "+json")
}

// jsonBody reports whether an answer is JSON rather than a page: a JSON
// content type and a body.
func jsonBody(contentType string, body []byte) bool {
	return isJSON(contentType) && len(body) > 0
}

// contentKind says what came instead of Entra's error body, and who sent
// an HTML page where Entra answers JSON.
func contentKind(ct string, body []byte) string {
	k := bodyKind(ct, body)
	if k == kindHTML {
		return k + ": a proxy, captive portal or firewall answered"
	}
	return k
}

const kindHTML = "an HTML page"

// bodyKind says what a body is: empty, an HTML page, or of its type.
func bodyKind(ct string, body []byte) string {
	switch {
	case len(body) == 0:
		return "empty body"
	case strings.Contains(ct, "html") || strings.HasPrefix(strings.TrimSpace(string(body[:min(len(body), 64)])), "<"):
		return kindHTML
	}
	return "body of type " + diag.Absent(ct)
}

// jsonShape shows the structure of a JSON document from its first bytes,
// keys and all but no value (a token response's own would hold the
// token): {"error": {"code": …, "message": …}}. A document that breaks
// off ends in "…".
func jsonShape(head []byte) string {
	var b strings.Builder
	if skeleton(json.NewDecoder(bytes.NewReader(head)), &b, 0) {
		return b.String()
	}
	if b.Len() == 0 {
		return "not valid JSON"
	}
	return strings.TrimSuffix(b.String(), "…") + "…"
}

// Bounds of jsonShape: the keys shown per object, how deep, and the bytes
// of one key.
const (
	shapeKeys  = 8
	shapeDepth = 2
	shapeKey   = 40
)

// skeleton writes the shape of d's next value; false when d broke off,
// after writing what it read.
func skeleton(d *json.Decoder, b *strings.Builder, depth int) bool {
	tok, err := d.Token()
	if err != nil {
		return false
	}
	switch tok {
	case json.Delim('{'):
		b.WriteString("{")
		n := 0
		for ; d.More(); n++ {
			k, err := d.Token()
			if err != nil {
				return false
			}
			if n >= shapeKeys {
				if !skipValue(d) {
					return false
				}
				continue
			}
			if n > 0 {
				b.WriteString(", ")
			}
			ks, _ := k.(string)
			b.WriteString(strconv.Quote(diag.Truncate(ks, shapeKey)) + ": ")
			if depth+1 < shapeDepth {
				if !skeleton(d, b, depth+1) {
					return false
				}
				continue
			}
			b.WriteString("…")
			if !skipValue(d) {
				return false
			}
		}
		if n > shapeKeys {
			b.WriteString(", …")
		}
		b.WriteString("}")
	case json.Delim('['):
		b.WriteString("[…]")
		for d.More() {
			if !skipValue(d) {
				return false
			}
		}
	default:
		b.WriteString("…")
		return true
	}
	_, err = d.Token() // the closing delimiter
	return err == nil
}

func skipValue(d *json.Decoder) bool {
	var raw json.RawMessage
	return d.Decode(&raw) == nil
}
