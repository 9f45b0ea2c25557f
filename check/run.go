package check

import (
	"context"
	"slices"
	"strings"
	"sync"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"

	"github.com/oidc-doctor/oidc-doctor/check/backend"
	"github.com/oidc-doctor/oidc-doctor/check/diag"
	"github.com/oidc-doctor/oidc-doctor/check/entra"
	"github.com/oidc-doctor/oidc-doctor/check/explain"
	"github.com/oidc-doctor/oidc-doctor/check/issuer"
	"github.com/oidc-doctor/oidc-doctor/check/rbac"
	"github.com/oidc-doctor/oidc-doctor/check/settings"
	"github.com/oidc-doctor/oidc-doctor/check/token"
	"github.com/oidc-doctor/oidc-doctor/check/transport"
)

// Run performs the whole diagnosis as a dependent chain: read the Terraform
// configuration, find the token, decode and judge it, judge the Azure
// settings, verify the token against its issuer, exchange it with Entra ID,
// then probe RBAC and the state backend side by side. Each step that cannot
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
	l := runLocal(ctx, cfg, &rep)
	if cfg.Offline {
		rep.Add(inStep("issuer", issuer.Skipped("--offline"))...)
		rep.Add(inStep("entra", entra.Skipped("--offline"))...)
		rep.Add(inStep("graph", entra.GraphSkipped("--offline"))...)
		rep.Add(inStep("arm", rbac.Skipped("--offline"))...)
		rep.Add(inStep("backend", backendStep(ctx, l.tf, nil, "", l.az, nil, cfg))...)
	} else {
		runNetwork(ctx, cfg, &rep, l)
	}
	dedupeFixes(&rep)
	linkRoots(&rep)
	return rep
}

// local is what the steps that need no network found: the configuration,
// the token and the settings, and the first failure of each (the root of
// what they stop).
type local struct {
	tf                      terraform
	tok                     *token.Token
	az                      settings.Azure
	tokenRoot, settingsRoot string
}

// upstream is the failure that stops the steps after the exchange, given
// the exchange's results.
func (l local) upstream(exResults []diag.Result) string {
	return diag.FirstNonEmpty(diag.FirstFailure(exResults), l.tokenRoot, l.settingsRoot)
}

// runLocal runs the Terraform configuration, token and settings steps.
func runLocal(ctx context.Context, cfg Config, rep *diag.Report) local {
	var l local
	tf, tfResult := readTerraform(cfg)
	l.tf = tf
	rep.Add(inStep("terraform", []diag.Result{tfResult})...)
	tok, results, files := token.Check(ctx, cfg.tokenInput(tf.token(cfg.env)), rep.Started)
	l.tok, l.tokenRoot = tok, diag.FirstFailure(results)
	rep.TokenFiles = files
	rep.Add(inStep("token", results)...)
	az, results := settings.JudgeWith(cfg.env, cfg.Offline, tf.settings(cfg.env))
	l.az, l.settingsRoot = az, diag.FirstFailure(results)
	rep.Add(inStep("settings", results)...)
	return l
}

// runNetwork runs the steps that ask the services: the issuer beside the
// exchange (and the alias blocks that sign in elsewhere), then RBAC, Graph
// and the state backend together, each under its own deadline.
func runNetwork(ctx context.Context, cfg Config, rep *diag.Report, l local) {
	base := cfg.HTTPClient
	if base == nil {
		base = transport.NewDefaultClient()
	}
	obs, client := transport.NewObserver(base, cfg.now)
	defer cfg.progress("")
	cfg.progress("checking the issuer and exchanging the token with Entra ID")
	var issuerResults []diag.Result
	var wg sync.WaitGroup
	if tok := l.tok; tok != nil {
		wg.Go(func() {
			issuerResults = issuer.Check(ctx, client, issuer.Token{Issuer: tok.Issuer, Alg: tok.Alg, Kid: tok.Kid, Raw: tok.Raw()})
		})
	} else {
		issuerResults = diag.Caused(issuer.Skipped("no usable token"), l.tokenRoot)
	}
	pf := newStoragePrefetch(ctx, l.tf, l.az, cfg)
	defer pf.stop()
	// Provider blocks that sign in elsewhere exchange beside the main
	// exchange; those that share its identity wait for it.
	s := session{tok: l.tok, az: l.az, client: client, obs: obs, getenv: cfg.env}
	al := startAliases(ctx, l.tf, s)
	rbacIn, exResults, gr := exchange(ctx, s, pf.started(), graphInput(l.tf, l.az, cfg.env), l.tf.azurerm())
	defer gr.Stop()
	if l.tok == nil {
		exResults = diag.Caused(exResults, l.tokenRoot)
	} else if rbacIn == nil && diag.FirstFailure(exResults) == "" {
		exResults = diag.Caused(exResults, l.settingsRoot)
	}
	al.mainDone(rbacIn, l.upstream(exResults))
	wg.Wait()
	rep.Add(inStep("issuer", issuerResults)...)
	rep.Add(inStep("entra", exResults)...)
	afterExchange(ctx, cfg, rep, l, rbacIn, exResults, gr, pf)
	rep.Add(inStep("aliases", al.wait())...)
	rep.Add(inStep("clock", []diag.Result{checkClock(obs, l.tok, cfg.now())})...)
}

// afterExchange runs the RBAC, Graph and state-backend steps together.
func afterExchange(ctx context.Context, cfg Config, rep *diag.Report, l local, rbacIn *rbac.Input, exResults []diag.Result, gr *entra.Graph, pf *storagePrefetch) {
	var wg sync.WaitGroup
	var backendResults []diag.Result
	graphResults := diag.Caused(entra.GraphSkipped("needs an entra-exchange"), l.upstream(exResults))
	upstream := "" // what leaves RBAC and the backend without an identity
	if rbacIn == nil {
		upstream = l.upstream(exResults)
	}
	wg.Go(func() { backendResults = backendStep(ctx, l.tf, rbacIn, upstream, l.az, pf, cfg) })
	if gr != nil {
		wg.Go(func() { graphResults = gr.Results(ctx) })
	}
	armResults := rbacStep(ctx, rbacIn, l.az, cfg)
	if rbacIn == nil {
		armResults = diag.Caused(armResults, upstream)
	} else if !l.az.SubscriptionOK {
		armResults = diag.Caused(armResults, l.settingsRoot)
	}
	wg.Wait()
	rep.Add(inStep("graph", graphResults)...)
	rep.Add(inStep("arm", armResults)...)
	rep.Add(inStep("backend", backendResults)...)
}

// inStep tags results with the step they belong to.
func inStep(step string, rs []diag.Result) []diag.Result {
	for i := range rs {
		rs[i].Step = step
	}
	return rs
}

// exchange runs the Entra step when its inputs are valid. It returns the
// RBAC step's input (nil unless the exchange worked), complete, the
// step's results, and the Graph token in flight (nil when none was asked
// for).
func exchange(ctx context.Context, s session, started func(azcore.TokenCredential), g entra.GraphInput, azurerm rbac.Azurerm) (*rbac.Input, []diag.Result, *entra.Graph) {
	switch {
	case s.tok == nil:
		return nil, entra.Skipped("no usable token"), nil
	case !s.az.ClientOK || !s.az.TenantOK:
		return nil, entra.Skipped("ARM_CLIENT_ID and ARM_TENANT_ID must both be valid (see azure-settings)"), nil
	}
	cred, pr, rs, gr := entra.Exchange(ctx, s.entraInput(signIn{clientID: s.az.ClientID, tenantID: s.az.TenantID}, started, g))
	if cred == nil {
		return nil, rs, gr
	}
	return s.rbacInput(cred, pr, workOn{subscriptionID: s.az.SubscriptionID, azurerm: azurerm}), rs, gr
}

// rbacStep runs the RBAC step under its own deadline, when the exchange
// worked and the subscription id is usable. It reads in, never writes it:
// the backend step and the provider blocks read it too.
func rbacStep(ctx context.Context, in *rbac.Input, az settings.Azure, cfg Config) []diag.Result {
	switch {
	case in == nil:
		return rbac.Skipped("needs a successful entra-exchange")
	case !az.SubscriptionOK:
		rs := rbac.Skipped("ARM_SUBSCRIPTION_ID is not set or not valid")
		rs[0].Hint = "set ARM_SUBSCRIPTION_ID on the stack to check RBAC: " + settings.Hint("ARM_SUBSCRIPTION_ID")
		return rs
	}
	cfg.progress("reading the identity's roles and permissions from Azure Resource Manager")
	rctx, cancel := context.WithTimeout(ctx, rbac.Timeout)
	defer cancel()
	return rbac.Check(rctx, *in)
}

// backendStep runs the state-backend step when an azurerm backend is
// configured: offline (rbacIn nil and cfg.Offline) only its lint; with the
// exchange's identity, the live checks too; without it, their skips follow
// from upstream. It reads rbacIn, never writes it, so it may run beside
// the RBAC step.
func backendStep(ctx context.Context, tf terraform, rbacIn *rbac.Input, upstream string, az settings.Azure, pf *storagePrefetch, cfg Config) []diag.Result {
	if tf.backend == nil {
		return backend.Skipped(tf.skipWhy)
	}
	in := *tf.backend
	in.Offline, in.LookupHost = cfg.Offline, cfg.LookupHost
	switch {
	case cfg.Offline:
	case rbacIn == nil:
		in.Unavailable, in.Upstream = "needs a successful entra-exchange", upstream
	default:
		in.Cred, in.ClientOptions = rbacIn.Cred, rbacIn.ClientOptions
		// The identity is ARM_CLIENT_ID in ARM_TENANT_ID, as the exchange
		// used them; the object id is the access token's oid.
		in.ClientID, in.TenantID, in.ObjectID = az.ClientID, az.TenantID, rbacIn.ObjectID
		in.StorageToken = pf.source()
	}
	return backend.Check(ctx, in)
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
		for _, f := range r.Fixes {
			if id, ok := first[f.Text]; ok {
				if !slices.Contains(r.FixedUnder, id) {
					r.FixedUnder = append(r.FixedUnder, id)
				}
				continue
			}
			first[f.Text] = r.ID
			kept = append(kept, f)
		}
		r.Fixes = kept
		if len(r.FixedUnder) > 0 {
			r.Facts = append(r.Facts, diag.F("fix", "the same as under "+strings.Join(r.FixedUnder, ", ")))
		}
	}
}
