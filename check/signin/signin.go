// Package signin reads a failed token request of azidentity's
// ClientAssertionCredential: Entra's answer, through explain, or, when
// azidentity holds none, what the request's own HTTP requests met, through
// transport. The exchange, the Graph token and the backend's storage token
// all fail the same way, so they are read by this one function.
//
// It is glue, not knowledge: what an answer means is explain's, what a
// network error means is transport's. It never keeps azidentity's or
// MSAL's error text, which may quote a token response whole ("raw message
// was: ..."), so its verdict holds no token; Failure.Body is the answer
// itself, to be read for its shape, never shown.
package signin

import (
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/runtime"
	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"

	"github.com/oidc-doctor/oidc-doctor/check/diag"
	"github.com/oidc-doctor/oidc-doctor/check/explain"
	"github.com/oidc-doctor/oidc-doctor/check/transport"
)

// Failure is what a failed token request means.
type Failure struct {
	// Verdict is what explain made of it: Entra's refusal or fault, an
	// answer that is not Entra's, or the network error's description.
	explain.Verdict
	// Answered is true when Entra answered with an error azidentity read
	// (an AuthenticationFailedError with its response); Status and Body
	// are that answer (Body may hold anything the server sent: read it,
	// never show it), and Request names the failed request and its status.
	Answered bool
	Status   int
	Body     []byte
	Request  []diag.Fact
	// NoAnswer is the network's error when nothing answered (a timeout, a
	// reset, a body cut short); nil when a response came.
	NoAnswer error
}

// Read says what err, from a GetToken whose requests were observed in
// calls (transport.Observe) and whose context ended with ctxErr (nil while
// it runs), means for the exchange x describes.
func Read(err error, calls *transport.Calls, ctxErr error, x explain.Exchange) Failure {
	var afe *azidentity.AuthenticationFailedError
	if errors.As(err, &afe) && afe.RawResponse != nil {
		resp := afe.RawResponse
		stage := Stage(resp.Request)
		body, _ := runtime.Payload(resp)
		v := explain.Entra(explain.EntraAnswer{Stage: stage, Status: resp.StatusCode, Body: body,
			ContentType: resp.Header.Get("Content-Type"), RetryAfter: resp.Header.Get("Retry-After")}, x)
		return Failure{Verdict: v, Answered: true, Status: resp.StatusCode, Body: body,
			Request: []diag.Fact{diag.F("failed request", stage), diag.F("HTTP status", resp.Status)}}
	}
	u := calls.Unanswered(ctxErr, err)
	if u.Response {
		return Failure{Verdict: explain.EntraUnreadable(x.AuthorityHost, u.Status, u.ContentType, u.Body, u.Whole)}
	}
	sum, hint := transport.Describe(x.AuthorityHost, u.Err)
	return Failure{Verdict: explain.Verdict{Summary: sum, Hint: hint, Cause: transport.Cause(u.Err)}, NoAnswer: u.Err}
}

// Stage names the request azidentity/MSAL was making.
func Stage(req *http.Request) string {
	if req == nil {
		return "request"
	}
	p := req.URL.Path
	switch {
	case strings.Contains(p, "/discovery/instance"):
		return "instance discovery (GET " + req.URL.Host + p + ")"
	case strings.HasSuffix(p, "/openid-configuration"):
		return "tenant discovery (GET " + req.URL.Host + p + ")"
	case req.Method == http.MethodPost:
		return "token request (POST " + req.URL.Host + p + ")"
	}
	return req.Method + " " + req.URL.Host + p
}

// Host is the host name of a cloud's sign-in authority
// ("https://login.microsoftonline.com/" → "login.microsoftonline.com"),
// login.microsoftonline.com when none is set.
func Host(authority string) string {
	if authority == "" {
		return "login.microsoftonline.com"
	}
	if u, err := url.Parse(authority); err == nil && u.Host != "" {
		return u.Hostname()
	}
	return authority
}
