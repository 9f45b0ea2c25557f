// Package rbac asks Azure Resource Manager, after a successful exchange,
// whether the identity can do what this Terraform run needs: the
// subscription, the effective permissions, the role assignments and the
// resource providers. It only reads (every call is a GET). What an ARM error
// answer means is package explain's business.
//
// It owns the check ids arm-subscription and rbac-*.
package rbac

// The RBAC step calls each URL once: the subscription first, then
// permissions, role assignments (with their role definitions) and resource
// providers concurrently, then judges the four results together.

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/arm"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/resources/armsubscriptions"
	"github.com/oidc-doctor/oidc-doctor/check/diag"
	"github.com/oidc-doctor/oidc-doctor/check/fixes"
	"github.com/oidc-doctor/oidc-doctor/check/transport"
)

// Result ids of the RBAC step. They are API: never change them.
const (
	idARMSubscription     = "arm-subscription"
	idRBACPermissions     = "rbac-permissions"
	idRBACRoleAssignments = "rbac-role-assignments"
	idRBACProviders       = "rbac-providers"
)

const (
	titleARMSubscription     = "Azure subscription"
	titleRBACPermissions     = "Permissions for this run"
	titleRBACRoleAssignments = "Role assignments"
	titleRBACProviders       = "Resource provider registration"
)

// Input is what the RBAC step needs. The caller fills it after a
// successful Entra exchange.
type Input struct {
	// Cred already holds the ARM token: one exchange serves the whole run.
	Cred azcore.TokenCredential
	// ClientOptions carries the shared transport, the cloud and a bounded
	// retry policy. Check sets DisableRPRegistration itself.
	ClientOptions arm.ClientOptions
	// SubscriptionID is ARM_SUBSCRIPTION_ID.
	SubscriptionID string
	// TenantID, ObjectID and ClientID are the tid, oid and appid claims of
	// the ARM access token.
	TenantID, ObjectID, ClientID string
	// RunType and Scope are the Spacelift token's runType and scope claims.
	RunType, Scope string
	// Getenv reads ARM_RESOURCE_PROVIDER_REGISTRATIONS and
	// ARM_SKIP_PROVIDER_REGISTRATION.
	Getenv func(string) string
}

func (in Input) getenv(k string) string {
	if in.Getenv == nil {
		return ""
	}
	return in.Getenv(k)
}

func (in Input) subscriptionScope() string { return "/subscriptions/" + in.SubscriptionID }

// Check runs the RBAC step and returns, in order, arm-subscription,
// rbac-permissions, rbac-role-assignments and rbac-providers.
func Check(ctx context.Context, in Input) []diag.Result {
	c, err := newARMClients(in)
	if err != nil {
		r := diag.Result{ID: idARMSubscription, Title: titleARMSubscription, Status: diag.StatusFail, Cause: diag.CauseOther,
			Summary: "could not set up the Azure Resource Manager clients", Facts: []diag.Fact{diag.F("error", err.Error())},
			Hint: "This is a bug in oidc-doctor or its settings; report it with this output."}
		return append([]diag.Result{r}, skipRest("needs "+idARMSubscription)...)
	}
	need := needsOf(in.RunType, in.Scope)

	sub, subRes := checkSubscription(ctx, c, in, need)
	if !sub.usable {
		return append([]diag.Result{subRes}, skipRest("needs "+idARMSubscription)...)
	}

	var (
		perms permissionsOutcome
		ras   assignmentsOutcome
		provs providersOutcome
		wg    sync.WaitGroup
	)
	wg.Go(func() { perms = fetchPermissions(ctx, c, in.SubscriptionID) })
	wg.Go(func() { ras = fetchAssignments(ctx, c, in.ObjectID) })
	wg.Go(func() { provs = fetchProviders(ctx, c) })
	wg.Wait()

	cov := coverageOf(ras.list, in.SubscriptionID)
	out := []diag.Result{
		subRes,
		judgePermissions(in, need, perms, ras, cov, c.host),
		judgeAssignments(in, need, ras, perms, cov, c.host),
		judgeProviders(in, perms, provs, c.host),
	}
	for i := range out {
		fillPlaceholders(&out[i], in, need)
	}
	return withCauses(out)
}

// fillPlaceholders puts what the step knows into the generic fix text of
// the error-code table: "--assignee-object-id <object-id>" becomes a
// command to paste.
func fillPlaceholders(r *diag.Result, in Input, need runNeeds) {
	scope := in.subscriptionScope()
	for _, f := range r.Facts {
		if f.Key == "denied scope" {
			scope = f.Value
		}
	}
	rp := strings.NewReplacer(
		"<object-id>", diag.FirstNonEmpty(in.ObjectID, "<object-id>"),
		"<client-id>", diag.FirstNonEmpty(in.ClientID, "<client-id>"),
		"<subscription-id>", diag.FirstNonEmpty(in.SubscriptionID, "<subscription-id>"),
		"<scope>", scope,
		"<role>", need.role(),
	)
	r.Hint = rp.Replace(r.Hint)
	for i := range r.Fixes {
		r.Fixes[i].Text = rp.Replace(r.Fixes[i].Text)
	}
}

// Timeout bounds the RBAC step (subscription, then its concurrent calls).
const Timeout = 15 * time.Second

// Skipped is the step's results when it cannot run; why says what is missing.
func Skipped(why string) []diag.Result {
	return append([]diag.Result{diag.Skipped(idARMSubscription, titleARMSubscription, why)}, skipRest(why)...)
}

func skipRest(why string) []diag.Result {
	return []diag.Result{
		diag.Skipped(idRBACPermissions, titleRBACPermissions, why),
		diag.Skipped(idRBACRoleAssignments, titleRBACRoleAssignments, why),
		diag.Skipped(idRBACProviders, titleRBACProviders, why),
	}
}

// runNeeds is what a Spacelift run needs from Azure RBAC.
type runNeeds struct {
	// write: the run applies changes now.
	write bool
	// applyLater: the planning phase of a tracked run on a stack without
	// autodeploy (read token now); its apply phase will need write.
	applyLater bool
	// why is a phrase for facts and summaries.
	why string
}

// needsOf reads the Spacelift runType and scope claims. PROPOSED runs plan
// only; TRACKED, TASK, DESTROY and TESTING runs change infrastructure. A
// TRACKED run with a read token is the planning phase of a stack without
// autodeploy. An unknown run type is judged as a write run, the safe side.
func needsOf(runType, scope string) runNeeds {
	rt, sc := strings.ToUpper(strings.TrimSpace(runType)), strings.ToLower(strings.TrimSpace(scope))
	switch {
	case rt == "PROPOSED":
		return runNeeds{why: "a PROPOSED run plans only, so it needs read"}
	case rt == "TRACKED" && sc == "read":
		return runNeeds{applyLater: true, why: "a TRACKED run with a read token is planning (no autodeploy); planning needs read, the apply phase needs write"}
	case rt == "TRACKED", rt == "TASK", rt == "DESTROY", rt == "TESTING":
		return runNeeds{write: true, why: "a " + rt + " run changes infrastructure, so it needs write"}
	case rt == "":
		return runNeeds{write: true, why: "the run type is unknown, so write is assumed"}
	default:
		return runNeeds{write: true, why: "run type " + rt + " is not one oidc-doctor knows, so write is assumed"}
	}
}

// role is the built-in role this run needs at subscription scope.
func (n runNeeds) role() string {
	if n.write || n.applyLater {
		return "Contributor"
	}
	return "Reader"
}

// subscriptionOutcome says whether the later steps can use the subscription.
type subscriptionOutcome struct{ usable bool }

// readOnlyStates are subscription states in which ARM refuses writes.
var readOnlyStates = map[string]bool{"warned": true, "pastdue": true, "disabled": true}

func checkSubscription(ctx context.Context, c *armClients, in Input, need runNeeds) (subscriptionOutcome, diag.Result) {
	start := time.Now()
	step := "GET /subscriptions/" + in.SubscriptionID
	resp, err := c.subs.Get(ctx, in.SubscriptionID, nil)
	elapsed := time.Since(start)
	if err != nil {
		r, usable := subscriptionFailure(ctx, c, in, need, step, err)
		r.Elapsed = time.Since(start)
		fillPlaceholders(&r, in, need)
		return subscriptionOutcome{usable: usable}, r
	}
	r := diag.Result{ID: idARMSubscription, Title: titleARMSubscription, Elapsed: elapsed}
	s := resp.Subscription
	name, tenant, state := armVal(s.DisplayName), armVal(s.TenantID), ""
	if s.State != nil {
		state = string(*s.State)
	}
	r.Facts = []diag.Fact{
		diag.F("subscription", in.SubscriptionID),
		diag.F("display name", name),
		diag.F("state", state),
		diag.F("subscription tenant", tenant),
		diag.F("token tenant (tid)", in.TenantID),
	}
	switch {
	case tenant != "" && in.TenantID != "" && !strings.EqualFold(tenant, in.TenantID):
		r.Status, r.Cause = diag.StatusFail, diag.CauseWrongTenantForSubscription
		r.Summary = fmt.Sprintf("subscription %q lives in tenant %s, not in the token's tenant %s", name, tenant, in.TenantID)
		r.Hint = "Set ARM_TENANT_ID to " + tenant + " (the subscription's tenant), and make sure the app and its federated credentials live there."
	case strings.EqualFold(state, "deleted"):
		r.Status, r.Cause = diag.StatusFail, diag.CauseSubscriptionNotFound
		r.Summary = fmt.Sprintf("subscription %q is deleted", name)
		r.Hint = "Point ARM_SUBSCRIPTION_ID at a live subscription."
	case readOnlyStates[strings.ToLower(state)]:
		r.Status = diag.StatusWarn
		r.Summary = fmt.Sprintf("subscription %q is %s: Azure treats it as read-only", name, state)
		r.Cause = diag.CauseSubscriptionDisabled
		if need.write {
			r.Status = diag.StatusFail
			r.Summary += ", and this run needs to write"
		}
		r.Hint = "Ask the subscription's billing owner to re-enable it in the Azure portal (Subscriptions > " + name + "); until then plans work and applies fail."
	default:
		r.Status = diag.StatusPass
		r.Summary = fmt.Sprintf("subscription %q is %s and lives in the token's tenant", name, state)
	}
	return subscriptionOutcome{usable: true}, r
}

// subscriptionFailure explains a failed subscription GET, and says whether
// the later steps can still run. They can after AuthorizationFailed: the
// subscription exists in the token's tenant, only reading it is denied.
func subscriptionFailure(ctx context.Context, c *armClients, in Input, need runNeeds, step string, err error) (diag.Result, bool) {
	r := failedCall(idARMSubscription, titleARMSubscription, step, c.host, err)
	f, ok := asARMFailure(err)
	if !ok {
		return r, false
	}
	switch strings.ToLower(f.Code) {
	case "invalidauthenticationtokentenant":
		if f.SubscriptionTenant != "" {
			r.Summary = fmt.Sprintf("subscription %s lives in tenant %s, but the token is from tenant %s", in.SubscriptionID, f.SubscriptionTenant, in.TenantID)
			r.Hint = "Set ARM_TENANT_ID to " + f.SubscriptionTenant + ", the tenant the subscription lives in, and create the app and its federated credential there (or use a subscription of tenant " + in.TenantID + ")."
		}
	case "subscriptionnotfound":
		r.Summary, r.Hint, r.Fixes = notFoundVerdict(ctx, c, in, need, &r)
	case "authorizationfailed":
		r.Summary = fmt.Sprintf("the identity may not read subscription %s: it has no role that allows %s there", in.SubscriptionID, diag.FirstNonEmpty(f.Action, "Microsoft.Resources/subscriptions/read"))
		r.Hint += " See rbac-role-assignments for the roles it does have."
		r.Fixes = fixes.RoleAssignment(in.ObjectID, need.role(), in.subscriptionScope())
		return r, true
	case "expiredauthenticationtoken", "invalidauthenticationtoken":
		// The token is the input of every later call; they would fail alike.
	}
	return r, false
}

// notFoundVerdict tells a mistyped subscription id from an identity that has
// no role at all: ARM answers SubscriptionNotFound for both. The list of
// subscriptions the identity can see decides: other subscriptions mean the id
// is wrong; none means the identity has no role anywhere in the tenant.
func notFoundVerdict(ctx context.Context, c *armClients, in Input, need runNeeds, r *diag.Result) (summary, hint string, fs []diag.Fix) {
	var visible []string
	pages, err := transport.Collect(ctx, c.subs.NewListPager(nil), "listing subscriptions",
		func(p armsubscriptions.ClientListResponse) string { return armVal(p.NextLink) })
	if err != nil {
		r.Facts = append(r.Facts, diag.F("visible subscriptions", "unknown: listing them failed too"))
		return fmt.Sprintf("subscription %s was not found in tenant %s: a typo, or the identity has no role on it", in.SubscriptionID, in.TenantID),
			"Check ARM_SUBSCRIPTION_ID, then give the identity a role on the subscription. " + rbacDelayNote,
			fixes.RoleAssignment(in.ObjectID, need.role(), in.subscriptionScope())
	}
	for _, page := range pages {
		for _, s := range page.Value {
			if s != nil {
				visible = append(visible, fmt.Sprintf("%s (%s)", armVal(s.SubscriptionID), armVal(s.DisplayName)))
			}
		}
	}
	if len(visible) == 0 {
		r.Facts = append(r.Facts, diag.F("visible subscriptions", "none"))
		return fmt.Sprintf("subscription %s was not found, and the identity can see no subscription at all: it has no role in tenant %s", in.SubscriptionID, in.TenantID),
			"A subscription the identity has no role on looks the same as one that does not exist. If the id is right, assign the role (the subscription's owner runs the command below). " + rbacDelayNote,
			fixes.RoleAssignment(in.ObjectID, need.role(), in.subscriptionScope())
	}
	r.Facts = append(r.Facts, diag.F("visible subscriptions", strings.Join(armCap(visible, 10), ", ")))
	return fmt.Sprintf("subscription %s was not found, but the identity can see %d other subscription(s): ARM_SUBSCRIPTION_ID is probably wrong", in.SubscriptionID, len(visible)),
		"Set ARM_SUBSCRIPTION_ID to one of the visible subscriptions, or give the identity a role on this one if the id is right.", nil
}

// rbacDelayNote is said whenever a role exists but access still fails.
const rbacDelayNote = "RBAC changes can take minutes to apply (up to about 10): if the role was granted just now, wait and rerun."

func armVal[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}

func armCap(xs []string, n int) []string {
	if len(xs) <= n {
		return xs
	}
	return append(xs[:n:n], fmt.Sprintf("and %d more", len(xs)-n))
}
