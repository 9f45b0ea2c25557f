package emulator

import (
	"maps"
	"net/http"
	"strings"
	"time"
)

// Subjects of the five federated credentials Spacelift's Azure guide
// creates for a stack
// (https://docs.spacelift.io/integrations/cloud-providers/oidc/azure-oidc).
const (
	SubjectTrackedRead   = "space:" + SpaceID + ":stack:" + StackID + ":run_type:TRACKED:scope:read"
	SubjectTrackedWrite  = DefaultSubject
	SubjectProposedRead  = "space:" + SpaceID + ":stack:" + StackID + ":run_type:PROPOSED:scope:read"
	SubjectTaskWrite     = "space:" + SpaceID + ":stack:" + StackID + ":run_type:TASK:scope:write"
	SubjectDestroyWrite  = "space:" + SpaceID + ":stack:" + StackID + ":run_type:DESTROY:scope:write"
	missingTenantID      = "d3b07384-d9a7-4e2b-8f1c-6a5e0c9b7f21"
	missingSubscription  = "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d"
	otherPrincipalID     = "4e5f6a7b-8c9d-4e0f-a1b2-c3d4e5f6a7b8"
	customDeployerRoleID = "6f1d2c3b-4a5e-4f6d-9c8b-7a6e5d4c3b2a"
)

func fic(name, subject string) FIC {
	return FIC{Name: name, Issuer: IssuerURL, Subject: subject, Audiences: []string{Audience}}
}

func baseFICs() []FIC {
	return []FIC{
		fic("spacelift-azure-infra-tracked-read", SubjectTrackedRead),
		fic("spacelift-azure-infra-tracked-write", SubjectTrackedWrite),
		fic("spacelift-azure-infra-proposed-read", SubjectProposedRead),
		fic("spacelift-azure-infra-task-write", SubjectTaskWrite),
		fic("spacelift-azure-infra-destroy-write", SubjectDestroyWrite),
	}
}

// Base returns the working set-up every preset starts from ("ok"): one app
// with a service principal and the five stack credentials, Contributor on
// the subscription, and an environment that matches the token.
func Base() Scenario {
	return Scenario{
		Name:        "ok",
		Description: "everything is configured correctly; the exchange and every ARM probe succeed",
		Entra: Entra{Tenants: []Tenant{
			{ID: TenantID, Domain: TenantDomain, Apps: []App{{
				DisplayName: AppDisplayName, ClientID: ClientID, AppObjectID: AppObjectID, SPObjectID: SPObjectID,
				FICs: baseFICs(),
			}}},
			{ID: OtherTenantID, Domain: OtherDomain},
		}},
		ARM: ARM{
			Subscriptions: []Subscription{
				{ID: SubscriptionID, TenantID: TenantID, DisplayName: "Emulated Production", State: "Enabled", Providers: subscriptionProviders(),
					ResourceGroups: []string{ResourceGroup, "rg-shared"}},
				{ID: OtherSubscriptionID, TenantID: OtherTenantID, DisplayName: "Other Tenant Production", State: "Enabled", Providers: subscriptionProviders(),
					ResourceGroups: []string{ResourceGroup}},
			},
			RoleAssignments: []RoleAssignment{{Scope: "/subscriptions/" + SubscriptionID, PrincipalID: SPObjectID, RoleDefinitionID: RoleContributor}},
		},
		Env: map[string]string{
			"ARM_CLIENT_ID":                   ClientID,
			"ARM_TENANT_ID":                   TenantID,
			"ARM_SUBSCRIPTION_ID":             SubscriptionID,
			"ARM_USE_OIDC":                    "true",
			"ARM_OIDC_TOKEN_FILE_PATH":        "/mnt/workspace/spacelift.oidc",
			"TF_VAR_spacelift_account_name":   AccountName,
			"TF_VAR_spacelift_run_id":         RunID,
			"TF_VAR_spacelift_run_type":       "TRACKED",
			"TF_VAR_spacelift_space_id":       SpaceID,
			"TF_VAR_spacelift_stack_id":       StackID,
			"TF_VAR_spacelift_workspace_root": "/mnt/workspace",
		},
	}
}

// preset builds a named scenario from Base and a change.
func preset(name, desc string, change func(s *Scenario)) Scenario {
	s := Base()
	s.Name, s.Description = name, desc
	if change != nil {
		change(&s)
	}
	return s
}

// app returns the base app of the base tenant, for changes.
func (s *Scenario) app() *App { return &s.Entra.Tenants[0].Apps[0] }

func (s *Scenario) assign(ras ...RoleAssignment) { s.ARM.RoleAssignments = ras }

func (s *Scenario) fault(endpoint string, f Fault) {
	if s.Faults == nil {
		s.Faults = map[string]Fault{}
	}
	s.Faults[endpoint] = f
}

const subScope = "/subscriptions/" + SubscriptionID

func sp(scope, role string) RoleAssignment {
	return RoleAssignment{Scope: scope, PrincipalID: SPObjectID, RoleDefinitionID: role}
}

// Scenarios returns the named presets in a stable order, "ok" first.
func Scenarios() []Scenario {
	return append([]Scenario{
		Base(),
		// Federation matching.
		preset("subject-run-type", "the app only has a credential for PROPOSED runs; the token is from a TRACKED run (AADSTS700213)", func(s *Scenario) {
			s.app().FICs = []FIC{fic("spacelift-azure-infra-proposed-read", SubjectProposedRead)}
		}),
		preset("subject-scope", "the credential is for scope:read; the token carries scope:write (AADSTS700213)", func(s *Scenario) {
			s.app().FICs = []FIC{fic("spacelift-azure-infra-tracked-read", SubjectTrackedRead)}
		}),
		preset("audience-default", "the credentials keep the portal default audience api://AzureADTokenExchange (AADSTS700212)", func(s *Scenario) {
			for i := range s.app().FICs {
				s.app().FICs[i].Audiences = []string{"api://AzureADTokenExchange"}
			}
		}),
		preset("issuer-trailing-slash", "the credentials' issuer ends in a slash the token's iss lacks (AADSTS700211)", func(s *Scenario) {
			for i := range s.app().FICs {
				s.app().FICs[i].Issuer = IssuerURL + "/"
			}
		}),
		preset("subject-case", "the credential's subject differs from the token's sub only in letter case (AADSTS7002138)", func(s *Scenario) {
			s.app().FICs[1].Subject = strings.Replace(SubjectTrackedWrite, "TRACKED", "tracked", 1)
		}),
		preset("object-id-as-client-id", "ARM_CLIENT_ID holds the application's object ID instead of its client ID (AADSTS700016)", func(s *Scenario) {
			s.Env["ARM_CLIENT_ID"] = AppObjectID
		}),
		preset("wrong-tenant", "ARM_TENANT_ID names another existing tenant that has no such app (AADSTS700016)", func(s *Scenario) {
			s.Env["ARM_TENANT_ID"] = OtherTenantID
		}),
		preset("tenant-not-found", "ARM_TENANT_ID is a GUID no tenant has (AADSTS90002 at tenant discovery)", func(s *Scenario) {
			s.Env["ARM_TENANT_ID"] = missingTenantID
		}),
		preset("tenant-malformed", "ARM_TENANT_ID is neither a GUID nor a domain name (AADSTS900023 at tenant discovery)", func(s *Scenario) {
			s.Env["ARM_TENANT_ID"] = "contoso-tenant"
		}),
		preset("expired-token", "the OIDC token expired an hour ago (AADSTS700024)", func(s *Scenario) {
			s.Token.IssuedAgo = 2 * time.Hour
		}),
		preset("disabled-app", "the service principal is disabled for sign-in (AADSTS7000112)", func(s *Scenario) {
			s.app().Disabled = true
		}),
		preset("no-service-principal", "the app registration has no service principal in the tenant (AADSTS7000229)", func(s *Scenario) {
			s.app().NoServicePrincipal = true
		}),
		preset("no-fics", "the app has no federated credentials at all (AADSTS70025)", func(s *Scenario) {
			s.app().FICs = nil
		}),
		preset("conditional-access", "a Conditional Access policy for workload identities blocks the service principal (AADSTS53003)", func(s *Scenario) {
			s.Entra.Tenants[0].ConditionalAccessBlock = true
		}),
		// The issuer.
		preset("issuer-keys-unreachable", "the issuer's JWKS endpoint resets every connection, for Entra too (AADSTS50166)", func(s *Scenario) {
			s.Issuer.KeysUnreachable = true
		}),
		preset("issuer-kid-rotated", "the issuer's JWKS no longer has the key that signed the token (AADSTS7000272)", func(s *Scenario) {
			s.Issuer.RotatedKeys = true
		}),
		preset("issuer-mismatch", "the discovery document's issuer differs from the token's iss (AADSTS50166)", func(s *Scenario) {
			s.Issuer.DiscoveryIssuer = "https://spacelift.internal.example.com"
		}),
		preset("tampered-signature", "the token's signature does not verify with the issuer's key (AADSTS700027)", func(s *Scenario) {
			s.Token.TamperSignature = true
		}),
		preset("issuer-wrong-cert", "the issuer serves a certificate from an untrusted CA (AADSTS50166)", func(s *Scenario) {
			s.Issuer.WrongCertificate = true
		}),
		preset("clock-skew", "the worker's clock is 10 minutes behind: nbf lies in its future, the Date header is ahead, Entra accepts the token", func(s *Scenario) {
			s.ServiceClockAhead = 10 * time.Minute
		}),
		// RBAC and subscriptions.
		preset("rbac-reader-on-write", "the service principal only has Reader, but the run is a TRACKED write run", func(s *Scenario) {
			s.assign(sp(subScope, RoleReader))
		}),
		preset("rbac-none", "the service principal has no role assignment at all (403 AuthorizationFailed)", func(s *Scenario) {
			s.assign()
		}),
		preset("rbac-rg-only", "Contributor is assigned on one resource group only, not on the subscription; ARM denies the subscription GET (403)", func(s *Scenario) {
			s.assign(sp(subScope+"/resourceGroups/"+ResourceGroup, RoleContributor))
		}),
		preset("rbac-mg-inherited", "Contributor is inherited from the parent management group (passes)", func(s *Scenario) {
			s.ARM.ManagementGroup = ManagementGroup
			s.assign(sp("/providers/Microsoft.Management/managementGroups/"+ManagementGroup, RoleContributor))
		}),
		preset("subscription-other-tenant", "ARM_SUBSCRIPTION_ID belongs to another tenant (401 InvalidAuthenticationTokenTenant)", func(s *Scenario) {
			s.Env["ARM_SUBSCRIPTION_ID"] = OtherSubscriptionID
		}),
		preset("subscription-not-found", "ARM_SUBSCRIPTION_ID names no subscription (404 SubscriptionNotFound)", func(s *Scenario) {
			s.Env["ARM_SUBSCRIPTION_ID"] = missingSubscription
		}),
		preset("subscription-disabled", "the subscription is Disabled: reads work, deployments will fail", func(s *Scenario) {
			s.ARM.Subscriptions[0].State = "Disabled"
		}),
		preset("providers-unregistered", "some resource providers are NotRegistered and no role grants register/action", func(s *Scenario) {
			p := s.ARM.Subscriptions[0].Providers
			p["Microsoft.ContainerService"] = "NotRegistered"
			p["Microsoft.OperationalInsights"] = "NotRegistered"
			p["Microsoft.App"] = "Registering"
			s.ARM.CustomRoles = []RoleDefinition{{
				ID: customDeployerRoleID, Name: "Spacelift Deployer",
				Actions:    []string{"Microsoft.Compute/*/write", "Microsoft.Compute/*/delete", "Microsoft.Network/*/write", "Microsoft.Network/*/delete", "Microsoft.Resources/deployments/*"},
				NotActions: []string{"*/register/action"},
			}}
			s.assign(sp(subScope, RoleReader), sp(subScope, customDeployerRoleID))
		}),
		preset("rbac-paged", "list responses come one item per page, linked by nextLink; several assignments", func(s *Scenario) {
			s.ARM.PageSize = 1
			s.ARM.ManagementGroup = ManagementGroup
			s.assign(
				sp("/providers/Microsoft.Management/managementGroups/"+ManagementGroup, RoleReader),
				sp(subScope, RoleContributor),
				RoleAssignment{Scope: subScope, PrincipalID: otherPrincipalID, RoleDefinitionID: RoleOwner},
				sp(subScope+"/resourceGroups/"+ResourceGroup, RoleUserAccessAdministrator),
				sp(subScope+"/resourceGroups/rg-shared", RoleReader),
			)
		}),
		// Transport faults.
		preset("entra-5xx", "the token endpoint answers 500", func(s *Scenario) {
			s.fault("entra-token", Fault{Status: http.StatusInternalServerError})
		}),
		preset("entra-429", "the token endpoint throttles: 429 with Retry-After: 30", func(s *Scenario) {
			s.fault("entra-token", Fault{Status: http.StatusTooManyRequests, RetryAfter: "30"})
		}),
		preset("entra-hang", "the token endpoint never answers", func(s *Scenario) {
			s.fault("entra-token", Fault{Hang: true})
		}),
		preset("arm-hang", "ARM never answers", func(s *Scenario) {
			for _, ep := range Endpoints {
				if strings.HasPrefix(ep, "arm-") {
					s.fault(ep, Fault{Hang: true})
				}
			}
		}),
		preset("entra-html", "the token endpoint answers 200 with an HTML page, as a proxy's login page would", func(s *Scenario) {
			s.fault("entra-token", Fault{ContentType: "text/html; charset=utf-8",
				Body: "<!DOCTYPE html>\n<html><head><title>Sign in to continue</title></head><body><h1>Web access is restricted</h1><p>Please sign in to the corporate proxy.</p></body></html>\n"})
		}),

		// ---- Issue 12: providers as azurerm judges them, scope-aware RBAC,
		// Lighthouse, a throttle that a retry outlives. Every one passes or
		// warns: these are healthy set-ups that must not fail. ----
		preset("providers-third-party-legacy", "third-party namespaces are NotRegistered, azurerm's are Registered; registrations legacy, a role that may not register (passes)", func(s *Scenario) {
			noRegistration(s, "legacy")
		}),
		preset("providers-third-party-core", "third-party namespaces are NotRegistered, azurerm's are Registered; registrations core, a role that may not register (passes)", func(s *Scenario) {
			noRegistration(s, "core")
		}),
		preset("providers-third-party-none", "third-party namespaces are NotRegistered; registrations none, a role that may not register (passes)", func(s *Scenario) {
			noRegistration(s, "none")
		}),
		preset("rbac-rg-only-sub-readable", "Contributor on one resource group only, and ARM lets such an identity read the subscription (200)", func(s *Scenario) {
			s.ARM.SubscriptionVisibleFromBelow = true
			s.assign(sp(subScope+"/resourceGroups/"+ResourceGroup, RoleContributor))
		}),
		preset("lighthouse-delegated", "the subscription lives in a customer tenant and is delegated to the token's tenant through Azure Lighthouse (passes)", func(s *Scenario) {
			sub := &s.ARM.Subscriptions[0]
			sub.TenantID, sub.ManagedByTenants, sub.DisplayName = OtherTenantID, []string{TenantID}, "Customer Production (delegated)"
			ra := sp(subScope, RoleContributor)
			ra.Delegated = true
			s.assign(ra)
		}),
		preset("entra-429-once", "the token endpoint throttles once (429, Retry-After: 1), then answers (passes)", func(s *Scenario) {
			s.fault("entra-token", Fault{Status: http.StatusTooManyRequests, RetryAfter: "1", Times: 1})
		}),

		// ---- Issue 13: real shapes from recorded answers: the older 70021, a
		// JWKS Entra cannot parse, a token without app_displayname, a
		// LinkedAuthorizationFailed as ARM words it. ----
		preset("fic-legacy-70021", "the tenant answers a subject mismatch with the older AADSTS70021, which quotes issuer, subject and audience", func(s *Scenario) {
			s.Entra.Tenants[0].LegacyFICErrors = true
			s.app().FICs = []FIC{fic("spacelift-azure-infra-proposed-read", SubjectProposedRead)}
		}),
		preset("issuer-jwks-malformed", "the issuer's JWKS has a key without its modulus, which Entra cannot parse (AADSTS900612)", func(s *Scenario) {
			s.Issuer.MalformedJWKS = true
		}),
		preset("no-display-name", "the access token carries no app_displayname: the principal is named by its app id (passes)", func(s *Scenario) {
			s.app().DisplayName = ""
		}),
		preset("rbac-linked-denied", "reading the subscription is refused with LinkedAuthorizationFailed for a subnet in another resource group (403)", func(s *Scenario) {
			s.fault("arm-subscription", Fault{Status: http.StatusForbidden, ContentType: "application/json; charset=utf-8",
				Body: LinkedAuthorizationFailedBody(ClientID, SPObjectID, "Microsoft.Network/networkInterfaces/write",
					subScope+"/resourceGroups/"+ResourceGroup+"/providers/Microsoft.Network/networkInterfaces/nic-1",
					"Microsoft.Network/virtualNetworks/subnets/join/action",
					subScope+"/resourceGroups/rg-network/providers/Microsoft.Network/virtualNetworks/vnet-hub/subnets/default")})
		}),

		// ---- Issue 16: the Terraform configuration and the state backend:
		// the presets of backendScenarios (scenarios_backend.go). ----
	}, append(backendScenarios(),
		// ---- Issue 17: the Graph token azurerm asks for first, azuread's
		// permissions, the app's credentials read through Graph, an alias in
		// another tenant, a subject holding the run id: the presets of
		// graphScenarios (scenarios_graph.go). ----
		graphScenarios()...)...)
}

// LinkedAuthorizationFailedBody is ARM's answer when the identity may act
// on a resource but not on one it links to, in the wording real answers
// use (singular "action", a space before the linked scope; recorded in
// Azure/aad-pod-identity#443 and microsoft/planetary-computer-hub#25).
func LinkedAuthorizationFailedBody(client, objectID, action, scope, linkedAction, linkedScope string) string {
	msg := "The client '" + client + "' with object id '" + objectID + "' has permission to perform action '" + action + "' on scope '" + scope +
		"'; however, it does not have permission to perform action '" + linkedAction + "' on the linked scope(s) '" + linkedScope + "' or the linked scope(s) are invalid."
	return string(armError(http.StatusForbidden, "LinkedAuthorizationFailed", msg).body)
}

// noRegistrationRoleID is a custom role that is Contributor without
// resource provider registration, as platform teams hand out.
const noRegistrationRoleID = "3c9e7a51-2b4d-4e8f-9a6c-1d2e3f4a5b6c"

// noRegistration sets ARM_RESOURCE_PROVIDER_REGISTRATIONS and gives the
// principal a role that may do everything Contributor may except register
// resource providers.
func noRegistration(s *Scenario, registrations string) {
	s.Env["ARM_RESOURCE_PROVIDER_REGISTRATIONS"] = registrations
	s.ARM.CustomRoles = []RoleDefinition{{
		ID: noRegistrationRoleID, Name: "Deployer (no provider registration)",
		Actions:    []string{"*"},
		NotActions: []string{"*/register/action", "Microsoft.Authorization/*/Write", "Microsoft.Authorization/*/Delete"},
	}}
	s.assign(sp(subScope, noRegistrationRoleID))
}

// Lookup returns the preset called name.
func Lookup(name string) (Scenario, bool) {
	for _, s := range Scenarios() {
		if s.Name == name {
			return s, true
		}
	}
	return Scenario{}, false
}

// cloneScenario deep-copies the mutable parts of s.
func cloneScenario(s Scenario) Scenario {
	out := s
	out.Env = maps.Clone(s.Env)
	out.Terraform = maps.Clone(s.Terraform)
	out.Storage.Accounts = nil
	for _, a := range s.Storage.Accounts {
		cs := a.Containers
		a.Containers = nil
		for _, c := range cs {
			c.Blobs = append([]string(nil), c.Blobs...)
			a.Containers = append(a.Containers, c)
		}
		out.Storage.Accounts = append(out.Storage.Accounts, a)
	}
	if s.Faults != nil {
		out.Faults = make(map[string]Fault, len(s.Faults))
		for k, v := range s.Faults {
			out.Faults[k] = v
		}
	}
	out.Token.Claims = maps.Clone(s.Token.Claims)
	out.Token.Header = maps.Clone(s.Token.Header)
	out.Entra.Tenants = nil
	for _, t := range s.Entra.Tenants {
		out.Entra.Tenants = append(out.Entra.Tenants, cloneTenant(t))
	}
	out.ARM.Subscriptions = nil
	for _, sub := range s.ARM.Subscriptions {
		sub.Providers = maps.Clone(sub.Providers)
		sub.ResourceGroups = append([]string(nil), sub.ResourceGroups...)
		sub.ManagedByTenants = append([]string(nil), sub.ManagedByTenants...)
		out.ARM.Subscriptions = append(out.ARM.Subscriptions, sub)
	}
	out.ARM.RoleAssignments = append([]RoleAssignment(nil), s.ARM.RoleAssignments...)
	out.ARM.CustomRoles = nil
	for _, r := range s.ARM.CustomRoles {
		r.Actions = append([]string(nil), r.Actions...)
		r.NotActions = append([]string(nil), r.NotActions...)
		out.ARM.CustomRoles = append(out.ARM.CustomRoles, r)
	}
	return out
}

func cloneTenant(t Tenant) Tenant {
	apps := t.Apps
	t.Apps = nil
	t.ConditionalAccessExcluded = append([]string(nil), t.ConditionalAccessExcluded...)
	for _, a := range apps {
		a.GraphRoles = append([]string(nil), a.GraphRoles...)
		a.DirectoryRoles = append([]string(nil), a.DirectoryRoles...)
		a.RequestedGraphRoles = append([]string(nil), a.RequestedGraphRoles...)
		fics := a.FICs
		a.FICs = nil
		for _, f := range fics {
			f.Audiences = append([]string(nil), f.Audiences...)
			a.FICs = append(a.FICs, f)
		}
		t.Apps = append(t.Apps, a)
	}
	return t
}
