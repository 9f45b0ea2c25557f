package rbac

// The rbac-permissions verdict: the effective permissions at subscription
// scope against what the run type needs, and, when the subscription scope
// holds nothing, what the identity may do on the resource groups it can
// see. A verdict says only what its facts show: "can read but not write"
// only when no write is allowed.

import (
	"fmt"
	"strings"

	"github.com/oidc-doctor/oidc-doctor/check/diag"
	"github.com/oidc-doctor/oidc-doctor/check/fixes"
	"github.com/oidc-doctor/oidc-doctor/check/roles"
)

// Actions the run needs, checked against the effective permissions at
// subscription scope.
const (
	actRGRead          = "Microsoft.Resources/subscriptions/resourceGroups/read"
	actAnyRead         = "*/read" // literal: allowed only by patterns that cover every read
	actDeploymentWrite = "Microsoft.Resources/deployments/write"
	actRGWrite         = "Microsoft.Resources/subscriptions/resourceGroups/write"
	actRoleAssignWrite = "Microsoft.Authorization/roleAssignments/write"
	actAnyRegister     = "*/register/action"
	actProvidersRead   = "Microsoft.Resources/subscriptions/providers/read"
)

// writeProbes are writes of resource types most stacks manage: a role that
// allows none of them at a scope cannot apply anything there.
var writeProbes = []string{
	actDeploymentWrite, actRGWrite,
	"Microsoft.Network/virtualNetworks/write",
	"Microsoft.Storage/storageAccounts/write",
	"Microsoft.Compute/virtualMachines/write",
	"Microsoft.KeyVault/vaults/write",
	"Microsoft.Web/sites/write",
	"Microsoft.ContainerService/managedClusters/write",
}

func canRead(p []roles.Permission) bool {
	return roles.Allowed(p, actRGRead) || roles.Allowed(p, actAnyRead)
}

func canWriteAny(p []roles.Permission) bool {
	for _, a := range writeProbes {
		if roles.Allowed(p, a) {
			return true
		}
	}
	return false
}

// missingWrites are the subscription-scope writes a write run needs that p lacks.
func missingWrites(p []roles.Permission) []string {
	var out []string
	for _, a := range []string{actDeploymentWrite, actRGWrite} {
		if !roles.Allowed(p, a) {
			out = append(out, a)
		}
	}
	return out
}

// lacksAtSubscription reports whether the subscription-scope permissions
// leave the run short, or ARM denied reading them or did not answer: then
// the resource groups are worth a look.
func (w *world) lacksAtSubscription() bool {
	if w.perms.err != nil {
		return isDenied(w.perms.err) || faultOf(w.perms.err) != ""
	}
	p := w.perms.perms
	return len(p) == 0 || !canRead(p) || ((w.need.write || w.need.applyLater) && len(missingWrites(p)) > 0)
}

func judgePermissions(w *world) diag.Result {
	in := w.in
	if w.perms.err != nil && !isDenied(w.perms.err) {
		r := failedCall(idRBACPermissions, titleRBACPermissions, "GET "+in.subscriptionScope()+"/providers/Microsoft.Authorization/permissions", w.host, w.perms.err)
		r.Elapsed = w.perms.elapsed
		return r
	}
	r := diag.Result{ID: idRBACPermissions, Title: titleRBACPermissions, Elapsed: w.perms.elapsed,
		Facts: []diag.Fact{diag.F("run", strings.TrimSpace(in.RunType+" "+in.Scope)), diag.F("needs", w.need.why)}}
	r.Facts = append(r.Facts, actionFacts(w.perms.perms, w.need)...)
	if w.perms.err != nil {
		r.Facts = append(r.Facts, diag.F("permissions at subscription scope", "ARM denied reading them (AuthorizationFailed)"))
	}
	if w.groups != nil {
		r.Elapsed += w.groups.elapsed
		r.Facts = append(r.Facts, groupFacts(w.groups)...)
	}
	if len(w.perms.perms) == 0 {
		return noneAtSubscription(w, r)
	}
	p := w.perms.perms
	switch {
	case w.need.write && !canWriteAny(p):
		return cannotWrite(w, r)
	case w.need.write && len(missingWrites(p)) > 0:
		return partialWrite(w, r)
	case !canRead(p):
		r.Status, r.Cause = diag.StatusWarn, diag.CauseAuthorizationFailed
		r.Summary = "the identity may not read resource groups at subscription scope (" + actRGRead + ")"
		r.Hint = "Refreshing resources can fail with AuthorizationFailed; Reader grants every read."
		r.Fixes = roles.Grant(in.ObjectID, []string{actRGRead}, in.subscriptionScope())
		return r
	}
	return enough(w, r)
}

// actionFacts are the yes/no lines for the actions the verdicts read.
func actionFacts(p []roles.Permission, need runNeeds) []diag.Fact {
	var out []diag.Fact
	yesNo := func(a, note string) {
		v := "no"
		if roles.Allowed(p, a) {
			v = "yes"
		}
		if note != "" {
			v += " (" + note + ")"
		}
		out = append(out, diag.F(a, v))
	}
	yesNo(actRGRead, "")
	yesNo(actAnyRead, "reads of every resource type")
	writeNote := ""
	if need.applyLater {
		writeNote = "apply phase"
	} else if !need.write {
		writeNote = "not needed by this run"
	}
	yesNo(actDeploymentWrite, writeNote)
	yesNo(actRGWrite, strings.TrimPrefix(writeNote+"; creating resource groups", "; "))
	if need.write || need.applyLater {
		yesNo(actRoleAssignWrite, "only if the stack manages role assignments")
	}
	yesNo(actAnyRegister, "registering resource providers")
	return out
}

// groupFacts say what the resource-group look-up found.
func groupFacts(g *groupsOutcome) []diag.Fact {
	var out []diag.Fact
	if g.listErr != nil {
		out = append(out, diag.F("resource groups", "listing them failed: "+diag.Truncate(g.listErr.Error(), 200)))
	} else if len(g.groups) == 0 && g.from == fromAssignments {
		out = append(out, diag.F("resource groups", "no role assignment of the identity is on one"))
	} else if len(g.groups) == 0 {
		out = append(out, diag.F("resource groups", "none visible to the identity"))
	}
	for _, a := range g.groups {
		v := "its permissions there could not be read"
		if a.err == nil {
			v = groupAccessText(a.perms)
		}
		out = append(out, diag.F("resource group "+a.name, v))
	}
	if g.more > 0 {
		out = append(out, diag.F("resource groups not looked at", fmt.Sprint(g.more)))
	}
	return out
}

func groupAccessText(p []roles.Permission) string {
	switch {
	case len(p) == 0:
		return "no permissions"
	case canWriteAny(p) && canRead(p):
		return "read and write"
	case canWriteAny(p):
		return "write, without reading resource groups"
	case canRead(p):
		return "read only"
	}
	return "some permissions, neither the reads nor the writes a stack needs"
}

// noneAtSubscription: no permission at subscription scope. Roles on resource
// groups are a normal set-up: a warning, unless the run cannot write
// anywhere and needs to.
func noneAtSubscription(w *world, r diag.Result) diag.Result {
	in := w.in
	scope := in.subscriptionScope()
	groups := w.groups.names()
	r.Cause = diag.CauseAuthorizationFailed
	if fr := w.groupsFault(); fr != nil && (len(groups) == 0 || w.need.write && len(writableGroups(w.groups)) == 0) {
		return inconclusive(r, "the identity has no role at subscription scope", fr, w.host)
	}
	if len(groups) == 0 {
		r.Status = diag.StatusFail
		r.Summary = "the identity has no role at subscription scope, nor on any resource group it can see"
		r.Hint = fmt.Sprintf("Grant %s on %s to the service principal (object id %s). %s", w.need.role(), scope, in.ObjectID, rbacDelayNote)
		r.Fixes = roles.Grant(in.ObjectID, w.need.actions(), scope)
		return r
	}
	needs := azurermNeeds(in)
	r.Facts = append(r.Facts, diag.F("azurerm needs at subscription scope", needs))
	writable := writableGroups(w.groups)
	if w.need.write && len(writable) == 0 {
		r.Status = diag.StatusFail
		r.Summary = fmt.Sprintf("the identity may write nowhere: it has no role at subscription scope, and on resource group(s) %s it may only read; %s", strings.Join(groups, ", "), w.need.why)
		r.Hint = fmt.Sprintf("Grant %s on the resource group(s) the stack uses (least privilege), or on %s.", w.need.role(), scope)
		r.Fixes = roles.Grant(in.ObjectID, []string{actDeploymentWrite}, scope+"/resourceGroups/"+groups[0])
		return r
	}
	r.Status = diag.StatusWarn
	var each []string
	for _, a := range w.groups.withPerms() {
		each = append(each, a.name+" ("+groupAccessText(a.perms)+")")
	}
	r.Summary = "no role at subscription scope: the identity's roles are on resource group(s) " + strings.Join(each, ", ")
	r.Hint = "Runs that stay inside " + strings.Join(groups, ", ") + " can work. At subscription scope azurerm needs " + needs + ". " + rbacDelayNote
	r.Fixes = rgOnlyFixes(w)
	return r
}

func writableGroups(g *groupsOutcome) []string {
	var out []string
	for _, a := range g.withPerms() {
		if canWriteAny(a.perms) {
			out = append(out, a.name)
		}
	}
	return out
}

// rgOnlyFixes are the least privilege that lets azurerm itself work on an
// identity whose roles are on resource groups (Reader on the subscription,
// when azurerm lists providers), then the broad option, labelled.
func rgOnlyFixes(w *world) []diag.Fix {
	in := w.in
	var out []diag.Fix
	if azurermLists(in) {
		out = roles.Grant(in.ObjectID, []string{actProvidersRead}, in.subscriptionScope())
	}
	if w.need.write || w.need.applyLater {
		out = append(out, broader(in.ObjectID, "Contributor", in.subscriptionScope(), "to create resource groups and work outside these groups"))
	}
	return out
}

// broader is the az CLI fix for a role beyond the least privilege, labelled.
func broader(objectID, role, scope, why string) diag.Fix {
	f := fixes.RoleAssignment(objectID, role, scope)[0]
	f.Title = "broader: assign " + role + " on " + roles.ScopeLabel(scope) + ", " + why + " (az CLI)"
	return f
}

// cannotWrite: a write run whose subscription-scope roles allow no write.
func cannotWrite(w *world, r diag.Result) diag.Result {
	in := w.in
	missing := missingWrites(w.perms.perms)
	r.Status, r.Cause = diag.StatusFail, diag.CauseAuthorizationFailed
	r.Summary = fmt.Sprintf("the identity can read but not write at subscription scope, and %s", w.need.why)
	if held := roleNames(w.cov.above); held != "" {
		r.Facts = append(r.Facts, diag.F("roles on the subscription", held))
	}
	r.Hint = fmt.Sprintf("Grant %s on %s to the service principal (object id %s).", w.need.role(), in.subscriptionScope(), in.ObjectID)
	r.Fixes = roles.Grant(in.ObjectID, missing, in.subscriptionScope())
	if rgs := writableGroups(w.groups); len(rgs) > 0 {
		r.Status = diag.StatusWarn
		r.Summary += "; it has them on resource group(s) " + strings.Join(rgs, ", ") + " only"
		r.Hint = "Runs that stay inside " + strings.Join(rgs, ", ") + " can work; creating resource groups or touching anything else fails. " + r.Hint
	}
	if name, ok := w.cov.aboveRoleAllows(missing[0]); ok {
		r.Hint += " " + name + " is assigned and allows " + missing[0] + ", but ARM does not apply it yet: " + rbacDelayNote
	}
	return r
}

// partialWrite: a write run that may write resources but lacks a
// subscription-scope write only some stacks use.
func partialWrite(w *world, r diag.Result) diag.Result {
	in := w.in
	missing := missingWrites(w.perms.perms)
	r.Status, r.Cause = diag.StatusWarn, diag.CauseAuthorizationFailed
	var what, which []string
	for _, a := range missing {
		switch a {
		case actRGWrite:
			what, which = append(what, "create resource groups ("+a+")"), append(which, "azurerm_resource_group")
		case actDeploymentWrite:
			what, which = append(what, "run ARM template deployments ("+a+")"), append(which, "azurerm_*_template_deployment")
		}
	}
	r.Summary = "the identity may write resources at subscription scope, but may not " + strings.Join(what, " or ")
	r.Hint = "Only a stack that does so needs it (" + strings.Join(which, ", ") + "); such a run fails with AuthorizationFailed. If yours does, grant the role below."
	r.Fixes = roles.Grant(in.ObjectID, missing, in.subscriptionScope())
	return r
}

// enough: the run has what it needs now; warnings for what is missing
// later (the apply phase) or for some reads.
func enough(w *world, r diag.Result) diag.Result {
	in, need, p := w.in, w.need, w.perms.perms
	var warns, hints []string
	writeOK := len(missingWrites(p)) == 0
	if need.applyLater && !writeOK {
		warns = append(warns, "planning can read, but the apply phase needs write, which this identity lacks")
		hints = append(hints, "The apply phase gets a write-scoped token: the identity its federated credential maps to needs Contributor on "+in.subscriptionScope()+".")
	}
	if !roles.Allowed(p, actAnyRead) {
		warns = append(warns, "some resource types may not be readable")
		hints = append(hints, "The roles do not grant */read, so refreshing resources of some types can fail with AuthorizationFailed; Reader grants every read.")
	}
	// Missing roleAssignments/write is said, never warned about: Contributor,
	// the usual role for a stack, lacks it by design, and only stacks that
	// manage azurerm_role_assignment resources need it. A warning on every
	// healthy set-up would teach users to ignore warnings.
	noRA := ""
	if (need.write || need.applyLater) && !roles.Allowed(p, actRoleAssignWrite) {
		noRA = "; it may not create role assignments, which only stacks managing azurerm_role_assignment need (Role Based Access Control Administrator is the narrowest built-in role that may)"
	}
	if len(warns) == 0 {
		r.Status = diag.StatusPass
		r.Summary = "the identity has every permission this run needs at subscription scope" + noRA
		if need.applyLater {
			r.Summary = "planning can read, and the apply phase can write as long as its write-scoped credential maps to this same app" + noRA
		}
		return r
	}
	warns[len(warns)-1] += noRA
	r.Status, r.Cause = diag.StatusWarn, diag.CauseAuthorizationFailed
	r.Summary = strings.Join(warns, "; ")
	r.Hint = strings.Join(hints, " ")
	if need.applyLater && !writeOK {
		r.Fixes = roles.Grant(in.ObjectID, missingWrites(p), in.subscriptionScope())
	}
	return r
}
