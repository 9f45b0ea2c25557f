package check

// Every subscription the configuration targets. An azurerm provider block
// (an alias, or the default block) with its own subscription_id,
// tenant_id or client_id signs in and works elsewhere than the
// environment's ARM_* settings, which the main chain checks: it gets the
// RBAC step's subscription reads for its subscription, an exchange of its
// own when its tenant or client differs, and one exchange per auxiliary
// tenant (auxiliary_tenant_ids, which azurerm signs in to as well, for
// cross-tenant requests). The blocks run in parallel, at most
// maxAliasesAtOnce at a time, each step under its own deadline; those that
// sign in elsewhere exchange beside the main exchange, so the run's
// critical path does not grow.
//
// Their results keep the ids of the checks they repeat, with "@" and the
// block's name (its alias, or "default") appended, and "/" and the tenant
// id for an auxiliary tenant: arm-subscription@mgmt,
// entra-exchange@mgmt/<tenant-id>. Each one's first fact names the block.

import (
	"context"
	"regexp"
	"strconv"
	"strings"
	"sync"

	"github.com/oidc-doctor/oidc-doctor/check/diag"
	"github.com/oidc-doctor/oidc-doctor/check/entra"
	"github.com/oidc-doctor/oidc-doctor/check/fixes"
	"github.com/oidc-doctor/oidc-doctor/check/rbac"
	"github.com/oidc-doctor/oidc-doctor/check/settings"
	"github.com/oidc-doctor/oidc-doctor/check/tfconfig"
)

const (
	// maxAliasBlocks is how many provider blocks are checked; more are
	// named in one result, unchecked.
	maxAliasBlocks = 8
	// maxAliasesAtOnce bounds the blocks checked at the same time.
	maxAliasesAtOnce = 4
)

// aliasTarget is one azurerm provider block that signs in or works
// elsewhere than the environment's settings.
type aliasTarget struct {
	name, who                          string // "mgmt", `provider "azurerm" (alias "mgmt")`
	subscriptionID, tenantID, clientID string
	// own: the tenant or client differs, so the block signs in itself.
	own bool
	// readSubscription: its subscription differs from ARM_SUBSCRIPTION_ID
	// (or it signs in as another identity).
	readSubscription bool
	aux              []string
	// The places its subscription, tenant, client and auxiliary tenants
	// are read from, for the words and fixes of its checks.
	subscriptionFrom, tenantFrom, clientFrom, auxFrom fixes.Setting
	// problems are settings that cannot be used: set by an expression,
	// or not an id.
	problems []string
	azurerm  rbac.Azurerm
}

var (
	guidRE   = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)
	domainRE = regexp.MustCompile(`^[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$`)
)

// aliasTargets are the azurerm blocks to check beside the main chain;
// dropped are the names of those past maxAliasBlocks.
func aliasTargets(tf terraform, az settings.Azure, getenv func(string) string) (targets []aliasTarget, dropped []string) {
	if !tf.c.Found {
		return nil, nil
	}
	for _, p := range tf.c.Providers {
		if p.Name != "azurerm" {
			continue
		}
		t, ok := aliasTargetOf(p, az, getenv)
		t.azurerm = tf.azurermOf(&p)
		if !ok {
			continue
		}
		if len(targets) == maxAliasBlocks {
			dropped = append(dropped, t.name)
			continue
		}
		targets = append(targets, t)
	}
	return targets, dropped
}

// aliasTargetOf resolves one block's ids as azurerm does (the block's
// literal, else the ARM_* variable), and reports whether it differs.
func aliasTargetOf(p tfconfig.Provider, az settings.Azure, getenv func(string) string) (aliasTarget, bool) {
	t := aliasTarget{name: diag.FirstNonEmpty(p.Alias, "default"), who: p.Who()}
	pick := func(attr, env string, valid *regexp.Regexp, alt *regexp.Regexp) string {
		s := p.Resolve(attr, getenv)
		switch {
		case s.Expression:
			t.problems = append(t.problems, attr+" "+s.Describe())
			return env
		case !s.Set:
			return env
		case !valid.MatchString(s.Value) && (alt == nil || !alt.MatchString(s.Value)):
			t.problems = append(t.problems, attr+" "+s.Describe()+": not an id")
			return env
		}
		return s.Value
	}
	t.subscriptionID = pick("subscription_id", az.SubscriptionID, guidRE, nil)
	t.tenantID = pick("tenant_id", az.TenantID, guidRE, domainRE)
	t.clientID = pick("client_id", az.ClientID, guidRE, nil)
	t.subscriptionFrom = settingOf(p, "subscription_id", "ARM_SUBSCRIPTION_ID")
	t.tenantFrom = settingOf(p, "tenant_id", "ARM_TENANT_ID")
	t.clientFrom = settingOf(p, "client_id", "ARM_CLIENT_ID")
	t.own = !strings.EqualFold(t.tenantID, az.TenantID) || !strings.EqualFold(t.clientID, az.ClientID)
	t.readSubscription = t.own || !strings.EqualFold(t.subscriptionID, az.SubscriptionID)
	if aux := p.Resolve("auxiliary_tenant_ids", getenv); aux.Set && !aux.Expression {
		ids := splitTenants(aux.Value)
		for _, id := range ids {
			if !strings.EqualFold(id, t.tenantID) {
				t.aux = append(t.aux, id)
			}
		}
		t.auxFrom = auxSetting(p, ids)
	}
	return t, t.readSubscription || len(t.aux) > 0 || len(t.problems) > 0
}

// workOn is the block's subscription for the RBAC step.
func (t aliasTarget) workOn() workOn {
	return workOn{subscriptionID: t.subscriptionID, azurerm: t.azurerm, subscriptionFrom: t.subscriptionFrom, tenantFrom: t.tenantFrom}
}

// aliasRun checks the targets in the background.
type aliasRun struct {
	mainReady chan struct{}
	mainIn    *rbac.Input // the main exchange's RBAC input; nil when it failed
	mainRoot  string      // why it failed
	wg        sync.WaitGroup
	results   [][]diag.Result
	dropped   []string
}

// startAliases starts checking the targets; each waits for a slot, and
// those sharing the main identity wait for mainDone.
func startAliases(ctx context.Context, tf terraform, s session) *aliasRun {
	targets, dropped := aliasTargets(tf, s.az, s.getenv)
	a := &aliasRun{mainReady: make(chan struct{}), results: make([][]diag.Result, len(targets)), dropped: dropped}
	if s.tok == nil || !s.az.ClientOK || !s.az.TenantOK {
		for i, t := range targets {
			a.results[i] = suffixed(diag.Caused(rbac.Skipped("needs a usable token and valid ARM_CLIENT_ID and ARM_TENANT_ID"), "entra-exchange"), t)
		}
		return a
	}
	slots := make(chan struct{}, maxAliasesAtOnce)
	for i, t := range targets {
		a.wg.Go(func() {
			select {
			case slots <- struct{}{}:
				defer func() { <-slots }()
			case <-ctx.Done():
			}
			b := aliasBlock{t: t, s: s, run: a}
			a.results[i] = b.check(ctx)
		})
	}
	return a
}

// mainDone hands over the main exchange's outcome: its RBAC input,
// complete (nothing writes it after), or why there is none.
func (a *aliasRun) mainDone(in *rbac.Input, root string) {
	a.mainIn, a.mainRoot = in, root
	close(a.mainReady)
}

// wait returns every target's results, in configuration order.
func (a *aliasRun) wait() []diag.Result {
	a.wg.Wait()
	var out []diag.Result
	for _, rs := range a.results {
		out = append(out, rs...)
	}
	if len(a.dropped) > 0 {
		out = append(out, diag.Result{ID: "provider-blocks", Title: "azurerm provider blocks not checked", Status: diag.StatusWarn,
			Summary: "more than " + strconv.Itoa(maxAliasBlocks) + " azurerm provider blocks sign in or work elsewhere; not checked: " + strings.Join(a.dropped, ", ")})
	}
	return out
}

// aliasBlock is one target's check.
type aliasBlock struct {
	t   aliasTarget
	s   session
	run *aliasRun
}

func (b aliasBlock) check(ctx context.Context) []diag.Result {
	t := b.t
	var out []diag.Result
	if len(t.problems) > 0 {
		out = append(out, suffixed([]diag.Result{{ID: "azure-settings", Title: "Provider block settings", Status: diag.StatusWarn,
			Summary: "not checked as written: " + strings.Join(t.problems, "; ") + "; the environment's value is assumed",
			Hint:    "an expression is not evaluated; the block's checks below use ARM_* where it is"}}, t)...)
	}
	auxResults := make([][]diag.Result, len(t.aux))
	var wg sync.WaitGroup
	for i, tenant := range t.aux {
		wg.Go(func() { auxResults[i] = b.auxExchange(ctx, tenant) })
	}
	if t.readSubscription {
		out = append(out, b.subscription(ctx)...)
	}
	wg.Wait()
	for _, rs := range auxResults {
		out = append(out, rs...)
	}
	return out
}

// subscription is the block's own exchange (when it signs in elsewhere)
// and the RBAC step's reads of its subscription.
func (b aliasBlock) subscription(ctx context.Context) []diag.Result {
	t := b.t
	var out []diag.Result
	var in *rbac.Input
	root := ""
	if t.own {
		// The block's Graph token is asked for beside its ARM token, and
		// read after its subscription, by when it has long arrived.
		who := signIn{clientID: t.clientID, tenantID: t.tenantID, clientFrom: t.clientFrom, tenantFrom: t.tenantFrom}
		cred, pr, rs, gr := entra.Exchange(ctx, b.s.entraInput(who, nil, entra.GraphInput{Scope: b.s.az.GraphScope}))
		if cred != nil {
			in = b.s.rbacInput(cred, pr, t.workOn())
		} else {
			root = diag.FirstFailure(rs)
			b.crossTenant(ctx, rs)
		}
		reads := b.reads(ctx, in, root)
		out = append(append(append(out, rs...), gr.Results(ctx)...), reads...)
		return suffixed(out, t)
	}
	select {
	case <-b.run.mainReady:
	case <-ctx.Done():
		return suffixed(diag.Caused(rbac.Skipped("the run's deadline passed"), "entra-exchange"), t)
	}
	if m := b.run.mainIn; m != nil {
		in = onSubscription(*m, t.workOn())
	}
	return suffixed(b.reads(ctx, in, b.run.mainRoot), t)
}

// crossTenant rewords the block's failed exchange when the app is not in
// the block's tenant but the main exchange signed in with the same client
// id: the app exists, at home, and has no service principal where the
// block signs in (a multi-tenant app needs one in each tenant,
// https://learn.microsoft.com/entra/identity-platform/howto-convert-app-to-be-multi-tenant).
func (b aliasBlock) crossTenant(ctx context.Context, rs []diag.Result) {
	t := b.t
	az := b.s.az
	if len(rs) == 0 || rs[0].Cause != diag.CauseAppNotFound || !strings.EqualFold(t.clientID, az.ClientID) {
		return
	}
	select {
	case <-b.run.mainReady:
	case <-ctx.Done():
		return
	}
	if b.run.mainIn == nil {
		return
	}
	r := &rs[0]
	r.Summary = "app " + t.clientID + " signs in to tenant " + az.TenantID + " (see entra-exchange), but tenant " + t.tenantID +
		", where " + t.who + " signs in, has no service principal for it: a multi-tenant app needs one in each tenant it works in"
	r.Hint = "have an administrator of tenant " + t.tenantID + " create it (the app must accept accounts in any organizational directory), " +
		"or set tenant_id in " + t.who + " to " + az.TenantID + " if " + t.tenantID + " is a mistake"
	r.Fixes = append([]diag.Fix{{Title: "create the app's service principal in tenant " + t.tenantID + " (az CLI, as an administrator of that tenant)", Lang: "sh",
		Text: "az login --tenant " + t.tenantID + " --allow-no-subscriptions\naz ad sp create --id " + t.clientID + "\n"}}, r.Fixes...)
}

// reads runs the RBAC step on the block's subscription.
func (b aliasBlock) reads(ctx context.Context, in *rbac.Input, root string) []diag.Result {
	if in == nil {
		return diag.Caused(rbac.Skipped("needs a successful entra-exchange"), diag.FirstNonEmpty(root, "entra-exchange"))
	}
	rctx, cancel := context.WithTimeout(ctx, rbac.Timeout)
	defer cancel()
	return rbac.Check(rctx, *in)
}

// auxExchange signs in to one auxiliary tenant, as azurerm does for
// cross-tenant requests (ARM only).
func (b aliasBlock) auxExchange(ctx context.Context, tenant string) []diag.Result {
	aux := b.t.auxFrom
	aux.Old = tenant
	who := signIn{clientID: b.t.clientID, tenantID: tenant, clientFrom: b.t.clientFrom, tenantFrom: aux}
	_, _, rs, _ := entra.Exchange(ctx, b.s.entraInput(who, nil, entra.GraphInput{}))
	for i := range rs {
		rs[i].Facts = append([]diag.Fact{diag.F("auxiliary tenant", tenant)}, rs[i].Facts...)
	}
	return suffixedAux(rs, b.t, tenant)
}

// suffixed names results after the block: ids get "@name", titles the
// block, and the first fact is the block; a root cause among the same
// results follows the rename. The checks name the block's settings
// themselves (signIn, workOn).
func suffixed(rs []diag.Result, t aliasTarget) []diag.Result {
	return rename(rs, t, "@"+t.name)
}

func suffixedAux(rs []diag.Result, t aliasTarget, tenant string) []diag.Result {
	return rename(rs, t, "@"+t.name+"/"+tenant)
}

func rename(rs []diag.Result, t aliasTarget, suffix string) []diag.Result {
	own := map[string]bool{}
	for _, r := range rs {
		own[r.ID] = true
	}
	for i := range rs {
		r := &rs[i]
		if own[r.RootCause] {
			r.RootCause += suffix
		}
		r.ID += suffix
		r.Title += " (" + t.who + ")"
		r.Facts = append([]diag.Fact{diag.F("provider", t.who)}, r.Facts...)
	}
	return rs
}
