package rbac

// The rbac-role-assignments verdict: the identity's roles at, above and
// below the subscription, by name and scope. Roles on resource groups and
// management groups are normal set-ups; roles granted through Azure
// Lighthouse do not show in the list at all.

import (
	"fmt"
	"strings"

	"github.com/oidc-doctor/oidc-doctor/check/diag"
	"github.com/oidc-doctor/oidc-doctor/check/roles"
)

// lighthouseListDoc says that Lighthouse-granted roles are not listed.
const lighthouseListDoc = "https://learn.microsoft.com/azure/role-based-access-control/role-assignments-list-rest"

func judgeAssignments(w *world) diag.Result {
	in, ras, cv := w.in, w.ras, w.cov
	if ras.err != nil {
		return assignmentsFailed(w)
	}
	r := diag.Result{ID: idRBACRoleAssignments, Title: titleRBACRoleAssignments, Elapsed: ras.elapsed}
	r.Facts = append(r.Facts, diag.F("principal (oid)", in.ObjectID))
	for _, a := range sortedAssignments(ras.list, in.SubscriptionID) {
		_, label, _ := classifyScope(a.Scope, in.SubscriptionID)
		r.Facts = append(r.Facts, diag.F("role", fmt.Sprintf("%s on %s (%s)", a.RoleName, a.Scope, label)))
	}
	if ras.defErr != nil {
		r.Facts = append(r.Facts, diag.F("role names", "some role definitions could not be read; their GUIDs are shown"))
	}
	switch {
	case len(ras.list) == 0:
		return noAssignments(w, r)
	case len(cv.above) == 0:
		groups := partialGroups(cv.partial, in.SubscriptionID)
		r.Status, r.Cause = diag.StatusWarn, diag.CauseAuthorizationFailed
		r.Summary = "the identity has roles only on resource group(s) " + strings.Join(groups, ", ") + ", nothing on the whole subscription"
		r.Facts = append(r.Facts, diag.F("azurerm needs at subscription scope", azurermNeeds(in)))
		r.Hint = fmt.Sprintf("Runs that stay inside %s can work; at subscription scope azurerm needs %s.", strings.Join(groups, ", "), azurermNeeds(in))
		r.Fixes = rgOnlyFixes(w)
	case (w.need.write || w.need.applyLater) && !cvWrites(cv):
		r.Status, r.Cause = diag.StatusWarn, diag.CauseAuthorizationFailed
		r.Summary = "no role on the subscription grants write (" + roleNames(cv.above) + ")"
		if rgs := cv.groupsAllowing(in.SubscriptionID, actDeploymentWrite); len(rgs) > 0 {
			r.Summary += "; write only on resource group(s) " + strings.Join(rgs, ", ")
		}
		r.Hint = "See rbac-permissions: this run needs " + w.need.role() + " on " + in.subscriptionScope() + "."
	default:
		r.Status = diag.StatusPass
		r.Summary = fmt.Sprintf("the identity has %d role assignment(s) covering this subscription: %s", len(cv.above), roleNames(cv.above))
	}
	return r
}

// noAssignments: the list names no role. Lighthouse delegations and, in
// general, permissions that the effective-permissions API shows are roles
// the list does not show; only with neither is there no role at all.
func noAssignments(w *world, r diag.Result) diag.Result {
	in, scope := w.in, w.in.subscriptionScope()
	hasPerms := w.perms.err == nil && len(w.perms.perms) > 0
	switch {
	case w.lighthouse():
		r.Facts = append(r.Facts, diag.F("Azure Lighthouse", "roles granted through the delegation are not listed by the role assignments API ("+lighthouseListDoc+"); rbac-permissions shows what they allow"))
		r.Status = diag.StatusPass
		r.Summary = "the subscription is delegated through Azure Lighthouse: its roles come from the delegation, which the role assignments list does not show"
		if !hasPerms {
			r.Status, r.Cause = diag.StatusWarn, diag.CauseAuthorizationFailed
			r.Summary += ", and the effective permissions are empty"
			r.Hint = "Check the delegation's authorizations (Azure portal > Service providers, on the customer side) for this identity's object id " + in.ObjectID + "."
		}
	case hasPerms || len(w.groups.names()) > 0:
		r.Status, r.Cause = diag.StatusWarn, diag.CauseOther
		r.Summary = "no role assignment names the identity, yet it has permissions (see rbac-permissions): they come from assignments the list does not show"
		r.Hint = "To see them, run: az role assignment list --assignee " + in.ObjectID + " --all --include-inherited --include-groups"
	case w.rolesFault() != nil:
		return inconclusive(r, "no role assignment names the identity", w.rolesFault(), w.host)
	default:
		r.Status, r.Cause = diag.StatusFail, diag.CauseAuthorizationFailed
		r.Summary = "the identity has no role assignment on this subscription, above it or below it"
		r.Hint = fmt.Sprintf("Assign %s on %s to the service principal's object id %s (not the client id). %s", w.need.role(), scope, in.ObjectID, rbacDelayNote)
		r.Fixes = roles.Grant(in.ObjectID, w.need.actions(), scope)
	}
	return r
}

// assignmentsFailed explains a failed list. Listing needs
// Microsoft.Authorization/roleAssignments/read at the subscription. When ARM
// denies it, the effective permissions and the resource-group look-up still
// tell "no role at all" from "roles elsewhere" from "a role without that read".
func assignmentsFailed(w *world) diag.Result {
	in, scope := w.in, w.in.subscriptionScope()
	step := "GET " + scope + "/providers/Microsoft.Authorization/roleAssignments?$filter=assignedTo('" + in.ObjectID + "')"
	r := failedCall(idRBACRoleAssignments, titleRBACRoleAssignments, step, w.host, w.ras.err)
	r.Elapsed = w.ras.elapsed
	if !isDenied(w.ras.err) {
		return r
	}
	subEmpty := w.perms.err != nil || len(w.perms.perms) == 0
	groups := w.groups.names()
	lookUp := "az role assignment list --assignee " + in.ObjectID + " --all --include-inherited"
	switch {
	case subEmpty && len(groups) == 0 && w.rolesFault() != nil:
		return inconclusive(r, "the identity may not list its role assignments", w.rolesFault(), w.host)
	case subEmpty && len(groups) == 0:
		r.Summary = "the identity has no role on this subscription or above it, and none on a resource group it can see: ARM will not even list its role assignments"
		r.Hint = fmt.Sprintf("Assign %s on %s to the service principal's object id %s (not the client id). To see every role it has: %s. %s", w.need.role(), scope, in.ObjectID, lookUp, rbacDelayNote)
		r.Fixes = roles.Grant(in.ObjectID, w.need.actions(), scope)
	case subEmpty:
		r.Status = diag.StatusWarn
		r.Summary = "the identity may not list its role assignments at subscription scope, where it has no role; it holds permissions on resource group(s) " + strings.Join(groups, ", ")
		r.Facts = append(r.Facts, diag.F("azurerm needs at subscription scope", azurermNeeds(in)))
		r.Hint = "Runs that stay inside those groups can work (see rbac-permissions). To see its roles, run: " + lookUp
		r.Fixes = rgOnlyFixes(w)
	default:
		r.Status = diag.StatusWarn
		r.Summary = "the identity may not list its own role assignments (Microsoft.Authorization/roleAssignments/read, which Reader has)"
		r.Hint = "rbac-permissions shows what the identity can do; to see its roles, run: " + lookUp
	}
	return r
}
