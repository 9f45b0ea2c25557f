package check_test

import (
	"strings"
	"testing"
	"time"

	"github.com/oidc-doctor/oidc-doctor/check/diag"
	"github.com/oidc-doctor/oidc-doctor/check/emulator"
	"github.com/oidc-doctor/oidc-doctor/check/fixes"
)

// TestAliasOtherTenant: the block's own exchange in its tenant, its Graph
// token, and the RBAC step on its subscription, each named by its alias.
func TestAliasOtherTenant(t *testing.T) {
	rep, e := runScenario(t, lookup(t, "alias-other-tenant"), 20*time.Second)
	if rep.Status() != diag.StatusPass {
		t.Fatalf("%s\n%s", rep.Status(), dump(rep))
	}
	for _, id := range []string{"entra-exchange@other", "graph-token@other", "arm-subscription@other", "rbac-permissions@other", "rbac-role-assignments@other", "rbac-providers@other"} {
		r := rep.Find(id)
		if r == nil || r.Step != "aliases" || len(r.Facts) == 0 || r.Facts[0] != diag.F("provider", `provider "azurerm" (alias "other")`) || !strings.Contains(r.Title, `(alias "other")`) {
			t.Errorf("%s: %+v", id, r)
		}
	}
	if r := rep.Find("entra-exchange@other"); !strings.Contains(r.Summary, emulator.OtherSPObjectID) {
		t.Errorf("signed in as the other tenant's service principal: %s", r.Summary)
	}
	// The block's token request goes to its tenant, beside the main one.
	tenants := map[string]int{}
	for _, r := range e.Requests() {
		if r.Method == "POST" && !r.Internal {
			tenants[strings.Split(strings.TrimPrefix(r.Path, "/"), "/")[0]]++
		}
	}
	if tenants[emulator.TenantID] != 2 || tenants[emulator.OtherTenantID] != 2 {
		t.Errorf("token requests per tenant: %v (want ARM and Graph in each)", tenants)
	}
}

// TestAliasSharedIdentity: a block with only its own subscription_id
// reuses the main exchange (no more token requests) for the RBAC step on
// its subscription.
func TestAliasSharedIdentity(t *testing.T) {
	sc := lookup(t, "ok")
	sc.ARM.Subscriptions = append(sc.ARM.Subscriptions, emulator.Subscription{ID: emulator.StateSubscriptionID, TenantID: emulator.TenantID,
		DisplayName: "Shared Services", State: "Enabled", Providers: sc.ARM.Subscriptions[0].Providers})
	sc.Terraform = map[string]string{"providers.tf": "provider \"azurerm\" {\n  features {}\n}\n\nprovider \"azurerm\" {\n  alias           = \"shared\"\n  features {}\n  subscription_id = \"" + emulator.StateSubscriptionID + "\"\n}\n"}
	rep, e := runScenario(t, sc, 20*time.Second)
	r := rep.Find("arm-subscription@shared")
	if r == nil || r.Status != diag.StatusFail || r.ErrorCode != "AuthorizationFailed" || !strings.Contains(r.Summary, emulator.StateSubscriptionID) {
		t.Fatalf("no role on the shared subscription: %+v\n%s", r, dump(rep))
	}
	if rep.Find("entra-exchange@shared") != nil {
		t.Error("an exchange of its own for the same identity")
	}
	posts := 0
	for _, r := range e.Requests() {
		if r.Method == "POST" && !r.Internal {
			posts++
		}
	}
	if posts != 2 {
		t.Errorf("%d token requests, want 2 (the main ARM and Graph tokens)", posts)
	}
	e.AddRoleAssignment(emulator.RoleAssignment{Scope: "/subscriptions/" + emulator.StateSubscriptionID, PrincipalID: emulator.SPObjectID, RoleDefinitionID: emulator.RoleContributor})
	if again := runOn(t, e, 20*time.Second); again.Status() != diag.StatusPass {
		t.Errorf("after the role assignment: %s\n%s", again.Status(), dump(again))
	}
}

// TestAuxiliaryTenants: auxiliary_tenant_ids gets one exchange per tenant,
// named by the block and the tenant.
func TestAuxiliaryTenants(t *testing.T) {
	sc := lookup(t, "alias-other-tenant")
	sc.Terraform = map[string]string{"providers.tf": "provider \"azurerm\" {\n  features {}\n  auxiliary_tenant_ids = [\"" + emulator.OtherTenantID + "\"]\n}\n"}
	rep, _ := runScenario(t, sc, 20*time.Second)
	id := "entra-exchange@default/" + emulator.OtherTenantID
	if r := rep.Find(id); r == nil || r.Status != diag.StatusPass || !hasFact(*r, "auxiliary tenant") {
		t.Fatalf("%s: %+v\n%s", id, r, dump(rep))
	}
	if rep.Find("arm-subscription@default") != nil {
		t.Error("the default block's subscription is ARM_SUBSCRIPTION_ID: read twice")
	}
	sc = lookup(t, "ok")
	sc.Terraform = map[string]string{"providers.tf": "provider \"azurerm\" {\n  features {}\n  auxiliary_tenant_ids = [\"" + emulator.OtherTenantID + "\"]\n}\n"}
	rep, _ = runScenario(t, sc, 20*time.Second)
	r := rep.Find(id)
	if r == nil || r.Status != diag.StatusFail || r.ErrorCode != "AADSTS700016" || exitOf(rep) != 3 {
		t.Fatalf("no service principal in the auxiliary tenant: %+v", r)
	}
	// The block reads ARM_CLIENT_ID (it sets no client_id) and lists the
	// tenant in auxiliary_tenant_ids: the follow-ups edit those.
	if len(r.Fixes) != 3 || r.Fixes[1].Text != "ARM_CLIENT_ID="+fixes.PrintedClientID+"\n" ||
		!strings.Contains(r.Fixes[2].Text, "  auxiliary_tenant_ids = [\""+fixes.PrintedTenantID+"\"]\n") ||
		!strings.Contains(r.Fixes[2].Title, `set auxiliary_tenant_ids in provider "azurerm" (providers.tf:3)`) {
		t.Errorf("the follow-ups: %+v", r.Fixes)
	}
}

// TestAliasExpression: a block whose ids are expressions is said to be
// unjudged, and its checks use the environment's values.
func TestAliasExpression(t *testing.T) {
	sc := lookup(t, "ok")
	sc.Terraform = map[string]string{"providers.tf": "provider \"azurerm\" {\n  features {}\n}\n\nprovider \"azurerm\" {\n  alias           = \"x\"\n  features {}\n  subscription_id = var.sub\n}\n"}
	rep, _ := runScenario(t, sc, 20*time.Second)
	if r := rep.Find("azure-settings@x"); r == nil || r.Status != diag.StatusWarn || !strings.Contains(r.Summary, "subscription_id set by an expression") {
		t.Errorf("azure-settings@x: %+v\n%s", r, dump(rep))
	}
	if rep.Status() == diag.StatusFail {
		t.Errorf("an expression fails the run:\n%s", dump(rep))
	}
}

// TestAliasReadsStackEnvironment: a block that signs in itself is judged
// with the stack's environment, as azurerm reads it for every block: with
// ARM_RESOURCE_PROVIDER_REGISTRATIONS=none, a role that may not register
// and a namespace azurerm would register NotRegistered in the block's
// subscription, its providers check passes as the main one does.
func TestAliasReadsStackEnvironment(t *testing.T) {
	sc := lookup(t, "alias-other-tenant")
	sc.Env["ARM_RESOURCE_PROVIDER_REGISTRATIONS"] = "none"
	const noRegister = "0b3c5d7e-1f2a-4b6c-8d9e-0a1b2c3d4e5f"
	sc.ARM.CustomRoles = append(sc.ARM.CustomRoles, emulator.RoleDefinition{ID: noRegister, Name: "Deployer (no provider registration)",
		Actions: []string{"*"}, NotActions: []string{"*/register/action", "Microsoft.Authorization/*/Write", "Microsoft.Authorization/*/Delete"}})
	other := "/subscriptions/" + emulator.OtherSubscriptionID
	for i, a := range sc.ARM.RoleAssignments {
		if a.Scope == other {
			sc.ARM.RoleAssignments[i].RoleDefinitionID = noRegister
		}
	}
	for i := range sc.ARM.Subscriptions {
		if sc.ARM.Subscriptions[i].ID == emulator.OtherSubscriptionID {
			sc.ARM.Subscriptions[i].Providers["Microsoft.ContainerService"] = "NotRegistered"
		}
	}
	rep, _ := runScenario(t, sc, 20*time.Second)
	for _, id := range []string{"rbac-providers", "rbac-providers@other"} {
		r := rep.Find(id)
		if r == nil || r.Status != diag.StatusPass || !strings.Contains(r.Summary, "=none") {
			t.Errorf("%s: %+v", id, r)
		}
	}
	if exitOf(rep) != 0 {
		t.Errorf("exit %d:\n%s", exitOf(rep), dump(rep))
	}
}

// TestAliasSubscriptionNamesTheBlock: a block whose subscription_id names
// no subscription is told to fix that setting, not ARM_SUBSCRIPTION_ID.
func TestAliasSubscriptionNamesTheBlock(t *testing.T) {
	sc := lookup(t, "ok")
	sc.Terraform = map[string]string{"providers.tf": "provider \"azurerm\" {\n  features {}\n}\n\nprovider \"azurerm\" {\n  alias           = \"x\"\n  features {}\n  subscription_id = \"9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d\"\n}\n"}
	rep, _ := runScenario(t, sc, 20*time.Second)
	r := rep.Find("arm-subscription@x")
	if r == nil || r.Status != diag.StatusFail || !strings.Contains(r.Summary, `subscription_id in provider "azurerm" (alias "x") is probably wrong`) ||
		strings.Contains(r.Summary+r.Hint, "ARM_SUBSCRIPTION_ID") {
		t.Errorf("arm-subscription@x: %+v\n%s", r, dump(rep))
	}
}
