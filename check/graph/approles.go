package graph

import (
	_ "embed"
	"encoding/json"
	"strings"
	"sync"
)

// appRolesJSON maps Microsoft Graph application permissions to their
// appRole ids, from the "Identifier" rows of the Microsoft Graph
// permissions reference (https://learn.microsoft.com/graph/permissions-reference;
// microsoftgraph/microsoft-graph-docs concepts/permissions-reference.md,
// git_commit_id b419dfee2681ca60f9badf5f0e008b101e985b4f, ms.date
// 2026-05-18, read 2026-12-01).
//
//go:embed graph_app_roles.json
var appRolesJSON []byte

// AppID is Microsoft Graph's application id, the same in every tenant: the
// --api of az ad app permission add.
const AppID = "00000003-0000-0000-c000-000000000000"

var loadAppRoles = sync.OnceValue(func() map[string]string {
	var d struct {
		Application map[string]string `json:"application"`
	}
	if err := json.Unmarshal(appRolesJSON, &d); err != nil {
		panic("graph: graph_app_roles.json: " + err.Error()) // embedded: a test reads it
	}
	return d.Application
})

// AppRoleID is the appRole id of the application permission called name
// ("Group.Read.All"), or "" when the table does not hold it.
func AppRoleID(name string) string {
	for k, id := range loadAppRoles() {
		if strings.EqualFold(k, name) {
			return id
		}
	}
	return ""
}

// Suggest is the permission set to grant for the need: the
// documentation's first option (it lists the least privileged first).
func (n Need) Suggest() []string {
	for _, set := range n.entry.AnyOf {
		if len(set) > 0 {
			return set
		}
	}
	return nil
}

// AppRoleName is the application permission whose appRole id is id, or ""
// (the emulator's Graph resolves what `az ad app permission add` names).
func AppRoleName(id string) string {
	for k, v := range loadAppRoles() {
		if strings.EqualFold(v, id) {
			return k
		}
	}
	return ""
}
