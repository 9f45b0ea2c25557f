package emulator

import (
	"crypto/sha256"
	"fmt"
	"regexp"
	"strings"
	"sync"

	"github.com/oidc-doctor/oidc-doctor/check/roles"
)

// roleDef is a role definition as ARM stores it.
type roleDef struct {
	ID, Name, Type, Description string
	Actions, NotActions         []string
	DataActions, NotDataActions []string
}

// builtinRoles are the built-in roles with their real GUIDs and permissions,
// from Microsoft's published definitions (package roles embeds them with
// their source; each has one permission entry).
var builtinRoles = sync.OnceValue(func() []roleDef {
	var out []roleDef
	for _, d := range roles.Builtin() {
		r := roleDef{ID: d.ID, Name: d.Name, Type: "BuiltInRole", Description: d.Description}
		for _, p := range d.Permissions {
			r.Actions = append(r.Actions, p.Actions...)
			r.NotActions = append(r.NotActions, p.NotActions...)
			r.DataActions = append(r.DataActions, p.DataActions...)
			r.NotDataActions = append(r.NotDataActions, p.NotDataActions...)
		}
		out = append(out, r)
	}
	return out
})

// roleByID returns the built-in or custom role with this GUID (any case).
func (e *Emulator) roleByID(id string) (roleDef, bool) {
	if r, ok := e.roleByIDBuiltin(id); ok {
		return r, true
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, c := range e.scn.ARM.CustomRoles {
		if strings.EqualFold(c.ID, id) {
			return roleDef{ID: c.ID, Name: c.Name, Type: "CustomRole", Actions: c.Actions, NotActions: c.NotActions}, true
		}
	}
	return roleDef{}, false
}

// actionMatches reports whether an action pattern (with * wildcards anywhere)
// matches an action, case-insensitively, as ARM evaluates them.
func actionMatches(pattern, action string) bool {
	parts := strings.Split(pattern, "*")
	for i, p := range parts {
		parts[i] = regexp.QuoteMeta(p)
	}
	re := regexp.MustCompile("(?i)^" + strings.Join(parts, ".*") + "$")
	return re.MatchString(action)
}

// allows reports whether the role grants action: some action matches and no
// notAction of the same role removes it.
func (r roleDef) allows(action string) bool {
	ok := false
	for _, a := range r.Actions {
		if actionMatches(a, action) {
			ok = true
			break
		}
	}
	if !ok {
		return false
	}
	for _, n := range r.NotActions {
		if actionMatches(n, action) {
			return false
		}
	}
	return true
}

func normScope(s string) string {
	s = strings.ToLower(strings.TrimRight(s, "/"))
	if s == "" {
		return "/"
	}
	return s
}

const mgPrefix = "/providers/microsoft.management/managementgroups/"

// covers reports whether an assignment at scope applies at target: scope is
// target or an ancestor of it. Subscriptions hang below the scenario's
// management group, which hangs below the tenant root group (named after the
// tenant ID), which hangs below "/".
func (e *Emulator) covers(scope, target, subTenant string) bool {
	scope, target = normScope(scope), normScope(target)
	if scope == "/" || scope == target || strings.HasPrefix(target, scope+"/") {
		return true
	}
	if mg, ok := strings.CutPrefix(scope, mgPrefix); ok && strings.HasPrefix(target, "/subscriptions/") {
		e.mu.Lock()
		parent := strings.ToLower(e.scn.ARM.ManagementGroup)
		e.mu.Unlock()
		return (parent != "" && mg == parent) || mg == strings.ToLower(subTenant)
	}
	return false
}

// assignmentsFor returns the principal's assignments that apply at target.
func (e *Emulator) assignmentsFor(principal, target, subTenant string) []RoleAssignment {
	e.mu.Lock()
	all := append([]RoleAssignment(nil), e.scn.ARM.RoleAssignments...)
	e.mu.Unlock()
	var out []RoleAssignment
	for _, ra := range all {
		if strings.EqualFold(ra.PrincipalID, principal) && e.covers(ra.Scope, target, subTenant) {
			out = append(out, ra)
		}
	}
	return out
}

// allowed evaluates the principal's RBAC for action at target, like ARM: any
// applicable role that allows the action grants it.
func (e *Emulator) allowed(principal, action, target, subTenant string) bool {
	for _, ra := range e.assignmentsFor(principal, target, subTenant) {
		if r, ok := e.roleByID(ra.RoleDefinitionID); ok && r.allows(action) {
			return true
		}
	}
	return false
}

// assignmentName derives a stable GUID-shaped name for an assignment.
func assignmentName(ra RoleAssignment) string {
	sum := sha256.Sum256([]byte(strings.ToLower(ra.Scope + "|" + ra.PrincipalID + "|" + ra.RoleDefinitionID)))
	b := sum[:16]
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

func (e *Emulator) roleByIDBuiltin(id string) (roleDef, bool) {
	for _, r := range builtinRoles() {
		if strings.EqualFold(r.ID, id) {
			return r, true
		}
	}
	return roleDef{}, false
}
