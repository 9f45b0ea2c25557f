package roles

import "strings"

// This file decides whether Azure RBAC permissions allow an ARM action. It is
// pure: the permissions come from the ARM permissions API, from role
// definitions ARM returns, or from the built-in ones embedded here.
//
// ARM's rules, from the resource-manager API authentication docs: "an action
// is allowed if [it] is present in the allowed actions of any permission and
// not present in the notactions list of that permission". So notActions
// subtract per permission, never globally, and several permissions add up.
// Matching is case-insensitive and '*' may appear anywhere in a pattern
// ("*", "*/read", "Microsoft.Compute/*", "Microsoft.Authorization/*/Write"),
// standing for any run of characters, '/' included.

// Permission is one entry of an ARM permission list (a role definition's
// permissions, or the effective permissions of the caller at a scope).
type Permission struct {
	Actions    []string `json:"actions"`
	NotActions []string `json:"notActions"`
	// DataActions and NotDataActions are the data-plane half (blob reads
	// and writes, for example); Terraform's control-plane calls never need
	// them, the azurerm backend with Entra ID auth does.
	DataActions    []string `json:"dataActions"`
	NotDataActions []string `json:"notDataActions"`
}

// Allowed reports whether any permission in perms allows the control-plane
// action and that same permission's notActions do not take it away.
func Allowed(perms []Permission, action string) bool {
	for _, p := range perms {
		if matchesAny(p.Actions, action) && !matchesAny(p.NotActions, action) {
			return true
		}
	}
	return false
}

// DataAllowed is Allowed for a data action, under the same rules.
func DataAllowed(perms []Permission, action string) bool {
	for _, p := range perms {
		if matchesAny(p.DataActions, action) && !matchesAny(p.NotDataActions, action) {
			return true
		}
	}
	return false
}

func matchesAny(patterns []string, action string) bool {
	for _, p := range patterns {
		if matchAction(p, action) {
			return true
		}
	}
	return false
}

// matchAction reports whether the ARM action pattern matches action, ignoring
// ASCII case. '*' matches any run of characters, including none and '/'.
// It is the classic greedy wildcard match with one backtrack point, linear
// for the patterns ARM uses.
func matchAction(pattern, action string) bool {
	pattern, action = strings.ToLower(pattern), strings.ToLower(action)
	p, a := 0, 0
	star, mark := -1, 0 // position after the last '*', and where it began matching
	for a < len(action) {
		switch {
		case p < len(pattern) && pattern[p] == '*':
			star, mark = p+1, a
			p++
		case p < len(pattern) && pattern[p] == action[a]:
			p++
			a++
		case star >= 0:
			// Let the last '*' swallow one more character and retry.
			mark++
			p, a = star, mark
		default:
			return false
		}
	}
	for p < len(pattern) && pattern[p] == '*' {
		p++
	}
	return p == len(pattern)
}
