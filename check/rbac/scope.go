package rbac

// Where each role assignment applies relative to the run's subscription.

import (
	"sort"
	"strings"

	"github.com/oidc-doctor/oidc-doctor/check/roles"
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
			ok = ok && roles.Allowed(a.Perms, act)
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
		if a.known && roles.Allowed(a.Perms, action) {
			return a.RoleName, true
		}
	}
	return "", false
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

// cvWrites reports whether a role at or above the subscription allows
// deployments, or whether that cannot be told (a definition was unreadable).
func cvWrites(cv coverage) bool {
	for _, a := range cv.above {
		if !a.known || roles.Allowed(a.Perms, actDeploymentWrite) {
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
