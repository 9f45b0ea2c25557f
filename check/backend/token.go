package backend

// The token for Azure Storage, and what its failure means. It is asked of
// the exchange's credential, so a failure is Entra's answer (read by
// explain, as the exchange's is) or the lack of one (read from what the
// requests met, as the exchange's is: azidentity keeps neither a deadline
// nor a network error in an AuthenticationFailedError, only their text).

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/runtime"
	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"

	"github.com/oidc-doctor/oidc-doctor/check/diag"
	"github.com/oidc-doctor/oidc-doctor/check/explain"
	"github.com/oidc-doctor/oidc-doctor/check/transport"
)

// RequestStorageToken asks cred for the token for Azure Storage
// (StorageTokenOptions) under ctx, which must carry a deadline, and records
// what its requests meet (transport.Observe), so that backend-data can say
// whether Entra refused or never answered. cred's transport must be a
// transport.Observer's.
func RequestStorageToken(ctx context.Context, cred azcore.TokenCredential) (azcore.AccessToken, error) {
	ctx, calls := transport.Observe(ctx)
	tk, err := cred.GetToken(ctx, StorageTokenOptions)
	if err != nil {
		return azcore.AccessToken{}, &storageTokenError{err: err, unanswered: calls.Unanswered(ctx.Err(), err)}
	}
	return tk, nil
}

// storageTokenError is a failed request for the storage token, with why it
// got no readable answer (read only when azidentity holds no answer).
type storageTokenError struct {
	err        error
	unanswered transport.Unanswered
}

func (e *storageTokenError) Error() string { return e.err.Error() }
func (e *storageTokenError) Unwrap() error { return e.err }

// isTokenFailure reports whether err is a failed token request: one of
// RequestStorageToken's, or azidentity's own.
func isTokenFailure(err error) bool {
	var se *storageTokenError
	var afe *azidentity.AuthenticationFailedError
	return errors.As(err, &se) || errors.As(err, &afe)
}

// tokenVerdict judges a failed token request of step, the way entra
// judges the exchange's: Entra's answer says what it means (explain.Entra:
// an AADSTS refusal, or a 5xx or 429 that is Entra's fault); without one,
// what the requests met does (transport: a timeout, a reset, a body cut
// short; explain.EntraUnreadable: a page that is not Entra's JSON). The
// storage token's requests were recorded (RequestStorageToken); any other
// token request (the ARM token, which the exchange cached, asked for again
// only once it expires) is judged from err alone.
func (in Input) tokenVerdict(step string, err error) verdict {
	host := authorityHost(in)
	what, storage := "token", false
	u := transport.Unanswered{Err: err}
	if se := (*storageTokenError)(nil); errors.As(err, &se) {
		what, storage, u = "token for Azure Storage ("+storageScope+")", true, se.unanswered
	}
	v := verdict{status: diag.StatusFail}
	var afe *azidentity.AuthenticationFailedError
	if errors.As(err, &afe) && afe.RawResponse != nil {
		resp := afe.RawResponse
		body, _ := runtime.Payload(resp)
		req := requestOf(resp)
		ev := explain.Entra(explain.EntraAnswer{Stage: req, Status: resp.StatusCode, Body: body,
			ContentType: resp.Header.Get("Content-Type"), RetryAfter: resp.Header.Get("Retry-After")},
			explain.Exchange{ClientID: in.ClientID, TenantID: in.TenantID, AuthorityHost: host, Now: time.Now()})
		v.summary, v.hint, v.cause, v.code, v.fixes = ev.Summary, ev.Hint, ev.Cause, ev.ErrorCode, ev.Fixes
		v.facts = append([]diag.Fact{diag.F("request", step), diag.F("failed request", req), diag.F("HTTP status", resp.Status)}, ev.Facts...)
		switch {
		case v.cause.Fault():
			v.summary = "Entra ID did not issue a " + what + ": " + ev.Summary
		case storage:
			v.summary = "Entra ID refused a " + what + ", which the exchange for ARM got: " + ev.Summary
			v.hint = "The exchange for ARM worked with the same assertion, so the tenant refuses this resource (a Conditional Access policy, or the resource's own rules). " + ev.Hint
		default:
			v.summary = "Entra ID refused a " + what + ": " + ev.Summary
		}
		return v
	}
	v.facts = []diag.Fact{diag.F("request", step), diag.F("error", diag.Truncate(transport.SafeCause(err), 500))}
	if u.Response {
		ev := explain.EntraUnreadable(host, u.Status, u.ContentType, u.Body)
		v.summary, v.hint, v.cause = "no "+what+": "+ev.Summary, ev.Hint, ev.Cause
		v.facts = append(v.facts, ev.Facts...)
		return v
	}
	sum, hint := transport.Describe(host, u.Err)
	v.summary, v.hint, v.cause = "no "+what+": no answer from Entra ID: "+sum, hint, transport.Cause(u.Err)
	return v
}

// requestOf names the request a response answered: "POST host/path".
func requestOf(resp *http.Response) string {
	if resp.Request == nil {
		return "request"
	}
	return resp.Request.Method + " " + resp.Request.URL.Host + resp.Request.URL.Path
}

// authorityHost is the sign-in host of the configured cloud, for messages.
func authorityHost(in Input) string {
	a := in.ClientOptions.Cloud.ActiveDirectoryAuthorityHost
	if a == "" {
		return "login.microsoftonline.com"
	}
	if u, err := url.Parse(a); err == nil && u.Host != "" {
		return u.Hostname()
	}
	return a
}
