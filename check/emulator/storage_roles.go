package emulator

// The built-in storage roles, with their real GUIDs and permissions
// (https://learn.microsoft.com/azure/role-based-access-control/built-in-roles/storage).
// Owner, Contributor and Reader carry no data actions: they manage an
// account but grant no access to its blobs through Entra ID.

import "strings"

// Built-in storage role GUIDs.
const (
	RoleStorageBlobDataOwner       = "b7e6dc6d-f1e8-4753-8033-0f276bb0955b"
	RoleStorageBlobDataContributor = "ba92f5b4-2d11-453d-a403-e96b0029c9fe"
	RoleStorageBlobDataReader      = "2a2b9908-6ea1-4ae2-8e65-a410df84e7d1"
	RoleStorageAccountContributor  = "17d1049b-9a84-46fb-8f53-869881c3d3ab"
)

const blobsPrefix = "Microsoft.Storage/storageAccounts/blobServices/"

var storageRoles = []roleDef{
	{ID: RoleStorageBlobDataOwner, Name: "Storage Blob Data Owner", Type: "BuiltInRole",
		Description: "Allows for full access to Azure Storage blob containers and data, including assigning POSIX access control.",
		Actions:     []string{blobsPrefix + "containers/*", blobsPrefix + "generateUserDelegationKey/action"},
		DataActions: []string{blobsPrefix + "containers/blobs/*"}},
	{ID: RoleStorageBlobDataContributor, Name: "Storage Blob Data Contributor", Type: "BuiltInRole",
		Description: "Allows for read, write and delete access to Azure Storage blob containers and data",
		Actions:     []string{blobsPrefix + "containers/delete", blobsPrefix + "containers/read", blobsPrefix + "containers/write", blobsPrefix + "generateUserDelegationKey/action"},
		DataActions: []string{blobsPrefix + "containers/blobs/delete", blobsPrefix + "containers/blobs/read", blobsPrefix + "containers/blobs/write",
			blobsPrefix + "containers/blobs/move/action", blobsPrefix + "containers/blobs/add/action"}},
	{ID: RoleStorageBlobDataReader, Name: "Storage Blob Data Reader", Type: "BuiltInRole",
		Description: "Allows for read access to Azure Storage blob containers and data",
		Actions:     []string{blobsPrefix + "containers/read", blobsPrefix + "generateUserDelegationKey/action"},
		DataActions: []string{blobsPrefix + "containers/blobs/read"}},
	{ID: RoleStorageAccountContributor, Name: "Storage Account Contributor", Type: "BuiltInRole",
		Description: "Lets you manage storage accounts, including accessing storage account keys which provide full access to storage account data.",
		Actions: []string{"Microsoft.Authorization/*/read", "Microsoft.Insights/alertRules/*", "Microsoft.Insights/diagnosticSettings/*",
			"Microsoft.Network/virtualNetworks/subnets/joinViaServiceEndpoint/action", "Microsoft.ResourceHealth/availabilityStatuses/read",
			"Microsoft.Resources/deployments/*", "Microsoft.Resources/subscriptions/resourceGroups/read", "Microsoft.Storage/storageAccounts/*", "Microsoft.Support/*"}},
}

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

func storageRoleByID(id string) (roleDef, bool) {
	for _, r := range storageRoles {
		if strings.EqualFold(r.ID, id) {
			return r, true
		}
	}
	return roleDef{}, false
}
