package explain

// Reading Entra ID's answer to the live exchange. The entra step hands over
// what came back (status, body, Retry-After) and what it presented (the
// app, the tenant, the token); this file says what it means. Requests that
// got no answer at all are package transport's.

import (
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/oidc-doctor/oidc-doctor/check/diag"
	"github.com/oidc-doctor/oidc-doctor/check/fixes"
)

// EntraAnswer is one answer of Entra ID to the exchange.
type EntraAnswer struct {
	// Stage names the request answered: "token request (POST host/path)".
	Stage  string
	Status int
	// ContentType, RetryAfter and Body are what came back.
	ContentType, RetryAfter string
	Body                    []byte
}

// Exchange is what the doctor presented to Entra.
type Exchange struct {
	// ClientID and TenantID are ARM_CLIENT_ID and ARM_TENANT_ID, or a
	// provider block's client_id and tenant_id.
	ClientID, TenantID string
	// Client and Tenant are where the provider read them, for the facts
	// and fixes that name the setting; their zero values are ARM_CLIENT_ID
	// and ARM_TENANT_ID.
	Client, Tenant fixes.Setting
	// AuthorityHost is the sign-in host (login.microsoftonline.com), for hints.
	AuthorityHost string
	// Token is the assertion's claims.
	Token Token
	// Now is the local clock, shown beside the token's times.
	Now time.Time
	// GraphEndpoint is the cloud's Microsoft Graph ("https://graph.microsoft.com"),
	// for fixes that read the directory; "" when not known.
	GraphEndpoint string
}

// Verdict is what an answer means, ready to be added to a failing result.
type Verdict struct {
	Summary, Hint string
	// ErrorCode is the service's code ("AADSTS700213"), empty when none.
	ErrorCode string
	Cause     diag.Cause
	// Facts are what the answer says, in order.
	Facts []diag.Fact
	// Fixes repair it, the first one first.
	Fixes []diag.Fix
	// ListSubjects says a missing federated credential is the cause, so the
	// other subjects of the stack are worth creating too (fic-subjects).
	ListSubjects bool
}

// entraError is the JSON error body Entra returns
// (https://learn.microsoft.com/entra/identity-platform/reference-error-codes#handling-error-codes-in-your-application).
type entraError struct {
	Error         string `json:"error"`
	Description   string `json:"error_description,omitempty"`
	Codes         []int  `json:"error_codes,omitempty"`
	Timestamp     string `json:"timestamp,omitempty"`
	TraceID       string `json:"trace_id,omitempty"`
	CorrelationID string `json:"correlation_id,omitempty"`
	ErrorURI      string `json:"error_uri,omitempty"`
	// Suberror and Claims come with Conditional Access refusals (53003,
	// 50158): claims is a JSON string naming the policies in capolids.
	Suberror string `json:"suberror,omitempty"`
	Claims   string `json:"claims,omitempty"`
}

var (
	traceRE     = regexp.MustCompile(`(?s)\s*Trace ID:.*$`)
	directoryRE = regexp.MustCompile(`in the directory '([^']+)'`)
)

// Entra says what Entra's answer a means for the exchange x.
func Entra(a EntraAnswer, x Exchange) Verdict {
	ee, ok := decodeEntra(a.Body)
	if !ok {
		return entraNoBody(a, x)
	}
	msg := strings.TrimSpace(traceRE.ReplaceAllString(ee.Description, ""))
	code := 0
	if len(ee.Codes) > 0 {
		code = ee.Codes[0]
	}
	info, ok := LookupAADSTSMessage(code, ee.Description)
	if !ok {
		info = UnknownAADSTS(code, msg, ee.ErrorURI)
	}
	v := Verdict{ErrorCode: info.Code, Cause: info.Cause, Summary: info.Title,
		Facts: []diag.Fact{diag.F("error", ee.Error), diag.F("Entra says", msg)}}
	if len(ee.Codes) > 1 {
		v.Facts = append(v.Facts, diag.F("error codes", joinCodes(ee.Codes)))
	}
	for _, kv := range [][2]string{{"trace id", ee.TraceID}, {"correlation id", ee.CorrelationID}, {"timestamp", ee.Timestamp},
		{"error uri", ee.ErrorURI}, {"suberror", ee.Suberror}, {"conditional access policies", policyIDs(ee.Claims)}} {
		if kv[1] != "" {
			v.Facts = append(v.Facts, diag.F(kv[0], kv[1]))
		}
	}
	client, tenant := x.Client.Or("ARM_CLIENT_ID"), x.Tenant.Or("ARM_TENANT_ID")
	v.Hint = settingWords(client, tenant).Replace(strings.ReplaceAll(info.Explanation+" "+info.Fix, "<client-id>", x.ClientID))
	if a.Status == http.StatusTooManyRequests || a.Status >= 500 {
		v.Cause = diag.CauseServiceFault
		v.Summary = fmt.Sprintf("%s (HTTP %d: a service-side or throttling error, not your configuration)", info.Title, a.Status)
		if info.Cause == diag.CauseServiceFault {
			// The code's own text already says to retry (AADSTS90033, 90055).
			v.Hint = info.Explanation + " " + strings.TrimSuffix(info.Fix, ".") + retryAfterNote(a.RetryAfter) + "."
		} else {
			v.Hint = "retry the run in a few minutes" + retryAfterNote(a.RetryAfter) + "; if it persists, check https://status.azure.com and quote the trace and correlation ids to Microsoft support. " + v.Hint
		}
	}
	tok := x.Token
	aud := tok.FirstAudience()
	fic := ficCauses[info.Cause]
	vals := values{ClientID: x.ClientID, TenantID: x.TenantID, Issuer: tok.Issuer, Subject: tok.Subject, Audience: aud,
		Client: client, Tenant: tenant, Policies: splitIDs(policyIDs(ee.Claims)), GraphEndpoint: x.GraphEndpoint}
	if v.Cause != diag.CauseServiceFault {
		v.Summary = settingWords(client, tenant).Replace(headline(info, vals))
	}
	v.Facts = append(v.Facts, refusalFacts(info, vals, &tok, ee.Description)...)
	switch {
	case fic:
		v.Facts = append(v.Facts, diag.F("credential needed", "issuer "+tok.Issuer+" · subject "+tok.Subject+" · audience "+aud))
		if !strings.Contains(v.Hint, "propagat") {
			v.Hint += " If a credential with exactly these values was created in the last few minutes, wait and retry: new credentials take minutes to propagate."
		}
		v.ListSubjects = info.Cause != diag.CauseAudienceMismatch && info.Cause != diag.CauseIssuerMismatch
	case info.Cause == diag.CauseAssertionExpired, info.Cause == diag.CauseAssertionNotYetValid:
		v.Facts = append(v.Facts, diag.F("now (local clock)", x.Now.UTC().Format(time.RFC3339)), diag.F("token valid from", diag.Time(tok.NotBefore)), diag.F("token expires", diag.Time(tok.Expiry)))
	}
	v.Fixes = chooseFixes(info, vals)
	return v
}

// decodeEntra reads Entra's JSON error body; an answer that is not
// Entra's JSON but names an AADSTS code (a proxy that rewrapped it, a body
// cut short) is read for that code.
func decodeEntra(body []byte) (entraError, bool) {
	var ee entraError
	if json.Unmarshal(body, &ee) != nil || (len(ee.Codes) == 0 && ee.Error == "") {
		c, ok := codeInText(body)
		if !ok {
			return entraError{}, false
		}
		ee = entraError{Codes: []int{c}, Description: string(body[:min(len(body), 4000)])}
	}
	if len(ee.Codes) == 0 {
		if c, ok := codeInText([]byte(ee.Description)); ok {
			ee.Codes = []int{c}
		}
	}
	return ee, true
}

func retryAfterNote(ra string) string {
	if ra != "" {
		return " (Entra asked to wait " + ra + "s, longer than this run waits)"
	}
	return ""
}

// codeInText finds the AADSTS code of an answer that is not Entra's JSON
// (a proxy that rewrapped it, a body cut short): the paste reader's first
// Entra finding.
func codeInText(body []byte) (int, bool) {
	for _, f := range Paste(string(body[:min(len(body), maxARMBody)]), nil) {
		if n, ok := strings.CutPrefix(f.Code, "AADSTS"); ok {
			if c, err := strconv.Atoi(n); err == nil {
				return c, true
			}
		}
	}
	return 0, false
}

func joinCodes(cs []int) string {
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = "AADSTS" + strconv.Itoa(c)
	}
	return strings.Join(out, ", ")
}
