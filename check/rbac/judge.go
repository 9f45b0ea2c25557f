package rbac

// Judging the RBAC step: where each role assignment applies relative to the
// run's subscription, and the verdicts on effective permissions and role
// assignments.

import (
	"fmt"
	"sort"
	"strings"

	"github.com/oidc-doctor/oidc-doctor/check/diag"
	"github.com/oidc-doctor/oidc-doctor/check/fixes"
)

// Scope kinds of a role assignment, relative to the run's subscription.
type scopeKind int

const (
	scopeRoot scopeKind = iota
	scopeManagementGroup
	scopeSubscription
	scopeResourceGroup
	scopeResource
	scopeElsewhere
)

// classifyScope says where an assignment's scope sits relative to the
// subscription, with the label used in facts and, for resource groups and
// resources, the resource group's name.
func classifyScope(scope, subID string) (kind scopeKind, label, rg string) {
	s := strings.TrimRight(scope, "/")
	lower := strings.ToLower(s)
	const mgPrefix = "/providers/microsoft.management/managementgroups/"
	subPrefix := "/subscriptions/" + strings.ToLower(subID)
	switch {
	case s == "":
		return scopeRoot, "inherited from the tenant root", ""
	case strings.HasPrefix(lower, mgPrefix):
		mg := s[len(mgPrefix):]
		return scopeManagementGroup, "inherited from management group " + mg, ""
	case lower == subPrefix:
		return scopeSubscription, "this subscription", ""
	case strings.HasPrefix(lower, subPrefix+"/resourcegroups/"):
		rest := s[len(subPrefix+"/resourcegroups/"):]
		name, below, _ := strings.Cut(rest, "/")
		if below == "" {
			return scopeResourceGroup, "resource group only", name
		}
		return scopeResource, "one resource in resource group " + name + " only", name
	default:
		return scopeElsewhere, "outside this subscription", ""
	}
}

// coverage sorts the identity's assignments by where they apply.
type coverage struct {
	// above are assignments at the subscription or above it (root,
	// management group), which apply to the whole subscription.
	above []assignment
	// partial are assignments on a resource group or a resource.
	partial []assignment
}

func coverageOf(list []assignment, subID string) coverage {
	var cv coverage
	for _, a := range list {
		switch k, _, _ := classifyScope(a.Scope, subID); k {
		case scopeRoot, scopeManagementGroup, scopeSubscription:
			cv.above = append(cv.above, a)
		case scopeResourceGroup, scopeResource:
			cv.partial = append(cv.partial, a)
		}
	}
	return cv
}

// groupsAllowing names the resource groups where an assigned role allows
// every one of actions, in order and without repeats.
func (cv coverage) groupsAllowing(subID string, actions ...string) []string {
	var names []string
	seen := map[string]bool{}
	for _, a := range cv.partial {
		k, _, rg := classifyScope(a.Scope, subID)
		if k != scopeResourceGroup || seen[strings.ToLower(rg)] {
			continue
		}
		ok := a.known
		for _, act := range actions {
			ok = ok && actionAllowed(a.Perms, act)
		}
		if ok {
			seen[strings.ToLower(rg)] = true
			names = append(names, rg)
		}
	}
	return names
}

// aboveRoleAllows reports a role assigned at or above the subscription whose
// definition allows action: if ARM still denies it, the assignment has not
// taken effect yet.
func (cv coverage) aboveRoleAllows(action string) (string, bool) {
	for _, a := range cv.above {
		if a.known && actionAllowed(a.Perms, action) {
			return a.RoleName, true
		}
	}
	return "", false
}

// Actions the run needs, checked against the effective permissions at
// subscription scope.
const (
	actRGRead          = "Microsoft.Resources/subscriptions/resourceGroups/read"
	actAnyRead         = "*/read" // literal: allowed only by patterns that cover every read
	actDeploymentWrite = "Microsoft.Resources/deployments/write"
	actRGWrite         = "Microsoft.Resources/subscriptions/resourceGroups/write"
	actRoleAssignWrite = "Microsoft.Authorization/roleAssignments/write"
	actAnyRegister     = "*/register/action"
)

func judgePermissions(in Input, need runNeeds, po permissionsOutcome, ras assignmentsOutcome, cv coverage, host string) diag.Result {
	step := "GET " + in.subscriptionScope() + "/providers/Microsoft.Authorization/permissions"
	if po.err != nil {
		r := failedCall(idRBACPermissions, titleRBACPermissions, step, host, po.err)
		if len(cv.above) > 0 && strings.EqualFold(r.ErrorCode, "AuthorizationFailed") {
			r.Hint += " The identity has role assignments on this subscription; " + rbacDelayNote
		}
		r.Elapsed = po.elapsed
		return r
	}
	r := diag.Result{ID: idRBACPermissions, Title: titleRBACPermissions, Elapsed: po.elapsed,
		Facts: []diag.Fact{diag.F("run", strings.TrimSpace(in.RunType+" "+in.Scope)), diag.F("needs", need.why)}}
	allowed := func(a string) bool { return actionAllowed(po.perms, a) }
	yesNo := func(a, note string) {
		v := "no"
		if allowed(a) {
			v = "yes"
		}
		if note != "" {
			v += " (" + note + ")"
		}
		r.Facts = append(r.Facts, diag.F(a, v))
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
	yesNo(actRGWrite, writeNote)
	if need.write || need.applyLater {
		yesNo(actRoleAssignWrite, "only if the stack manages role assignments")
	}
	yesNo(actAnyRegister, "registering resource providers")

	var missing []string
	if !allowed(actRGRead) {
		missing = append(missing, actRGRead)
	}
	if need.write {
		for _, a := range []string{actDeploymentWrite, actRGWrite} {
			if !allowed(a) {
				missing = append(missing, a)
			}
		}
	}
	if len(missing) > 0 {
		return missingPermissions(in, need, r, missing, allowed(actRGRead), cv)
	}

	var warns, hints []string
	writeOK := allowed(actDeploymentWrite) && allowed(actRGWrite)
	if need.applyLater && !writeOK {
		warns = append(warns, "planning can read, but the apply phase needs write, which this identity lacks")
		hints = append(hints, "The apply phase gets a write-scoped token: the identity its federated credential maps to needs Contributor on "+in.subscriptionScope()+".")
	}
	if !allowed(actAnyRead) {
		warns = append(warns, "some resource types may not be readable")
		hints = append(hints, "The roles do not grant */read, so refreshing resources of some types can fail with AuthorizationFailed; Reader grants every read.")
	}
	// Missing roleAssignments/write is said, never warned about: Contributor,
	// the usual role for a stack, lacks it by design, and only stacks that
	// manage azurerm_role_assignment resources need it. A warning on every
	// healthy set-up would teach users to ignore warnings.
	noRA := ""
	if (need.write || need.applyLater) && !allowed(actRoleAssignWrite) {
		noRA = "; it may not create role assignments, which only stacks managing azurerm_role_assignment need (Owner, User Access Administrator or Role Based Access Control Administrator)"
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
	r.Status = diag.StatusWarn
	r.Summary = strings.Join(warns, "; ")
	r.Hint = strings.Join(hints, " ")
	if need.applyLater && !writeOK {
		r.Fixes = fixes.RoleAssignment(in.ObjectID, "Contributor", in.subscriptionScope())
	}
	return r
}

// missingPermissions is the verdict when the run lacks an action it needs.
func missingPermissions(in Input, need runNeeds, r diag.Result, missing []string, canRead bool, cv coverage) diag.Result {
	role := need.role()
	r.Status = diag.StatusFail
	switch {
	case canRead:
		r.Summary = fmt.Sprintf("the identity can read but not write at subscription scope, and %s", need.why)
	default:
		r.Summary = "the identity may not even read resource groups at subscription scope; denied: " + strings.Join(missing, ", ")
	}
	if held := roleNames(cv.above); held != "" {
		r.Facts = append(r.Facts, diag.F("roles on the subscription", held))
	}
	r.Hint = fmt.Sprintf("Grant %s on %s to the service principal (object id %s).", role, in.subscriptionScope(), in.ObjectID)
	r.Fixes = fixes.RoleAssignment(in.ObjectID, role, in.subscriptionScope())

	if rgs := cv.groupsAllowing(in.SubscriptionID, missing...); len(rgs) > 0 {
		r.Status = diag.StatusWarn
		r.Summary += "; it has them on resource group(s) " + strings.Join(rgs, ", ") + " only"
		r.Hint = "Runs that stay inside " + strings.Join(rgs, ", ") + " can work; creating resource groups or touching anything else fails. " + r.Hint
	}
	for _, a := range missing {
		if name, ok := cv.aboveRoleAllows(a); ok {
			r.Hint += " " + name + " is assigned and allows " + a + ", but ARM does not apply it yet: " + rbacDelayNote
			break
		}
	}
	return r
}

func roleNames(list []assignment) string {
	var names []string
	seen := map[string]bool{}
	for _, a := range list {
		if !seen[a.RoleName] {
			seen[a.RoleName] = true
			names = append(names, a.RoleName)
		}
	}
	return strings.Join(names, ", ")
}

func judgeAssignments(in Input, need runNeeds, ras assignmentsOutcome, po permissionsOutcome, cv coverage, host string) diag.Result {
	role, scope := need.role(), in.subscriptionScope()
	if ras.err != nil {
		step := "GET " + scope + "/providers/Microsoft.Authorization/roleAssignments?$filter=assignedTo('" + in.ObjectID + "')"
		r := failedCall(idRBACRoleAssignments, titleRBACRoleAssignments, step, host, ras.err)
		r.Elapsed = ras.elapsed
		if !strings.EqualFold(r.ErrorCode, "AuthorizationFailed") {
			return r
		}
		// Listing needs Microsoft.Authorization/roleAssignments/read at the
		// subscription. Denied, the effective permissions still tell "no
		// role here at all" (none) from "a role without that read" (some).
		if po.err == nil && len(po.perms) == 0 {
			r.Summary = "the identity has no role on this subscription or above it: its effective permissions there are empty, and ARM will not even list its role assignments"
			r.Hint = fmt.Sprintf("Assign %s on %s to the service principal's object id %s (not the client id). Roles on single resource groups do not show from here: az role assignment list --assignee %s --all. %s", role, scope, in.ObjectID, in.ObjectID, rbacDelayNote)
			r.Fixes = fixes.RoleAssignment(in.ObjectID, role, scope)
			return r
		}
		r.Status = diag.StatusWarn
		r.Summary = "the identity may not list its own role assignments (Microsoft.Authorization/roleAssignments/read, which Reader has)"
		r.Hint = "rbac-permissions shows what the identity can do; to see its roles, run: az role assignment list --assignee " + in.ObjectID + " --all --include-inherited"
		return r
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
		r.Status = diag.StatusFail
		r.Summary = "the identity has no role assignment on this subscription, above it or below it"
		r.Hint = fmt.Sprintf("Assign %s on %s to the service principal's object id %s (not the client id). %s", role, scope, in.ObjectID, rbacDelayNote)
		r.Fixes = fixes.RoleAssignment(in.ObjectID, role, scope)
	case len(cv.above) == 0:
		r.Status = diag.StatusWarn
		groups := partialGroups(cv.partial, in.SubscriptionID)
		r.Summary = "the identity has roles only on resource group(s) " + strings.Join(groups, ", ") + ", nothing on the whole subscription"
		r.Hint = fmt.Sprintf("Runs that stay inside %s can work; anything else (new resource groups, other groups, provider registration) fails. For the whole subscription assign %s on %s.", strings.Join(groups, ", "), role, scope)
		r.Fixes = fixes.RoleAssignment(in.ObjectID, role, scope)
	case (need.write || need.applyLater) && !cvWrites(cv):
		r.Status = diag.StatusWarn
		r.Summary = "no role on the subscription grants write (" + roleNames(cv.above) + ")"
		if rgs := cv.groupsAllowing(in.SubscriptionID, actDeploymentWrite); len(rgs) > 0 {
			r.Summary += "; write only on resource group(s) " + strings.Join(rgs, ", ")
		}
		r.Hint = "See rbac-permissions: this run needs Contributor on " + scope + "."
	default:
		r.Status = diag.StatusPass
		r.Summary = fmt.Sprintf("the identity has %d role assignment(s) covering this subscription: %s", len(cv.above), roleNames(cv.above))
	}
	return r
}

// cvWrites reports whether a role at or above the subscription allows
// deployments, or whether that cannot be told (a definition was unreadable).
func cvWrites(cv coverage) bool {
	for _, a := range cv.above {
		if !a.known || actionAllowed(a.Perms, actDeploymentWrite) {
			return true
		}
	}
	return false
}

func partialGroups(list []assignment, subID string) []string {
	var names []string
	seen := map[string]bool{}
	for _, a := range list {
		_, _, rg := classifyScope(a.Scope, subID)
		if !seen[strings.ToLower(rg)] {
			seen[strings.ToLower(rg)] = true
			names = append(names, rg)
		}
	}
	return names
}

// sortedAssignments orders assignments from the broadest scope to the
// narrowest, then by scope and role, so facts read the same every run.
func sortedAssignments(list []assignment, subID string) []assignment {
	out := append([]assignment(nil), list...)
	sort.SliceStable(out, func(i, j int) bool {
		ki, _, _ := classifyScope(out[i].Scope, subID)
		kj, _, _ := classifyScope(out[j].Scope, subID)
		if ki != kj {
			return ki < kj
		}
		if out[i].Scope != out[j].Scope {
			return out[i].Scope < out[j].Scope
		}
		return out[i].RoleName < out[j].RoleName
	})
	return out
}
