package emulator

// The storage account in Azure Resource Manager: the account's properties
// (https://learn.microsoft.com/rest/api/storagerp/storage-accounts/get-properties)
// and the caller's effective permissions at the account or a container
// (https://learn.microsoft.com/rest/api/authorization/permissions/list-for-resource),
// data actions included. listKeys is routed only to refuse it: the doctor
// must never ask for a secret, and the tests assert it never does.

import (
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"sync"
)

var storageRE = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`(?i)^/resourcegroups/([^/]+)/providers/microsoft\.storage/storageaccounts/([^/]+)` +
		`(/blobservices/default/containers/([^/]+))?(/providers/microsoft\.authorization/permissions|/listkeys)?$`)
})

// storageARMRoute maps the storage paths below a subscription to handlers.
func (e *Emulator) storageARMRoute(host, subID, rest string) (string, handlerFunc, bool) {
	m := storageRE().FindStringSubmatch(rest)
	if m == nil {
		return "", nil, false
	}
	rg, name, container, tail := m[1], m[2], m[4], strings.ToLower(m[5])
	switch {
	case tail == "/listkeys" && container == "":
		return "arm-storage-listkeys", func(r *http.Request) response {
			return armError(http.StatusMethodNotAllowed, "MethodNotAllowed", "The emulator never returns storage account keys.")
		}, true
	case tail == "/providers/microsoft.authorization/permissions":
		return "arm-storage-permissions", e.armCall(host, subID, func(r *http.Request, c caller, sub *Subscription) response {
			return e.resourcePermissions(r, c, sub, rg, name, container)
		}), true
	case tail == "" && container == "":
		return "arm-storage-account", e.armCall(host, subID, func(r *http.Request, c caller, sub *Subscription) response {
			return e.getStorageAccount(c, sub, rg, name)
		}), true
	}
	return "", nil, false
}

// findAccount returns the account with this name in the subscription and
// resource group, and whether the resource group exists at all (it does
// when some account or the rbac-rg-only preset's group names it).
func (e *Emulator) findAccount(subID, rg, name string) (a StorageAccount, found, rgExists bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	rgExists = strings.EqualFold(rg, ResourceGroup)
	for _, acc := range e.scn.Storage.Accounts {
		if !strings.EqualFold(acc.SubscriptionID, subID) || !strings.EqualFold(acc.ResourceGroup, rg) {
			continue
		}
		rgExists = true
		if strings.EqualFold(acc.Name, name) {
			return acc, true, true
		}
	}
	return StorageAccount{}, false, rgExists
}

// getStorageAccount answers the account's GET: authorisation first (ARM
// checks the caller's read at the scope before it looks the resource up),
// then the resource group, then the account.
func (e *Emulator) getStorageAccount(c caller, sub *Subscription, rg, name string) response {
	scope := "/subscriptions/" + sub.ID + "/resourceGroups/" + rg + "/providers/Microsoft.Storage/storageAccounts/" + name
	const action = "Microsoft.Storage/storageAccounts/read"
	if !e.allowed(c.oid, action, scope, sub.TenantID) {
		return authorizationFailed(c, action, scope)
	}
	a, found, rgExists := e.findAccount(sub.ID, rg, name)
	switch {
	case !rgExists:
		return armError(http.StatusNotFound, "ResourceGroupNotFound", fmt.Sprintf("Resource group '%s' could not be found.", rg))
	case !found:
		return armError(http.StatusNotFound, "ResourceNotFound", fmt.Sprintf("The Resource 'Microsoft.Storage/storageAccounts/%s' under resource group '%s' was not found. For more details please go to https://aka.ms/ARMResourceNotFoundFix", name, rg))
	}
	return jsonResponse(http.StatusOK, storageAccountJSON(a))
}

// storageAccountJSON is the account as ARM (api-version 2024-01-01) shows it.
// allowSharedKeyAccess is absent unless it was set, as on real accounts
// created without it: absent means allowed.
func storageAccountJSON(a StorageAccount) map[string]any {
	props := map[string]any{
		"provisioningState":        "Succeeded",
		"primaryLocation":          "westeurope",
		"statusOfPrimary":          "available",
		"creationTime":             "2025-01-15T09:30:00.0000000Z",
		"supportsHttpsTrafficOnly": true,
		"minimumTlsVersion":        "TLS1_2",
		"allowBlobPublicAccess":    false,
		"publicNetworkAccess":      "Enabled",
		"networkAcls":              map[string]any{"bypass": "AzureServices", "virtualNetworkRules": []any{}, "ipRules": []any{}, "defaultAction": "Allow"},
		"primaryEndpoints": map[string]any{
			"blob": "https://" + a.Name + ".blob.core.windows.net/", "queue": "https://" + a.Name + ".queue.core.windows.net/",
			"table": "https://" + a.Name + ".table.core.windows.net/", "file": "https://" + a.Name + ".file.core.windows.net/",
			"dfs": "https://" + a.Name + ".dfs.core.windows.net/", "web": "https://" + a.Name + ".z6.web.core.windows.net/",
		},
	}
	if a.SharedKeyDisabled {
		props["allowSharedKeyAccess"] = false
	}
	if a.Firewall {
		props["networkAcls"] = map[string]any{"bypass": "AzureServices", "virtualNetworkRules": []any{}, "ipRules": []any{map[string]any{"value": "198.51.100.0/24", "action": "Allow"}}, "defaultAction": "Deny"}
	}
	if a.PrivateEndpoint {
		props["publicNetworkAccess"] = "Disabled"
		props["networkAcls"] = map[string]any{"bypass": "AzureServices", "virtualNetworkRules": []any{}, "ipRules": []any{}, "defaultAction": "Deny"}
	}
	return map[string]any{
		"sku":        map[string]any{"name": "Standard_LRS", "tier": "Standard"},
		"kind":       "StorageV2",
		"id":         accountScope(a),
		"name":       a.Name,
		"type":       "Microsoft.Storage/storageAccounts",
		"location":   "westeurope",
		"tags":       map[string]any{},
		"properties": props,
	}
}

// resourcePermissions lists the caller's effective permissions at the
// account or one of its containers: every role assigned at or above it.
// UNCONFIRMED: whether ARM requires a role to list one's own permissions
// (the documentation names none); the emulator requires none and does not
// check that the resource exists.
func (e *Emulator) resourcePermissions(r *http.Request, c caller, sub *Subscription, rg, name, container string) response {
	target := "/subscriptions/" + sub.ID + "/resourceGroups/" + rg + "/providers/Microsoft.Storage/storageAccounts/" + name
	if container != "" {
		target += "/blobServices/default/containers/" + container
	}
	return e.page(r, r.Host, e.permissionsAt(c, target, sub.TenantID))
}
