package check

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/oidc-doctor/oidc-doctor/check/issuer"
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
func Run(ctx context.Context, cfg Config) Report {
	now := cfg.now()
	timeout := cfg.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	rep := Report{Started: now, Environment: environment(cfg)}
	tok, results := token.Check(cfg.tokenInput(), now)
	rep.Add(results...)
	az, results := settings.Judge(cfg.env, cfg.Offline)
	rep.Add(results...)
	if cfg.Offline {
		for _, id := range []string{"issuer-discovery", "issuer-signature", "entra-exchange", "arm-subscription", "rbac-permissions", "rbac-role-assignments", "rbac-providers"} {
			rep.Add(skipped(id, titleOf(id), "--offline"))
		}
		return rep
	}
	base := cfg.HTTPClient
	if base == nil {
		base = transport.NewDefaultClient()
	}
	obs, client := transport.NewObserver(base, cfg.now)

	// The issuer check and the exchange are independent: run them together.
	var issuerResults []Result
	var wg sync.WaitGroup
	if tok != nil {
		wg.Add(1)
		go func() {
			defer wg.Done()
			issuerResults = issuer.Check(ctx, client, issuer.Token{Issuer: tok.Issuer, Alg: tok.Alg, Kid: tok.Kid, Raw: tok.Raw()})
		}()
	}
	var exResults []Result
	var rbacIn *RBACInput
	switch {
	case tok == nil:
		exResults = []Result{skipped("entra-exchange", titleOf("entra-exchange"), "no usable token")}
	case !az.ClientOK || !az.TenantOK:
		exResults = []Result{skipped("entra-exchange", titleOf("entra-exchange"), "ARM_CLIENT_ID and ARM_TENANT_ID must both be valid (see azure-settings)")}
	default:
		cred, pr, rs := exchange(ctx, az, tok, tok.Raw(), client, obs)
		exResults = rs
		if cred != nil {
			rbacIn = &RBACInput{Cred: cred, SubscriptionID: az.SubscriptionID,
				TenantID: pr.TenantID, ObjectID: pr.ObjectID, ClientID: pr.AppID,
				RunType: tok.Spacelift.RunType, Scope: tok.Spacelift.Scope, Getenv: cfg.env}
			rbacIn.ClientOptions.Cloud = az.Cloud
			rbacIn.ClientOptions.Transport = transport.SDK(client)
			rbacIn.ClientOptions.Retry = transport.RetryOptions
		}
	}
	wg.Wait()
	if tok == nil {
		issuerResults = issuer.Skipped("no usable token")
	}
	for _, r := range issuerResults {
		rep.Add(r)
	}
	for _, r := range exResults {
		rep.Add(r)
	}
	rbacIDs := []string{"arm-subscription", "rbac-permissions", "rbac-role-assignments", "rbac-providers"}
	switch {
	case rbacIn == nil:
		for _, id := range rbacIDs {
			rep.Add(skipped(id, titleOf(id), "needs a successful entra-exchange"))
		}
	case !az.SubscriptionOK:
		for _, id := range rbacIDs {
			r := skipped(id, titleOf(id), "ARM_SUBSCRIPTION_ID is not set or not valid")
			if id == "arm-subscription" {
				r.Hint = "set ARM_SUBSCRIPTION_ID on the stack to check RBAC: " + settings.Hint("ARM_SUBSCRIPTION_ID")
			}
			rep.Add(r)
		}
	default:
		rctx, cancel := context.WithTimeout(ctx, rbacTimeout)
		for _, r := range checkRBAC(rctx, *rbacIn) {
			rep.Add(r)
		}
		cancel()
	}
	rep.Add(checkClock(obs, tok, cfg.now()))
	dedupeFixes(&rep)
	return rep
}

// dedupeFixes keeps each fix only in the first result that gives it: one
// missing role often fails several RBAC checks, and the same command three
// times buries the rest. Later results point back to the first.
func dedupeFixes(rep *Report) {
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
			r.Facts = append(r.Facts, fact("fix", "the same as under "+strings.Join(seenIn, ", ")))
		}
	}
}

// rbacTimeout bounds the RBAC step (subscription, then its concurrent calls).
const rbacTimeout = 15 * time.Second

var titles = map[string]string{
	"token-claims": "Token claims", "token-header": "Token header", "token-lifetime": "Token lifetime",
	"claim-iss": "Issuer claim", "claim-aud": "Audience claim", "claim-sub": "Subject claim",
	"claim-scope": "Run type and scope", "claim-run-env": "Claims vs this run",
	"issuer-discovery": "Issuer discovery", "issuer-signature": "Token signature",
	"entra-exchange": "Entra ID token exchange", "arm-subscription": "Subscription",
	"rbac-permissions": "Effective permissions", "rbac-role-assignments": "Role assignments",
	"rbac-providers": "Resource providers", "clock-skew": "Clock",
}

func titleOf(id string) string { return titles[id] }

// checkClock compares the local clock with the Date headers of responses the
// run already received (issuer, Entra, ARM): no extra request.
func checkClock(obs *transport.Observer, tok *token.Token, now time.Time) Result {
	r := Result{ID: "clock-skew", Title: titleOf("clock-skew")}
	dates := obs.Dates()
	var worst time.Duration
	for _, d := range dates {
		skew := d.Server.Sub(d.Local) // server minus local
		if abs(skew) > abs(worst) {
			worst = skew
		}
		r.Facts = append(r.Facts, fact(d.Host, fmt.Sprintf("server Date %s, local clock %s (%s)", d.Server.UTC().Format(time.RFC3339), d.Local.UTC().Format(time.RFC3339), skewWords(skew))))
	}
	if len(dates) == 0 {
		r.Status, r.Summary = StatusSkip, "skipped: no server answered with a Date header"
		return r
	}
	if tok != nil {
		r.Facts = append(r.Facts, fact("token valid from (nbf)", timeStr(tok.NotBefore)), fact("token expires (exp)", timeStr(tok.Expiry)))
	}
	// Date has one-second resolution; allow for it and the round trip.
	if abs(worst) <= 30*time.Second {
		r.Status, r.Summary = StatusPass, "the local clock agrees with the servers ("+skewWords(worst)+")"
		return r
	}
	r.Status = StatusWarn
	r.Summary = "the local clock is off by " + humanDuration(abs(worst)) + " against the servers: " + skewWords(worst)
	r.Hint = "fix time sync on the worker (NTP/chrony); token times (nbf, exp) judged by this clock are off by the same amount, and Entra answers AADSTS700024 if the token is out of its window by Entra's clock"
	return r
}

func skewWords(skew time.Duration) string {
	switch {
	case abs(skew) < time.Second:
		return "no measurable skew"
	case skew > 0:
		return "local clock " + humanDuration(skew) + " behind"
	}
	return "local clock " + humanDuration(-skew) + " ahead"
}

func abs(d time.Duration) time.Duration {
	if d < 0 {
		return -d
	}
	return d
}

// environment lists where the doctor runs, for the report's environment
// section. Proxy URLs lose any user:password part.
func environment(cfg Config) []Fact {
	var f []Fact
	for _, k := range []string{"TF_VAR_spacelift_account_name", "TF_VAR_spacelift_run_id", "TF_VAR_spacelift_stack_id",
		"TF_VAR_spacelift_space_id", "TF_VAR_spacelift_run_type", "TF_VAR_spacelift_workspace_root"} {
		if v := cfg.env(k); v != "" {
			f = append(f, fact(strings.TrimPrefix(k, "TF_VAR_"), v))
		}
	}
	proxies := false
	for _, k := range []string{"HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "NO_PROXY", "no_proxy"} {
		if v := cfg.env(k); v != "" {
			proxies = true
			f = append(f, fact(k, stripUserinfo(v)))
		}
	}
	if !proxies {
		f = append(f, fact("proxy", "none (HTTPS_PROXY unset; on private workers, launcher variables reach runs only when listed in SPACELIFT_WHITELIST_ENVS)"))
	}
	return f
}

func stripUserinfo(v string) string {
	s := v
	if !strings.Contains(v, "://") {
		s = "http://" + v // as net/http reads a proxy given without a scheme
	}
	u, err := url.Parse(s)
	if err != nil {
		if i := strings.LastIndexByte(v, '@'); i >= 0 {
			return "REDACTED" + v[i:]
		}
		return v
	}
	if u.User == nil {
		return v
	}
	u.User = url.User("REDACTED")
	if s != v {
		return strings.TrimPrefix(u.String(), "http://")
	}
	return u.String()
}
