package check

import (
	"context"
	"net/http"
	"strings"
	"sync"

	"github.com/oidc-doctor/oidc-doctor/check/diag"
	"github.com/oidc-doctor/oidc-doctor/check/entra"
	"github.com/oidc-doctor/oidc-doctor/check/explain"
	"github.com/oidc-doctor/oidc-doctor/check/issuer"
	"github.com/oidc-doctor/oidc-doctor/check/rbac"
	"github.com/oidc-doctor/oidc-doctor/check/settings"
	"github.com/oidc-doctor/oidc-doctor/check/token"
	"github.com/oidc-doctor/oidc-doctor/check/transport"
)

// Run performs the whole diagnosis as a dependent chain: find the token,
// decode and judge it, judge the Azure settings, verify the token against its
// issuer, exchange it with Entra ID, then probe RBAC. Each step that cannot
// run because an earlier one failed is recorded as skipped, with the reason.
// Run never panics on bad input and returns within cfg.Timeout (plus the time
// to assemble the report).
func Run(ctx context.Context, cfg Config) diag.Report {
	now := cfg.now()
	timeout := cfg.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	rep := diag.Report{Started: now, Environment: environment(cfg)}
	tok, results := token.Check(cfg.tokenInput(), now)
	tokenRoot := diag.FirstFailure(results)
	rep.Add(inStep("token", results)...)
	az, results := settings.Judge(cfg.env, cfg.Offline)
	settingsRoot := diag.FirstFailure(results)
	rep.Add(inStep("settings", results)...)
	if cfg.Offline {
		rep.Add(inStep("issuer", issuer.Skipped("--offline"))...)
		rep.Add(inStep("entra", entra.Skipped("--offline"))...)
		rep.Add(inStep("arm", rbac.Skipped("--offline"))...)
		linkRoots(&rep)
		return rep
	}
	base := cfg.HTTPClient
	if base == nil {
		base = transport.NewDefaultClient()
	}
	obs, client := transport.NewObserver(base, cfg.now)

	defer cfg.progress("")
	// The issuer check and the exchange are independent: run them together.
	cfg.progress("checking the issuer and exchanging the token with Entra ID")
	var issuerResults []diag.Result
	var wg sync.WaitGroup
	if tok != nil {
		wg.Go(func() {
			issuerResults = issuer.Check(ctx, client, issuer.Token{Issuer: tok.Issuer, Alg: tok.Alg, Kid: tok.Kid, Raw: tok.Raw()})
		})
	} else {
		issuerResults = diag.Caused(issuer.Skipped("no usable token"), tokenRoot)
	}
	rbacIn, exResults := exchange(ctx, tok, az, client, obs)
	if tok == nil {
		exResults = diag.Caused(exResults, tokenRoot)
	} else if rbacIn == nil && diag.FirstFailure(exResults) == "" {
		exResults = diag.Caused(exResults, settingsRoot)
	}
	wg.Wait()
	rep.Add(inStep("issuer", issuerResults)...)
	rep.Add(inStep("entra", exResults)...)
	armResults := rbacStep(ctx, rbacIn, az, cfg)
	if rbacIn == nil {
		armResults = diag.Caused(armResults, diag.FirstNonEmpty(diag.FirstFailure(exResults), tokenRoot, settingsRoot))
	} else if !az.SubscriptionOK {
		armResults = diag.Caused(armResults, settingsRoot)
	}
	rep.Add(inStep("arm", armResults)...)
	rep.Add(inStep("clock", []diag.Result{checkClock(obs, tok, cfg.now())})...)
	dedupeFixes(&rep)
	linkRoots(&rep)
	return rep
}

// inStep tags results with the step they belong to.
func inStep(step string, rs []diag.Result) []diag.Result {
	for i := range rs {
		rs[i].Step = step
	}
	return rs
}

// exchange runs the Entra step when its inputs are valid. It returns the
// RBAC step's input (nil unless the exchange worked) and the step's results.
func exchange(ctx context.Context, tok *token.Token, az settings.Azure, client *http.Client, obs *transport.Observer) (*rbac.Input, []diag.Result) {
	switch {
	case tok == nil:
		return nil, entra.Skipped("no usable token")
	case !az.ClientOK || !az.TenantOK:
		return nil, entra.Skipped("ARM_CLIENT_ID and ARM_TENANT_ID must both be valid (see azure-settings)")
	}
	cred, pr, rs := entra.Exchange(ctx, entra.Input{
		ClientID: az.ClientID, TenantID: az.TenantID, Cloud: az.Cloud,
		Assertion: tok.Raw(), Token: explainToken(tok), Spacelift: tok.Spacelift,
		Client: client, Observer: obs,
	})
	if cred == nil {
		return nil, rs
	}
	in := &rbac.Input{Cred: cred, SubscriptionID: az.SubscriptionID,
		TenantID: pr.TenantID, ObjectID: pr.ObjectID, ClientID: pr.AppID,
		RunType: tok.Spacelift.RunType, Scope: tok.Spacelift.Scope}
	in.ClientOptions.Cloud = az.Cloud
	in.ClientOptions.Transport = transport.SDK(client)
	in.ClientOptions.Retry = transport.RetryOptions
	return in, rs
}

// rbacStep runs the RBAC step under its own deadline, when the exchange
// worked and the subscription id is usable.
func rbacStep(ctx context.Context, in *rbac.Input, az settings.Azure, cfg Config) []diag.Result {
	switch {
	case in == nil:
		return rbac.Skipped("needs a successful entra-exchange")
	case !az.SubscriptionOK:
		rs := rbac.Skipped("ARM_SUBSCRIPTION_ID is not set or not valid")
		rs[0].Hint = "set ARM_SUBSCRIPTION_ID on the stack to check RBAC: " + settings.Hint("ARM_SUBSCRIPTION_ID")
		return rs
	}
	in.Getenv = cfg.env
	cfg.progress("reading the identity's roles and permissions from Azure Resource Manager")
	rctx, cancel := context.WithTimeout(ctx, rbac.Timeout)
	defer cancel()
	return rbac.Check(rctx, *in)
}

// explainToken is what explain reads of the token.
func explainToken(t *token.Token) explain.Token {
	if t == nil {
		return explain.Token{}
	}
	return explain.Token{Issuer: t.Issuer, Subject: t.Subject, Audience: t.Audience,
		CallerType: t.Spacelift.CallerType, NotBefore: t.NotBefore, Expiry: t.Expiry}
}

// dedupeFixes keeps each fix only in the first result that gives it: one
// missing role often fails several RBAC checks, and the same command three
// times buries the rest. Later results point back to the first.
func dedupeFixes(rep *diag.Report) {
	first := map[string]string{} // fix text -> id of the first result with it
	for i := range rep.Results {
		r := &rep.Results[i]
		kept := r.Fixes[:0:0]
		var seenIn []string
		for _, f := range r.Fixes {
			if id, ok := first[f.Text]; ok {
				if len(seenIn) == 0 || seenIn[len(seenIn)-1] != id {
					seenIn = append(seenIn, id)
				}
				continue
			}
			first[f.Text] = r.ID
			kept = append(kept, f)
		}
		r.Fixes = kept
		if len(seenIn) > 0 {
			r.Facts = append(r.Facts, diag.F("fix", "the same as under "+strings.Join(seenIn, ", ")))
		}
	}
}
