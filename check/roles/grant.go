package roles

// Least privilege: which built-in role, at which scope, repairs a denied
// action. The order is always the narrowest role at the narrowest scope that
// exists, then the same role at a broader scope, each labelled. A scope that
// does not exist yet (the resource group a run is about to create) is never
// offered: a role cannot be assigned there, so its parent is.

import (
	"strings"

	"github.com/oidc-doctor/oidc-doctor/check/diag"
	"github.com/oidc-doctor/oidc-doctor/check/fixes"
)

// Narrowest returns the built-in roles that allow every one of actions,
// narrowest first. A role limited to one resource provider (the storage
// roles) is offered only when every action is of that provider. Owner is
// offered only when no other role allows them all.
func Narrowest(actions ...string) []Definition {
	var out []Definition
	for _, d := range all() {
		if d.namespace != "" && !allOfNamespace(actions, d.namespace) {
			continue
		}
		ok := len(actions) > 0
		for _, a := range actions {
			ok = ok && d.Allows(a)
		}
		if ok && (d.ID != Owner || len(out) == 0) {
			out = append(out, d)
		}
	}
	return out
}

func allOfNamespace(actions []string, ns string) bool {
	for _, a := range actions {
		if !strings.HasPrefix(strings.ToLower(a), ns+"/") {
			return false
		}
	}
	return len(actions) > 0
}

// ExistingScope is the narrowest scope that exists for a denied action at
// scope. When the action writes the very resource the scope names (a create:
// Microsoft.Resources/subscriptions/resourceGroups/write on
// /subscriptions/{s}/resourceGroups/{new}, Microsoft.Storage/storageAccounts/write
// on …/providers/Microsoft.Storage/storageAccounts/{new}), the scope may not
// exist yet and no role can be assigned there: its parent is returned.
// Otherwise scope is returned unchanged.
func ExistingScope(action, scope string) string {
	a := strings.ToLower(strings.TrimSpace(action))
	s := strings.TrimRight(strings.TrimSpace(scope), "/")
	typ, ok := strings.CutSuffix(a, "/write")
	if !ok || s == "" {
		return scope
	}
	segs := strings.Split(strings.TrimPrefix(s, "/"), "/")
	lower := strings.Split(strings.ToLower(strings.TrimPrefix(s, "/")), "/")
	// /subscriptions/{s}/resourceGroups/{rg}
	if typ == "microsoft.resources/subscriptions/resourcegroups" {
		if len(lower) == 4 && lower[0] == "subscriptions" && lower[2] == "resourcegroups" {
			return "/" + strings.Join(segs[:2], "/")
		}
		return scope
	}
	// …/providers/{namespace}/{type}/{name}[/{type}/{name}]…
	p := lastIndex(lower, "providers")
	if p < 0 || (len(lower)-p-2)%2 != 0 || len(lower)-p < 4 {
		return scope
	}
	rt := []string{lower[p+1]}
	for i := p + 2; i < len(lower); i += 2 {
		rt = append(rt, lower[i])
	}
	if strings.Join(rt, "/") != typ {
		return scope
	}
	cut := len(segs) - 2 // the last {type}/{name}
	if cut == p+2 {
		cut = p // a top-level resource: drop /providers/{namespace} too
	}
	return "/" + strings.Join(segs[:cut], "/")
}

func lastIndex(xs []string, s string) int {
	for i := len(xs) - 1; i >= 0; i-- {
		if xs[i] == s {
			return i
		}
	}
	return -1
}

// Grant is the fixes for actions denied at scope to the service principal
// objectID: the narrowest built-in role at the narrowest existing scope
// first (az CLI and Terraform), then, when that scope lies below the
// subscription, the same role on the whole subscription (az CLI), labelled
// broader. With no built-in role that allows the actions, it is the generic
// assignment with a <role> placeholder.
func Grant(objectID string, actions []string, scope string) []diag.Fix {
	at := scope
	for _, a := range actions {
		if s := ExistingScope(a, scope); len(s) < len(at) {
			at = s
		}
	}
	cands := Narrowest(actions...)
	if len(cands) == 0 {
		return fixes.RoleAssignment(objectID, "<role>", at)
	}
	role := cands[0].Name
	out := relabel(fixes.RoleAssignment(objectID, role, at), "least privilege: assign "+role+" on "+ScopeLabel(at))
	if sub := SubscriptionOf(at); sub != "" && !strings.EqualFold(sub, strings.TrimRight(at, "/")) {
		broader := relabel(fixes.RoleAssignment(objectID, role, sub), "broader: assign "+role+" on the whole subscription (also lets it create resource groups)")
		out = append(out, broader[0])
	}
	return out
}

// relabel replaces the generic "assign the role" of fixes.RoleAssignment's
// titles, keeping their "(az CLI)" and "(Terraform, azurerm)" suffixes.
func relabel(fs []diag.Fix, label string) []diag.Fix {
	for i := range fs {
		fs[i].Title = strings.Replace(fs[i].Title, "assign the role", label, 1)
	}
	return fs
}

// SubscriptionOf is the /subscriptions/{id} prefix of scope, or "".
func SubscriptionOf(scope string) string {
	segs := strings.Split(strings.TrimPrefix(strings.TrimSpace(scope), "/"), "/")
	if len(segs) >= 2 && strings.EqualFold(segs[0], "subscriptions") && segs[1] != "" {
		return "/subscriptions/" + segs[1]
	}
	return ""
}

// ScopeLabel names a scope for a title: "the subscription", "resource
// group rg-app", "management group mg-platform", "the resource …" or the
// scope itself.
func ScopeLabel(scope string) string {
	segs := strings.Split(strings.Trim(strings.TrimSpace(scope), "/"), "/")
	lower := strings.Split(strings.ToLower(strings.Trim(strings.TrimSpace(scope), "/")), "/")
	switch {
	case len(lower) == 2 && lower[0] == "subscriptions":
		return "the subscription"
	case len(lower) == 4 && lower[0] == "subscriptions" && lower[2] == "resourcegroups":
		return "resource group " + segs[3]
	case len(lower) == 4 && lower[0] == "providers" && lower[1] == "microsoft.management" && lower[2] == "managementgroups":
		return "management group " + segs[3]
	case len(lower) > 4 && lower[0] == "subscriptions":
		return "the resource " + segs[len(segs)-1]
	}
	return strings.TrimSpace(scope)
}
