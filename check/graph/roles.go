package graph

import (
	_ "embed"
	"encoding/json"
	"strings"
	"sync"
)

// directoryRolesJSON is the "All roles" table of Microsoft Entra built-in
// roles (https://learn.microsoft.com/entra/identity/role-based-access-control/permissions-reference;
// MicrosoftDocs/entra-docs docs/identity/role-based-access-control/permissions-reference.md
// at 00fe95d60143bbf5f832cdd8bb74765b182c2d8f, ms.date 01/20/2026, read
// 2026-12-01): role template id to name, which is what a token's wids claim
// carries. not_roles are the two ids tokens carry that are no role.
//
//go:embed directory_roles.json
var directoryRolesJSON []byte

// RolesSource says where the directory role names come from, for facts.
const RolesSource = "Microsoft Entra built-in roles (learn.microsoft.com/entra/identity/role-based-access-control/permissions-reference, ms.date 01/20/2026, read 2026-12-01)"

type directoryRoles struct {
	Roles    map[string]string `json:"roles"`
	NotRoles map[string]string `json:"not_roles"`
}

var loadRoles = sync.OnceValue(func() directoryRoles {
	var d directoryRoles
	if err := json.Unmarshal(directoryRolesJSON, &d); err != nil {
		panic("graph: directory_roles.json: " + err.Error()) // embedded: a test reads it
	}
	return d
})

// Wids is what a token's wids claim says.
type Wids struct {
	// Roles are the built-in directory roles named, in claim order.
	Roles []string
	// NotRoles are ids tokens carry that are no role (app-only tokens'
	// 0997a1d0-…): ignored when judging what the identity may do.
	NotRoles []string
	// Unknown are ids the table does not hold (a role newer than it, or a
	// custom role's template).
	Unknown []string
}

// ReadWids names the directory roles of a wids claim.
func ReadWids(wids []string) Wids {
	d := loadRoles()
	var w Wids
	for _, id := range wids {
		id = strings.ToLower(id)
		switch name, ok := d.Roles[id]; {
		case ok:
			w.Roles = append(w.Roles, name)
		case d.NotRoles[id] != "":
			w.NotRoles = append(w.NotRoles, id)
		default:
			w.Unknown = append(w.Unknown, id)
		}
	}
	return w
}

// RoleID is the template id of the built-in directory role called name,
// or "" (the emulator and tests use it).
func RoleID(name string) string {
	for id, n := range loadRoles().Roles {
		if strings.EqualFold(n, name) {
			return id
		}
	}
	return ""
}

// AppOnlyWid is the id app-only tokens carry in wids although it is no
// role (seen in recorded app-only Graph tokens; UNCONFIRMED by Microsoft's
// documentation).
const AppOnlyWid = "0997a1d0-0d1d-4acb-b408-d5ca73121e90"
