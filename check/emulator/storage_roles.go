package emulator

// Data actions: what a role grants on blob data through Entra ID. The
// storage roles' definitions come with the other built-in roles from
// package roles (https://learn.microsoft.com/azure/role-based-access-control/built-in-roles/storage);
// Owner, Contributor and Reader carry no data actions: they manage an
// account but grant no access to its blobs.

// Built-in storage role GUIDs (the real, global values).
const (
	RoleStorageBlobDataOwner       = "b7e6dc6d-f1e8-4753-8033-0f276bb0955b"
	RoleStorageBlobDataContributor = "ba92f5b4-2d11-453d-a403-e96b0029c9fe"
	RoleStorageBlobDataReader      = "2a2b9908-6ea1-4ae2-8e65-a410df84e7d1"
	RoleStorageAccountContributor  = "17d1049b-9a84-46fb-8f53-869881c3d3ab"
)

// allowsData reports whether the role grants a data action.
func (r roleDef) allowsData(action string) bool {
	ok := false
	for _, a := range r.DataActions {
		ok = ok || actionMatches(a, action)
	}
	for _, n := range r.NotDataActions {
		ok = ok && !actionMatches(n, action)
	}
	return ok
}

// allowedData evaluates the principal's data actions at target, as Azure
// RBAC does for a request signed with an Entra token.
func (e *Emulator) allowedData(principal, action, target, subTenant string) bool {
	for _, ra := range e.assignmentsFor(principal, target, subTenant) {
		if r, ok := e.roleByID(ra.RoleDefinitionID); ok && r.allowsData(action) {
			return true
		}
	}
	return false
}
