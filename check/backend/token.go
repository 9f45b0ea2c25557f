package backend

// The token for Azure Storage, and what its failure means. It is asked of
// the exchange's credential, so a failure is Entra's answer (read by
// explain, as the exchange's is) or the lack of one (read from what the
// requests met, as the exchange's is: azidentity keeps neither a deadline
// nor a network error in an AuthenticationFailedError, only their text).

import (
	"context"
	"errors"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"

	"github.com/oidc-doctor/oidc-doctor/check/diag"
	"github.com/oidc-doctor/oidc-doctor/check/explain"
	"github.com/oidc-doctor/oidc-doctor/check/signin"
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
		return azcore.AccessToken{}, &storageTokenError{err: err, calls: calls, ctxErr: ctx.Err()}
	}
	return tk, nil
}

// storageTokenError is a failed request for the storage token, with what
// its requests met and the error that ended its context (read only when
// azidentity holds no answer). Its text is never shown: azidentity's may
// quote a token response whole.
type storageTokenError struct {
	err    error
	calls  *transport.Calls
	ctxErr error
}

func (e *storageTokenError) Error() string { return "the token request for Azure Storage failed" }
func (e *storageTokenError) Unwrap() error { return e.err }

// isTokenFailure reports whether err is a failed token request: one of
// RequestStorageToken's, or azidentity's own.
func isTokenFailure(err error) bool {
	var se *storageTokenError
	var afe *azidentity.AuthenticationFailedError
	return errors.As(err, &se) || errors.As(err, &afe)
}

// tokenVerdict judges a failed token request of step as entra judges the
// exchange's (signin.Read): Entra's answer says what it means (an AADSTS
// refusal, or a 5xx or 429 that is Entra's fault); without one, what the
// requests met does (a timeout, a reset, a body cut short, a page that is
// not Entra's JSON). The storage token's requests were recorded
// (RequestStorageToken); any other token request (the ARM token, which the
// exchange cached, asked for again only once it expires) is judged from
// err alone, so a TLS failure there reads as a network fault.
func (in Input) tokenVerdict(step string, err error) verdict {
	what, storage := "token", false
	var calls *transport.Calls
	var ctxErr error
	if se := (*storageTokenError)(nil); errors.As(err, &se) {
		what, storage, calls, ctxErr = "token for Azure Storage ("+storageScope+")", true, se.calls, se.ctxErr
	}
	f := signin.Read(err, calls, ctxErr, explain.Exchange{ClientID: in.ClientID, TenantID: in.TenantID,
		AuthorityHost: signin.Host(in.ClientOptions.Cloud.ActiveDirectoryAuthorityHost), Now: time.Now()})
	v := verdict{status: diag.StatusFail, summary: f.Summary, hint: f.Hint, cause: f.Cause, code: f.ErrorCode, fixes: f.Fixes}
	v.facts = append(append([]diag.Fact{diag.F("request", step)}, f.Request...), f.Facts...)
	switch {
	case !f.Answered && f.NoAnswer != nil:
		v.summary = "no " + what + ": no answer from Entra ID: " + f.Summary
	case !f.Answered:
		v.summary = "no " + what + ": " + f.Summary
	case v.cause.Fault():
		v.summary = "Entra ID did not issue a " + what + ": " + f.Summary
	case storage:
		v.summary = "Entra ID refused a " + what + ", which the exchange for ARM got: " + f.Summary
		v.hint = "The exchange for ARM worked with the same assertion, so the tenant refuses this resource (a Conditional Access policy, or the resource's own rules). " + f.Hint
	default:
		v.summary = "Entra ID refused a " + what + ": " + f.Summary
	}
	return v
}
