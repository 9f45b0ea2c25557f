// Package roles holds the Azure built-in role definitions most Terraform
// stacks use, as public data with a dated source, and answers two questions
// about them: does a set of permissions allow an action (ARM's matching
// rules), and which role, at which scope, is the least privilege that
// repairs a denied action. The RBAC step reads role names and permissions
// from here instead of fetching them (one ARM round fewer); explain and the
// emulator use the same data.
//
// It imports only diag and fixes, and no step.
package roles

import (
	_ "embed"
	"encoding/json"
	"path"
	"strings"
	"sync"
)

// builtinJSON is copied from the JSON blocks of Microsoft's generated
// built-in-roles reference
// (https://learn.microsoft.com/azure/role-based-access-control/built-in-roles/privileged,
// /general and /storage; MicrosoftDocs/azure-docs
// articles/role-based-access-control/built-in-roles/*.md). Each role keeps
// the page, commit, ms.date and the day it was read.
//
//go:embed builtin.json
var builtinJSON []byte

// Source says where the embedded definitions come from, for facts.
const Source = "Microsoft's built-in roles reference (learn.microsoft.com/azure/role-based-access-control/built-in-roles, pages dated 02/23/2026 and 07/01/2026, read 2026-12-01)"

// Definition is one built-in role.
type Definition struct {
	// ID is the role's GUID, the same in every tenant and cloud.
	ID string
	// Name is its roleName ("Contributor").
	Name string
	// Description is Microsoft's one-line description.
	Description string
	// Permissions are its permissions, exactly as published.
	Permissions []Permission
	// Page is the reference page the definition was copied from.
	Page string

	// rank orders roles from the narrowest (0) to the broadest, for least
	// privilege; namespace, when set, limits the role to suggestions for
	// actions of that resource provider.
	rank      int
	namespace string
}

// Allows reports whether the role allows the control-plane action.
func (d Definition) Allows(action string) bool { return Allowed(d.Permissions, action) }

// Role GUIDs of the embedded definitions.
const (
	Owner                      = "8e3af657-a8ff-443c-a75c-2fe8c4bcb635"
	Contributor                = "b24988ac-6180-42a0-ab88-20f7382dd24c"
	Reader                     = "acdd72a7-3385-48ef-bd42-f606fba81ae7"
	UserAccessAdministrator    = "18d7d88d-d35e-4fb5-a5c3-7773c20a72d9"
	RBACAdministrator          = "f58310d9-a9f6-439a-9e8d-f62e7b41a168"
	StorageBlobDataOwner       = "b7e6dc6d-f1e8-4753-8033-0f276bb0955b"
	StorageBlobDataContributor = "ba92f5b4-2d11-453d-a403-e96b0029c9fe"
	StorageBlobDataReader      = "2a2b9908-6ea1-4ae2-8e65-a410df84e7d1"
	StorageAccountContributor  = "17d1049b-9a84-46fb-8f53-869881c3d3ab"
)

// breadth is the least-privilege order, narrowest first. It is a judgement
// over the published permissions: each role here allows nothing that a
// later role of the same family does not, except where the namespace
// limits it (the storage roles are suggested only for Microsoft.Storage
// actions, so Storage Account Contributor, which also allows
// Microsoft.Resources/deployments/*, is never offered for a deployment).
var breadth = []struct{ id, namespace string }{
	{StorageBlobDataReader, "microsoft.storage"},
	{StorageBlobDataContributor, "microsoft.storage"},
	{StorageBlobDataOwner, "microsoft.storage"},
	{Reader, ""},
	{StorageAccountContributor, "microsoft.storage"},
	{RBACAdministrator, ""},
	{UserAccessAdministrator, ""},
	{Contributor, ""},
	{Owner, ""},
}

type embedded struct {
	Roles []struct {
		RoleName    string       `json:"roleName"`
		Name        string       `json:"name"`
		Description string       `json:"description"`
		Permissions []Permission `json:"permissions"`
		Source      struct {
			URL string `json:"url"`
		} `json:"source"`
	} `json:"roles"`
}

// all decodes the embedded definitions once, in breadth order. The data is
// part of the binary and a test decodes it, so a failure here is a build
// mistake: it panics.
var all = sync.OnceValue(func() []Definition {
	var e embedded
	if err := json.Unmarshal(builtinJSON, &e); err != nil {
		panic("roles: the embedded built-in roles do not decode: " + err.Error())
	}
	byID := map[string]Definition{}
	for _, r := range e.Roles {
		byID[strings.ToLower(r.Name)] = Definition{ID: r.Name, Name: r.RoleName, Description: r.Description,
			Permissions: r.Permissions, Page: r.Source.URL}
	}
	out := make([]Definition, 0, len(breadth))
	for i, b := range breadth {
		d, ok := byID[b.id]
		if !ok {
			panic("roles: the embedded built-in roles lack " + b.id)
		}
		d.rank, d.namespace = i, b.namespace
		out = append(out, d)
	}
	return out
})

// Builtin returns the embedded built-in roles, narrowest first.
func Builtin() []Definition { return append([]Definition(nil), all()...) }

// ByID finds a built-in role by its GUID or by a role definition id that
// ends in it (/subscriptions/{s}/providers/Microsoft.Authorization/roleDefinitions/{guid}
// from a subscription-scope assignment, /providers/... from a management
// group one), in any case.
func ByID(id string) (Definition, bool) {
	g := strings.ToLower(path.Base(strings.TrimRight(id, "/")))
	for _, d := range all() {
		if d.ID == g {
			return d, true
		}
	}
	return Definition{}, false
}

// ByName finds a built-in role by its roleName, ignoring case.
func ByName(name string) (Definition, bool) {
	for _, d := range all() {
		if strings.EqualFold(d.Name, strings.TrimSpace(name)) {
			return d, true
		}
	}
	return Definition{}, false
}
