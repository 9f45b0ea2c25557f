package emulator

// The administrator's Graph permission changes: `az ad app permission add`
// adds application permissions to the app registration's
// requiredResourceAccess, and `az ad app permission admin-consent` grants
// them; only granted permissions appear in the roles claim of new tokens
// (https://learn.microsoft.com/cli/azure/ad/app/permission).

import (
	"crypto/sha256"
	"fmt"
	"strings"

	"github.com/oidc-doctor/oidc-doctor/check/graph"
)

// AddGraphPermissions adds Microsoft Graph application permissions, given
// as "<appRole id>=Role", to the app of tenant tenantID named by its client
// id or object id. Graph refuses an app role it does not have.
func (e *Emulator) AddGraphPermissions(tenantID, id, api string, perms []string) error {
	if !strings.EqualFold(api, graph.AppID) {
		return fmt.Errorf("fake Graph: only Microsoft Graph (%s) permissions are modelled, not %q", graph.AppID, api)
	}
	var names []string
	for _, p := range perms {
		roleID, kind, ok := strings.Cut(p, "=")
		name := graph.AppRoleName(roleID)
		if !ok || kind != "Role" || name == "" {
			return fmt.Errorf("the permission %q is not an application permission of Microsoft Graph", p)
		}
		names = append(names, name)
	}
	return e.withApp(tenantID, id, func(a *App) {
		for _, n := range names {
			if !hasFold(a.RequestedGraphRoles, n) && !hasFold(a.GraphRoles, n) {
				a.RequestedGraphRoles = append(a.RequestedGraphRoles, n)
			}
		}
	})
}

// GrantAdminConsent grants the app's requested Graph permissions.
func (e *Emulator) GrantAdminConsent(tenantID, id string) error {
	return e.withApp(tenantID, id, func(a *App) {
		a.GraphRoles = append(a.GraphRoles, a.RequestedGraphRoles...)
		a.RequestedGraphRoles = nil
	})
}

// withApp changes the live app of tenantID named by client or object id.
func (e *Emulator) withApp(tenantID, id string, change func(*App)) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	t := e.tenantLocked(tenantID)
	if t == nil {
		return notFound(id)
	}
	for i := range t.Apps {
		if a := &t.Apps[i]; strings.EqualFold(a.ClientID, id) || strings.EqualFold(a.AppObjectID, id) {
			change(a)
			return nil
		}
	}
	return notFound(id)
}

func hasFold(xs []string, s string) bool {
	for _, x := range xs {
		if strings.EqualFold(x, s) {
			return true
		}
	}
	return false
}

// provisionLocked creates, in tenant t, the service principal of a
// multi-tenant app registered in another tenant, named by its client id,
// as `az ad sp create --id <client-id>` does there. Its federated
// credentials are the home app's; the emulator keeps them on the copy.
// Graph refuses it for an app that accepts its own tenant only. e.mu is held.
func (e *Emulator) provisionLocked(t *Tenant, clientID string) error {
	for _, home := range e.scn.Entra.Tenants {
		for _, a := range home.Apps {
			if !strings.EqualFold(a.ClientID, clientID) || home.ID == t.ID {
				continue
			}
			if !a.MultiTenant {
				return fmt.Errorf("the app %s accepts accounts of its own tenant only: it cannot have a service principal in %s", clientID, t.ID)
			}
			sp := cloneTenant(Tenant{Apps: []App{a}}).Apps[0]
			sp.AppObjectID, sp.GraphRoles, sp.DirectoryRoles, sp.RequestedGraphRoles = "", nil, nil, nil
			h := sha256.Sum256([]byte("sp:" + t.ID + ":" + clientID))
			sp.SPObjectID = fmt.Sprintf("%x-%x-%x-%x-%x", h[0:4], h[4:6], h[6:8], h[8:10], h[10:16])
			t.Apps = append(t.Apps, sp)
			return nil
		}
	}
	return notFound(clientID)
}

// ConditionalAccessPolicyName is the display name of the emulated policy.
const ConditionalAccessPolicyName = "Block workload identities outside trusted locations"

// armAppID is Azure Resource Manager's application id, as Conditional
// Access lists the apps a policy excludes.
const armAppID = "797f4846-ba00-4fd7-ba43-dac1f8f63013"

// ConditionalAccessPolicy is the tenant's Conditional Access policy with
// id as Microsoft Graph shows it (GET /v1.0/identity/conditionalAccess/policies/{id},
// shape per https://learn.microsoft.com/graph/api/resources/conditionalaccesspolicy):
// one that blocks the tenant's service principals outside trusted
// locations, for every resource but those it excludes. Graph answers 404
// for an id it does not have.
func (e *Emulator) ConditionalAccessPolicy(tenantID, id string) (map[string]any, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	t := e.tenantLocked(tenantID)
	if t == nil || !t.ConditionalAccessBlock || !strings.EqualFold(id, ConditionalAccessPolicyID) {
		return nil, fmt.Errorf("Not Found({\"error\":{\"code\":\"ResourceNotFound\",\"message\":\"Resource not found for the segment '%s'.\"}})", id)
	}
	exclude := []any{}
	for _, r := range t.ConditionalAccessExcluded {
		if r == ARMResource {
			r = armAppID
		}
		exclude = append(exclude, r)
	}
	return map[string]any{
		"id": ConditionalAccessPolicyID, "displayName": ConditionalAccessPolicyName, "state": "enabled",
		"conditions": map[string]any{
			"clientApplications": map[string]any{"includeServicePrincipals": []any{"ServicePrincipalsInMyTenant"}, "excludeServicePrincipals": []any{}},
			"applications":       map[string]any{"includeApplications": []any{"All"}, "excludeApplications": exclude},
			"locations":          map[string]any{"includeLocations": []any{"All"}, "excludeLocations": []any{"AllTrusted"}},
		},
		"grantControls": map[string]any{"operator": "OR", "builtInControls": []any{"block"}},
	}, nil
}
