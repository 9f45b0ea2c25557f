// Package entra exchanges the run's OIDC token with Microsoft Entra ID
// through azidentity's ClientAssertionCredential, exactly as Terraform's
// providers will, and reads who the resulting access token names. What a
// refusal means is package explain's business; what a request that got no
// answer means is package transport's.
//
// It also asks for the Microsoft Graph token Terraform's azurerm provider
// asks for first, beside the ARM one (Graph), and, best effort, reads
// the app's federated credentials through Graph.
//
// It owns the check ids entra-exchange, fic-subjects, graph-token,
// graph-permissions and graph-credentials.
package entra

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/cloud"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"
	"github.com/golang-jwt/jwt/v5"

	"github.com/oidc-doctor/oidc-doctor/check/diag"
	"github.com/oidc-doctor/oidc-doctor/check/explain"
	"github.com/oidc-doctor/oidc-doctor/check/fixes"
	"github.com/oidc-doctor/oidc-doctor/check/graph"
	"github.com/oidc-doctor/oidc-doctor/check/signin"
	"github.com/oidc-doctor/oidc-doctor/check/spacelift"
	"github.com/oidc-doctor/oidc-doctor/check/transport"
)

// Timeout bounds the Entra exchange (discovery + token), retries included.
const Timeout = 15 * time.Second

const (
	idExchange    = "entra-exchange"
	titleExchange = "Entra ID token exchange"
)

// Input is what the exchange needs.
type Input struct {
	// ClientID and TenantID are ARM_CLIENT_ID and ARM_TENANT_ID, judged
	// valid, or a provider block's own.
	ClientID, TenantID string
	// ClientFrom and TenantFrom are where the provider read them, for the
	// facts and fixes that name the setting; their zero values are
	// ARM_CLIENT_ID and ARM_TENANT_ID.
	ClientFrom, TenantFrom fixes.Setting
	// Cloud is the sign-in and Resource Manager endpoints.
	Cloud cloud.Configuration
	// Assertion is the compact OIDC token sent to Entra. Never render it.
	Assertion string
	// Token is what the assertion's claims say, for the explanations.
	Token explain.Token
	// Spacelift are its Spacelift claims, to list the stack's other subjects.
	Spacelift spacelift.Claims
	// Client carries every request; Observer watches it (see transport).
	Client   *http.Client
	Observer *transport.Observer
	// Started, when set, is handed the credential just before the
	// exchange's token request, so that a token for another resource
	// (Azure Storage, for the state backend) can be requested with the same
	// assertion at the same time instead of after the exchange.
	Started func(azcore.TokenCredential)
	// Graph says whether to ask for the Graph token too, and what to check
	// with it; its zero value asks for none.
	Graph GraphInput
}

func (in Input) clientFrom() fixes.Setting { return in.ClientFrom.Or("ARM_CLIENT_ID") }
func (in Input) tenantFrom() fixes.Setting { return in.TenantFrom.Or("ARM_TENANT_ID") }

// Principal is who Entra says the token made us, from the ARM access token's
// claims (decoded, never printed).
type Principal struct {
	TenantID, ObjectID, AppID, IDType, DisplayName string
}

// Name is how the principal is shown: its display name, or, when the
// access token carries none (app_displayname is optional), its app id.
func (p Principal) Name() string {
	switch {
	case p.DisplayName != "":
		return p.DisplayName
	case p.AppID != "":
		return "app " + p.AppID
	}
	return "the service principal"
}

// Skipped is the step's result when it cannot run; why says what is missing.
func Skipped(why string) []diag.Result {
	return []diag.Result{diag.Skipped(idExchange, titleExchange, why)}
}

// Scope is what the ARM clients ask for: the cloud's ARM audience plus
// "/.default", with CAE on, so the doctor's exchange fills the same cache
// entry the RBAC step reads (one exchange serves the whole run).
func Scope(c cloud.Configuration) string {
	return c.Services[cloud.ResourceManager].Audience + "/.default"
}

// newCredential builds the ClientAssertionCredential for the exchange, with
// the shared client. Instance discovery is off for the well-known clouds'
// authorities: for a host on MSAL's trusted list it only fetches alias
// metadata that a single in-memory cache never reads, so it costs one round
// trip and changes no request, check or error after it (MSAL Go v1.10.1
// resolves a trusted host without it,
// https://github.com/AzureAD/microsoft-authentication-library-for-go/blob/v1.10.1/apps/internal/oauth/resolvers.go,
// and its only other use is
// https://github.com/AzureAD/microsoft-authentication-library-for-go/blob/v1.10.1/apps/internal/base/storage/storage.go). Terraform's
// azurerm does its own OIDC exchange and sends no such request either. Any
// other authority host keeps MSAL's default, which validates the authority.
func newCredential(in Input) (azcore.TokenCredential, error) {
	opts := &azidentity.ClientAssertionCredentialOptions{ClientOptions: azcore.ClientOptions{
		Cloud: in.Cloud, Transport: transport.SDK(in.Client), Retry: transport.RetryOptions,
		Logging: policy.LogOptions{IncludeBody: false},
	}, DisableInstanceDiscovery: wellKnownAuthority(in.Cloud.ActiveDirectoryAuthorityHost)}
	raw := in.Assertion
	return azidentity.NewClientAssertionCredential(in.TenantID, in.ClientID,
		func(context.Context) (string, error) { return raw, nil }, opts)
}

// Exchange swaps the Spacelift token for an ARM token with Entra ID. On
// success it returns the credential, which caches that token for the RBAC
// step, and the principal; on failure the entra-exchange result says why,
// and fic-subjects follows when missing credentials are the cause. The
// Graph token, when in.Graph asks for it, is requested at the same time
// and not waited for: the caller collects it with Graph.Results (or ends
// it with Graph.Stop); nil when none was requested.
func Exchange(ctx context.Context, in Input) (azcore.TokenCredential, *Principal, []diag.Result, *Graph) {
	start := time.Now()
	r := diag.Result{ID: idExchange, Title: titleExchange, Facts: []diag.Fact{
		diag.F("tenant", in.TenantID), diag.F("client id", in.ClientID),
		diag.F("authority", in.Cloud.ActiveDirectoryAuthorityHost), diag.F("scope", Scope(in.Cloud)),
	}}
	cred, err := newCredential(in)
	if err != nil {
		r.Status, r.Summary = diag.StatusFail, "the credential could not be built: "+err.Error()
		r.Cause = diag.CauseSettingsInvalid
		r.Hint = "check " + in.tenantFrom().Name() + " and " + in.clientFrom().Name()
		return nil, nil, []diag.Result{r}, nil
	}
	g := startGraph(ctx, in)
	if in.Started != nil {
		in.Started(cred)
	}
	sctx, cancel := context.WithTimeout(ctx, Timeout)
	defer cancel()
	sctx, calls := transport.Observe(sctx)
	at, err := cred.GetToken(sctx, policy.TokenRequestOptions{Scopes: []string{Scope(in.Cloud)}, EnableCAE: true})
	r.Elapsed = time.Since(start)
	if err != nil {
		rs := failed(sctx, calls, err, in, r)
		if g != nil {
			g.exchangeFailed = idExchange
		}
		return nil, nil, rs, g
	}
	p := principalFromToken(at.Token)
	r.Status = diag.StatusPass
	r.Summary = fmt.Sprintf("Entra accepted the token: signed in as %s (object id %s) in tenant %s", p.Name(), p.ObjectID, p.TenantID)
	r.Facts = append(r.Facts, diag.F("principal", p.Name()), diag.F("tid", p.TenantID),
		diag.F("oid", p.ObjectID), diag.F("appid", p.AppID), diag.F("idtyp", diag.Absent(p.IDType)),
		diag.F("access token expires", at.ExpiresOn.UTC().Format(time.RFC3339)))
	if p.AppID != "" && !strings.EqualFold(p.AppID, in.ClientID) {
		r.Status = diag.StatusWarn
		r.Summary += "; but the token's appid " + p.AppID + " is not " + in.clientFrom().Name()
	}
	return cred, &p, []diag.Result{r}, g
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

// failed turns a failed GetToken into results: which request failed, and
// what Entra's answer (or the lack of one) means. calls is what the
// GetToken's own requests met.
func failed(ctx context.Context, calls *transport.Calls, err error, in Input, r diag.Result) []diag.Result {
	r.Status = diag.StatusFail
	f := signin.Read(err, calls, ctx.Err(), in.exchange())
	if f.NoAnswer != nil {
		f.Summary = "no answer from Entra ID: " + f.Summary
	}
	r.Facts = append(r.Facts, f.Request...)
	out := []diag.Result{merge(r, f.Verdict)}
	if f.Answered && f.ListSubjects {
		if sr, ok := subjectsOfToken(in); ok {
			sr.RootCause = idExchange
			out = append(out, sr)
		}
	}
	return out
}

// exchange is what explain needs to know of in's token request.
func (in Input) exchange() explain.Exchange {
	return explain.Exchange{ClientID: in.ClientID, TenantID: in.TenantID, Client: in.ClientFrom, Tenant: in.TenantFrom,
		AuthorityHost: signin.Host(in.Cloud.ActiveDirectoryAuthorityHost), Token: in.Token, Now: in.Observer.Now(),
		GraphEndpoint: graph.Endpoint(in.Graph.Scope)}
}

// merge adds what explain made of an answer to the step's result.
func merge(r diag.Result, v explain.Verdict) diag.Result {
	r.Summary, r.Hint, r.ErrorCode, r.Cause = v.Summary, v.Hint, v.ErrorCode, v.Cause
	r.Facts = append(r.Facts, v.Facts...)
	r.Fixes = append(r.Fixes, v.Fixes...)
	return r
}

// wellKnownAuthorities are the sign-in hosts of Azure's public and national
// clouds (azcore/cloud), all on MSAL's trusted-host list, aadTrustedHostList in
// https://github.com/AzureAD/microsoft-authentication-library-for-go/blob/v1.10.1/apps/internal/oauth/ops/authority/authority.go.
var wellKnownAuthorities = []string{"login.microsoftonline.com", "login.microsoftonline.us", "login.chinacloudapi.cn"}

// wellKnownAuthority reports whether authority is https:// on one of them.
func wellKnownAuthority(authority string) bool {
	u, err := url.Parse(authority)
	if err != nil || u.Scheme != "https" || (u.Path != "" && u.Path != "/") {
		return false
	}
	for _, h := range wellKnownAuthorities {
		if strings.EqualFold(u.Host, h) {
			return true
		}
	}
	return false
}
