package check

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/cloud"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/runtime"
	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"
	"github.com/golang-jwt/jwt/v5"
	"github.com/oidc-doctor/oidc-doctor/check/diag"
	"github.com/oidc-doctor/oidc-doctor/check/fixes"
	"github.com/oidc-doctor/oidc-doctor/check/settings"
	"github.com/oidc-doctor/oidc-doctor/check/spacelift"
	"github.com/oidc-doctor/oidc-doctor/check/token"
	"github.com/oidc-doctor/oidc-doctor/check/transport"
)

// exchangeTimeout bounds the Entra exchange (discovery + token), retries included.
const exchangeTimeout = 15 * time.Second

// Principal is who Entra says the token made us, from the ARM access token's
// claims (decoded, never printed).
type Principal struct {
	TenantID, ObjectID, AppID, IDType, DisplayName string
}

// entraError is the JSON error body Entra returns (azure.md §2.2).
type entraError struct {
	Error         string `json:"error"`
	Description   string `json:"error_description"`
	Codes         []int  `json:"error_codes"`
	Timestamp     string `json:"timestamp"`
	TraceID       string `json:"trace_id"`
	CorrelationID string `json:"correlation_id"`
	ErrorURI      string `json:"error_uri"`
}

// armScope is what the ARM clients ask for: the cloud's ARM audience plus
// "/.default", with CAE on, so the doctor's exchange fills the same cache entry
// the RBAC step reads (one exchange serves the whole run).
func armScope(c cloud.Configuration) string {
	return c.Services[cloud.ResourceManager].Audience + "/.default"
}

// newCredential builds the ClientAssertionCredential exactly as the run will
// use it: default options (instance discovery on), the shared client.
func newCredential(s settings.Azure, client *http.Client, raw string) (azcore.TokenCredential, error) {
	opts := &azidentity.ClientAssertionCredentialOptions{ClientOptions: azcore.ClientOptions{
		Cloud: s.Cloud, Transport: transport.SDK(client), Retry: transport.RetryOptions,
		Logging: policy.LogOptions{IncludeBody: false},
	}}
	return azidentity.NewClientAssertionCredential(s.TenantID, s.ClientID,
		func(context.Context) (string, error) { return raw, nil }, opts)
}

// exchange swaps the Spacelift token for an ARM token with Entra ID.
func exchange(ctx context.Context, s settings.Azure, tok *token.Token, raw string, client *http.Client, obs *transport.Observer) (azcore.TokenCredential, *Principal, []Result) {
	const id, title = "entra-exchange", "Entra ID token exchange"
	start := time.Now()
	r := Result{ID: id, Title: title, Facts: []Fact{
		fact("tenant", s.TenantID), fact("client id", s.ClientID),
		fact("authority", s.Cloud.ActiveDirectoryAuthorityHost), fact("scope", armScope(s.Cloud)),
	}}
	cred, err := newCredential(s, client, raw)
	if err != nil {
		r.Status, r.Summary = StatusFail, "the credential could not be built: "+err.Error()
		r.Hint = "check ARM_TENANT_ID and ARM_CLIENT_ID"
		return nil, nil, []Result{r}
	}
	sctx, cancel := context.WithTimeout(ctx, exchangeTimeout)
	defer cancel()
	at, err := cred.GetToken(sctx, policy.TokenRequestOptions{Scopes: []string{armScope(s.Cloud)}, EnableCAE: true})
	r.Elapsed = time.Since(start)
	if err == nil {
		p := principalFromToken(at.Token)
		r.Status = StatusPass
		r.Summary = fmt.Sprintf("Entra accepted the token: signed in as %s (object id %s) in tenant %s", diag.Absent(p.DisplayName), p.ObjectID, p.TenantID)
		r.Facts = append(r.Facts, fact("principal", diag.Absent(p.DisplayName)), fact("tid", p.TenantID),
			fact("oid", p.ObjectID), fact("appid", p.AppID), fact("idtyp", diag.Absent(p.IDType)),
			fact("access token expires", at.ExpiresOn.UTC().Format(time.RFC3339)))
		if p.AppID != "" && !strings.EqualFold(p.AppID, s.ClientID) {
			r.Status = StatusWarn
			r.Summary += "; but the token's appid " + p.AppID + " is not ARM_CLIENT_ID"
		}
		return cred, &p, []Result{r}
	}
	out := explainExchangeError(sctx, err, s, tok, obs, r)
	return nil, nil, out
}

// principalFromToken reads the ARM access token's identity claims. The token
// itself is dropped here and never stored.
func principalFromToken(at string) Principal {
	c := jwt.MapClaims{}
	if _, _, err := jwt.NewParser().ParseUnverified(at, c); err != nil {
		return Principal{}
	}
	s := func(k string) string { v, _ := c[k].(string); return v }
	return Principal{TenantID: s("tid"), ObjectID: s("oid"), AppID: s("appid"), IDType: s("idtyp"), DisplayName: s("app_displayname")}
}

var (
	traceRE     = regexp.MustCompile(`(?s)\s*Trace ID:.*$`)
	directoryRE = regexp.MustCompile(`in the directory '([^']+)'`)
)

// explainExchangeError turns a failed GetToken into findings: which stage
// failed, Entra's code, which setting is wrong, and the fixes.
func explainExchangeError(ctx context.Context, err error, s settings.Azure, tok *token.Token, obs *transport.Observer, r Result) []Result {
	r.Status = StatusFail
	var afe *azidentity.AuthenticationFailedError
	if !errors.As(err, &afe) || afe.RawResponse == nil {
		host := hostOf(s.Cloud.ActiveDirectoryAuthorityHost)
		cause := obs.LastErr(host)
		if cause == nil {
			cause = ctx.Err()
		}
		if cause == nil {
			// A response arrived but MSAL could not read it (HTML, truncated JSON).
			if st, ct, ok := obs.LastResponse(host); ok {
				r.Facts = append(r.Facts, fact("last response", fmt.Sprintf("HTTP %d, Content-Type %s", st, diag.Absent(ct))))
				r.Summary = fmt.Sprintf("%s answered, but not with Entra's JSON (HTTP %d, %s): the response could not be read", host, st, diag.Absent(ct))
				r.Hint = "a proxy, captive portal or TLS-inspecting firewall may be answering for " + host + ": check HTTPS_PROXY/NO_PROXY, and run `curl -sSI https://" + host + "/common/discovery/instance?api-version=1.1` on the worker"
				return []Result{r}
			}
			cause = err
		}
		sum, hint := transport.Describe(host, cause)
		r.Summary = "no answer from Entra ID: " + sum
		r.Hint = hint
		return []Result{r}
	}
	resp := afe.RawResponse
	stage := stageOf(resp.Request)
	r.Facts = append(r.Facts, fact("failed request", stage), fact("HTTP status", resp.Status))
	body, _ := runtime.Payload(resp)
	var ee entraError
	if json.Unmarshal(body, &ee) != nil || (len(ee.Codes) == 0 && ee.Error == "") {
		r.Summary = fmt.Sprintf("Entra ID answered the %s with HTTP %d and no Entra error body (%s)", stage, resp.StatusCode, contentKind(resp, body))
		switch {
		case resp.StatusCode == http.StatusTooManyRequests:
			r.Hint = "Entra is throttling this client (Retry-After " + diag.Absent(resp.Header.Get("Retry-After")) + "); retry the run later"
		case resp.StatusCode >= 500:
			r.Hint = "Entra ID had a server error; retry, and check https://status.azure.com if it persists"
		default:
			r.Hint = "a proxy or firewall may be answering instead of Entra ID: check HTTPS_PROXY/NO_PROXY for " + hostOf(s.Cloud.ActiveDirectoryAuthorityHost)
		}
		return []Result{r}
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
	r.ErrorCode = info.Code
	r.Summary = info.Title
	r.Facts = append(r.Facts, fact("error", ee.Error), fact("Entra says", msg))
	for _, kv := range [][2]string{{"trace id", ee.TraceID}, {"correlation id", ee.CorrelationID}, {"timestamp", ee.Timestamp}, {"error uri", ee.ErrorURI}} {
		if kv[1] != "" {
			r.Facts = append(r.Facts, fact(kv[0], kv[1]))
		}
	}
	r.Hint = strings.ReplaceAll(info.Explanation+" "+info.Fix, "<client-id>", s.ClientID)
	out := []Result{r}
	rr := &out[0]
	aud := tok.FirstAudience()
	ficCause := info.Cause == CauseSubjectMismatch || info.Cause == CauseAudienceMismatch || info.Cause == CauseIssuerMismatch || info.Cause == CauseNoMatchingFIC
	if resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode >= 500 {
		rr.Summary = fmt.Sprintf("%s (HTTP %d: a service-side or throttling error, not your configuration)", info.Title, resp.StatusCode)
		rr.Hint = "retry the run in a few minutes" + retryAfterNote(resp) + "; if it persists, check https://status.azure.com and quote the trace and correlation ids to Microsoft support. " + rr.Hint
	}
	switch info.Field {
	case "issuer", "subject", "audience":
		presented := map[string]string{"issuer": tok.Issuer, "subject": tok.Subject, "audience": aud}[info.Field]
		if ficCause {
			rr.Summary = fmt.Sprintf("%s: the token presents %s %q (app %s)", info.Title, info.Field, presented, s.ClientID)
		} else {
			rr.Summary = fmt.Sprintf("%s (%s %s; see issuer-discovery and issuer-signature)", info.Title, info.Field, presented)
		}
		rr.Facts = append(rr.Facts, fact("wrong field", info.Field), fact("presented "+info.Field, presented))
		if ficCause {
			for _, sh := range MismatchShapes(info.Field, presented, tok) {
				rr.Facts = append(rr.Facts, fact("likely", sh))
			}
		}
	case "client_id":
		rr.Summary = fmt.Sprintf("%s: ARM_CLIENT_ID %s is not an Application (client) ID in tenant %s (or that is not the app's home tenant)", info.Title, s.ClientID, s.TenantID)
		rr.Facts = append(rr.Facts, fact("wrong setting", "ARM_CLIENT_ID"), fact("presented ARM_CLIENT_ID", s.ClientID),
			fact("expected", "the Application (client) ID of the app registration or managed identity that holds the federated credentials, in tenant "+s.TenantID))
		if m := directoryRE.FindStringSubmatch(ee.Description); m != nil {
			rr.Facts = append(rr.Facts, fact("directory searched", m[1]+" (tenant "+s.TenantID+")"))
		}
		rr.Facts = append(rr.Facts, fact("or", "ARM_TENANT_ID names another tenant than the app's home tenant"))
		rr.Fixes = append(rr.Fixes, Fix{Title: "find the app's home tenant", Lang: "sh",
			Text: "az ad sp show --id " + s.ClientID + " --query appOwnerOrganizationId -o tsv   # run where the app lives\naz account show --query tenantId -o tsv"})
		rr.Fixes = append(rr.Fixes, Fix{Title: "look up the Application (client) ID", Lang: "sh",
			Text: "az ad app list --filter \"appId eq '" + s.ClientID + "'\" --query '[].appId' -o tsv   # empty: not an application id\n" +
				"az ad sp show --id " + s.ClientID + " --query appId -o tsv                    # an object id here resolves to its appId\n" +
				"az ad app list --display-name <app-name> --query '[].{name:displayName, appId:appId}' -o table"})
	case "tenant":
		rr.Summary = fmt.Sprintf("%s: ARM_TENANT_ID %q", info.Title, s.TenantID)
		rr.Facts = append(rr.Facts, fact("wrong setting", "ARM_TENANT_ID"), fact("presented ARM_TENANT_ID", s.TenantID),
			fact("expected", "the Directory (tenant) ID that holds the app registration"))
		rr.Fixes = append(rr.Fixes, Fix{Title: "look up the tenant id", Lang: "sh",
			Text: "az account show --query tenantId -o tsv\naz ad app show --id " + s.ClientID + " --query publisherDomain -o tsv"})
	}
	switch info.Cause {
	case CauseSubjectMismatch, CauseAudienceMismatch, CauseIssuerMismatch, CauseNoMatchingFIC:
		rr.Facts = append(rr.Facts, fact("credential needed", "issuer "+tok.Issuer+" · subject "+tok.Subject+" · audience "+aud))
		if !strings.Contains(rr.Hint, "propagat") {
			rr.Hint += " If a credential with exactly these values was created in the last few minutes, wait and retry: new credentials take minutes to propagate."
		}
		fs := fixes.FIC(s.ClientID, tok.Issuer, tok.Subject, aud)
		switch {
		case info.Cause == CauseAudienceMismatch:
			// A credential with this issuer (and most likely this subject)
			// exists with another audience: Entra refuses a second one with
			// the same issuer and subject, so correcting it comes first.
			fs = append(fs[:1:1], append([]Fix{fixes.FICUpdate(s.ClientID, tok.Issuer, tok.Subject, aud)}, fs[1:]...)...)
		case info.Cause == CauseIssuerMismatch || code == 7002138:
			// A near-miss credential may exist: correcting it is an option.
			fs = append(fs[:2:2], append([]Fix{fixes.FICUpdate(s.ClientID, tok.Issuer, tok.Subject, aud)}, fs[2:]...)...)
		}
		rr.Fixes = append(rr.Fixes, fs...)
		if sr, ok := subjectsResult(tok, s.ClientID); ok && info.Cause != CauseAudienceMismatch && info.Cause != CauseIssuerMismatch {
			out = append(out, sr)
		}
	case CauseAssertionExpired, CauseAssertionNotYetValid:
		rr.Facts = append(rr.Facts, fact("now (local clock)", obs.Now().UTC().Format(time.RFC3339)), fact("token valid from", timeStr(tok.NotBefore)), fact("token expires", timeStr(tok.Expiry)))
	}
	return out
}

// subjectsResult lists every subject the token's stack or module needs.
func subjectsResult(tok *token.Token, clientID string) (Result, bool) {
	sc := tok.Spacelift
	if sc.SpaceID == "" || sc.CallerID == "" || sc.CallerType == "" {
		return Result{}, false
	}
	if _, err := spacelift.ParseSubject(tok.Subject); err != nil {
		return Result{}, false // a custom template: the default variants would be wrong
	}
	return SubjectsReport(tok.Issuer, tok.FirstAudience(), clientID, sc.SpaceID, sc.CallerType, sc.CallerID), true
}

// SubjectsReport is the "fic-subjects" result: every subject a stack or
// module can present, counted against Entra's limit, with the commands.
func SubjectsReport(issuer, audience, clientID, spaceID, callerType, callerID string) Result {
	vs := spacelift.AllSubjects(spaceID, callerType, callerID)
	r := Result{ID: "fic-subjects", Title: "All subjects this " + callerType + " needs", Status: StatusWarn}
	var subs []string
	for _, v := range vs {
		note := v.Why
		if v.Uncertain != "" {
			note += " (" + v.Uncertain + ")"
		}
		r.Facts = append(r.Facts, fact(v.Subject.String(), note))
		subs = append(subs, v.Subject.String())
	}
	r.Summary = fmt.Sprintf("%s %s presents up to %d different subjects, one federated credential each (Entra allows at most 20 per identity and has no wildcards)", callerType, callerID, len(vs))
	r.Hint = "create all of them now, so the next run type or the apply phase does not fail the same way"
	r.Fixes = fixes.FICAll(clientID, issuer, audience, subs)
	return r
}

// stageOf names the request azidentity/MSAL was making.
func stageOf(req *http.Request) string {
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

func contentKind(resp *http.Response, body []byte) string {
	ct := resp.Header.Get("Content-Type")
	switch {
	case len(body) == 0:
		return "empty body"
	case strings.Contains(ct, "html") || strings.HasPrefix(strings.TrimSpace(string(body[:min(len(body), 64)])), "<"):
		return "an HTML page: a proxy, captive portal or firewall answered"
	}
	return "body of type " + diag.Absent(ct)
}

func hostOf(u string) string {
	p, err := url.Parse(u)
	if err != nil {
		return u
	}
	return p.Hostname()
}

func retryAfterNote(resp *http.Response) string {
	if ra := resp.Header.Get("Retry-After"); ra != "" {
		return " (Entra asked to wait " + ra + "s, longer than this run waits)"
	}
	return ""
}
