package rbac

// The arm-subscription verdict: the subscription exists, is usable, and
// the token may be used on it (its own tenant, or a tenant that manages it
// through Azure Lighthouse).

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/resources/armsubscriptions"
	"github.com/oidc-doctor/oidc-doctor/check/diag"
	"github.com/oidc-doctor/oidc-doctor/check/roles"
	"github.com/oidc-doctor/oidc-doctor/check/transport"
)

// readOnlyStates are subscription states in which ARM refuses writes.
var readOnlyStates = map[string]bool{"warned": true, "pastdue": true, "disabled": true}

// lighthouseDoc is Microsoft's description of delegated access.
const lighthouseDoc = "https://learn.microsoft.com/azure/lighthouse/concepts/architecture"

func judgeSubscription(ctx context.Context, c *armClients, w *world) diag.Result {
	if w.sub.err != nil {
		start := time.Now()
		r := subscriptionFailure(ctx, c, w)
		r.Elapsed = w.sub.elapsed + time.Since(start)
		return r
	}
	in, s := w.in, w.sub.sub
	r := diag.Result{ID: idARMSubscription, Title: titleARMSubscription, Elapsed: w.sub.elapsed}
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
	delegated := false
	if tenant != "" && in.TenantID != "" && !strings.EqualFold(tenant, in.TenantID) {
		if !managedBy(s, in.TenantID) {
			r.Status, r.Cause = diag.StatusFail, diag.CauseWrongTenantForSubscription
			r.Summary = fmt.Sprintf("subscription %q lives in tenant %s, not in the token's tenant %s", name, tenant, in.TenantID)
			r.Hint = "Set " + in.tenantSetting() + " to " + tenant + " (the subscription's tenant), and make sure the app and its federated credentials live there."
			return r
		}
		delegated = true
		r.Facts = append(r.Facts, diag.F("managed by tenants", strings.Join(managers(s), ", ")),
			diag.F("delegated access", "Azure Lighthouse: the identity signs in to its own tenant "+in.TenantID+" and works on the customer's subscription ("+lighthouseDoc+"); "+in.tenantSetting()+" stays "+in.TenantID))
	}
	judgeState(&r, name, state, w.need, in.subscriptionSetting())
	if r.Status == diag.StatusPass {
		r.Summary = fmt.Sprintf("subscription %q is %s and lives in the token's tenant", name, state)
		if delegated {
			r.Summary = fmt.Sprintf("subscription %q is %s and lives in tenant %s, which delegates it to the token's tenant %s through Azure Lighthouse", name, state, tenant, in.TenantID)
		}
	}
	return r
}

// judgeState sets the verdict a subscription's state gives; setting
// names the subscription's setting.
func judgeState(r *diag.Result, name, state string, need runNeeds, setting string) {
	switch {
	case strings.EqualFold(state, "deleted"):
		r.Status, r.Cause = diag.StatusFail, diag.CauseSubscriptionNotFound
		r.Summary = fmt.Sprintf("subscription %q is deleted", name)
		r.Hint = "Point " + setting + " at a live subscription."
	case readOnlyStates[strings.ToLower(state)]:
		r.Status, r.Cause = diag.StatusWarn, diag.CauseSubscriptionDisabled
		r.Summary = fmt.Sprintf("subscription %q is %s: Azure treats it as read-only", name, state)
		if need.write {
			r.Status = diag.StatusFail
			r.Summary += ", and this run needs to write"
		}
		r.Hint = "Ask the subscription's billing owner to re-enable it in the Azure portal (Subscriptions > " + name + "); until then plans work and applies fail."
	default:
		r.Status = diag.StatusPass
	}
}

// managedBy reports whether tenant manages the subscription through Azure
// Lighthouse (it is in managedByTenants).
func managedBy(s *armsubscriptions.Subscription, tenant string) bool {
	for _, t := range managers(s) {
		if strings.EqualFold(t, tenant) {
			return true
		}
	}
	return false
}

func managers(s *armsubscriptions.Subscription) []string {
	var out []string
	for _, m := range s.ManagedByTenants {
		if m != nil && armVal(m.TenantID) != "" {
			out = append(out, armVal(m.TenantID))
		}
	}
	return out
}

// lighthouse reports whether the subscription was read and is delegated to
// the token's tenant.
func (w *world) lighthouse() bool {
	s := w.sub.sub
	return s != nil && !strings.EqualFold(armVal(s.TenantID), w.in.TenantID) && managedBy(s, w.in.TenantID)
}

// subscriptionFailure explains a failed subscription GET. After
// AuthorizationFailed the other reads still ran: the subscription exists in
// the token's tenant, only reading it is denied.
func subscriptionFailure(ctx context.Context, c *armClients, w *world) diag.Result {
	in := w.in
	r := failedCall(idARMSubscription, titleARMSubscription, "GET /subscriptions/"+in.SubscriptionID, c.host, w.sub.err)
	f, ok := asARMFailure(w.sub.err)
	if !ok {
		return r
	}
	switch strings.ToLower(f.Code) {
	case "invalidauthenticationtokentenant":
		if f.SubscriptionTenant != "" {
			r.Summary = fmt.Sprintf("subscription %s lives in tenant %s, but the token is from tenant %s", in.SubscriptionID, f.SubscriptionTenant, in.TenantID)
			r.Hint = "Set " + in.tenantSetting() + " to " + f.SubscriptionTenant + ", the tenant the subscription lives in, and create the app and its federated credential there (or use a subscription of tenant " + in.TenantID + "). If the subscription is delegated to your tenant through Azure Lighthouse, keep " + in.tenantSetting() + " and check the delegation instead."
		}
	case "subscriptionnotfound":
		r.Summary, r.Hint, r.Fixes = notFoundVerdict(ctx, c, in, w.need, &r)
	case "authorizationfailed":
		action := diag.FirstNonEmpty(f.Action, "Microsoft.Resources/subscriptions/read")
		if groups := w.groups.names(); len(groups) > 0 {
			r.Status = diag.StatusWarn
			r.Summary = fmt.Sprintf("the identity may not read subscription %s: it has no role at subscription scope, only on resource group(s) %s", in.SubscriptionID, strings.Join(groups, ", "))
			r.Hint = "Runs that stay inside those groups can work; what azurerm needs at subscription scope is in rbac-permissions and rbac-providers."
			return r
		}
		if fr := w.groupsFault(); fr != nil {
			return inconclusive(r, "the identity may not read subscription "+in.SubscriptionID, fr, c.host)
		}
		r.Summary = fmt.Sprintf("the identity may not read subscription %s: it has no role that allows %s there", in.SubscriptionID, action)
		r.Hint += " See rbac-role-assignments for the roles it does have."
		r.Fixes = roles.Grant(in.ObjectID, append(w.need.actions(), action), in.subscriptionScope())
	case "expiredauthenticationtoken", "invalidauthenticationtoken":
		// The token is the input of every later call; they would fail alike.
	}
	return r
}

// notFoundVerdict tells a mistyped subscription id from an identity that has
// no role at all: ARM answers SubscriptionNotFound for both. The list of
// subscriptions the identity can see decides: other subscriptions mean the id
// is wrong; none means the identity has no role anywhere in the tenant.
func notFoundVerdict(ctx context.Context, c *armClients, in Input, need runNeeds, r *diag.Result) (summary, hint string, fs []diag.Fix) {
	var visible, ids []string
	pages, err := transport.Collect(ctx, c.subs.NewListPager(nil), "listing subscriptions",
		func(p armsubscriptions.ClientListResponse) string { return armVal(p.NextLink) })
	if err != nil {
		r.Facts = append(r.Facts, diag.F("visible subscriptions", "unknown: listing them failed too"))
		return fmt.Sprintf("subscription %s was not found in tenant %s: a typo, or the identity has no role on it", in.SubscriptionID, in.TenantID),
			"Check " + in.subscriptionSetting() + ", then give the identity a role on the subscription. " + rbacDelayNote,
			roles.Grant(in.ObjectID, need.actions(), in.subscriptionScope())
	}
	for _, page := range pages {
		for _, s := range page.Value {
			if s != nil {
				visible = append(visible, fmt.Sprintf("%s (%s)", armVal(s.SubscriptionID), armVal(s.DisplayName)))
				ids = append(ids, armVal(s.SubscriptionID))
			}
		}
	}
	if len(visible) == 0 {
		r.Facts = append(r.Facts, diag.F("visible subscriptions", "none"))
		return fmt.Sprintf("subscription %s was not found, and the identity can see no subscription at all: it has no role in tenant %s", in.SubscriptionID, in.TenantID),
			"A subscription the identity has no role on looks the same as one that does not exist. If the id is right, assign the role (the subscription's owner runs the command below). " + rbacDelayNote,
			roles.Grant(in.ObjectID, need.actions(), in.subscriptionScope())
	}
	r.Facts = append(r.Facts, diag.F("visible subscriptions", strings.Join(armCap(visible, 10), ", ")))
	summary = fmt.Sprintf("subscription %s was not found, but the identity can see %d other subscription(s): %s is probably wrong", in.SubscriptionID, len(visible), in.subscriptionSetting())
	hint = "Set " + in.subscriptionSetting() + " to one of the visible subscriptions, or give the identity a role on this one if the id is right."
	if len(ids) != 1 {
		return summary, hint, nil // which one is meant is the stack owner's to say
	}
	// One subscription is visible: the one this identity was given a role on.
	fs = append(fs, in.SubscriptionFrom.Or("ARM_SUBSCRIPTION_ID").Fix("the identity can see one subscription, "+visible[0], ids[0]))
	return summary, hint, append(fs, roles.Grant(in.ObjectID, need.actions(), in.subscriptionScope())...)
}
