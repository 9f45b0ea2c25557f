package emulator

// Presets of issue 17: the Microsoft Graph token azurerm asks for first
// (and azuread's permissions on it), the app's federated credentials read
// through Graph, an aliased provider block in another tenant, and a custom
// subject template that puts the run id into sub.

import "net/http"

// Identifiers of the issue 17 presets.
const (
	// OtherSPObjectID is the base app's service principal in OtherTenantID
	// (a multi-tenant app, consented there).
	OtherSPObjectID = "b1d2e3f4-a5b6-4c7d-8e9f-0a1b2c3d4e5f"
	// AliasOther is the alias of the provider block that targets
	// OtherSubscriptionID in OtherTenantID.
	AliasOther = "other"
	// SubjectWithRunID is the sub of a template that holds {runId}.
	SubjectWithRunID = "space:" + SpaceID + ":stack:" + StackID + ":run:" + RunID + ":run_type:TRACKED:scope:write"
	// ARMResource is ARM's resource as Conditional Access lists it.
	ARMResource = "https://management.core.windows.net/"
)

// azureadFiles is a root module with the azurerm and azuread providers,
// a resource group, an app registration and a group looked up by name.
func azureadFiles() map[string]string {
	return map[string]string{
		"versions.tf": "terraform {\n  required_providers {\n" +
			"    azurerm = {\n      source  = \"hashicorp/azurerm\"\n      version = \"~> 4.0\"\n    }\n" +
			"    azuread = {\n      source  = \"hashicorp/azuread\"\n      version = \"~> 3.0\"\n    }\n  }\n}\n",
		"providers.tf": plainProvider + "\nprovider \"azuread\" {}\n",
		"main.tf": "resource \"azurerm_resource_group\" \"main\" {\n  name     = \"" + ResourceGroup + "\"\n  location = \"westeurope\"\n}\n\n" +
			"resource \"azuread_application\" \"api\" {\n  display_name = \"azure-infra-api\"\n}\n\n" +
			"data \"azuread_group\" \"ops\" {\n  display_name = \"platform-ops\"\n}\n",
	}
}

// aliasProvider adds a provider block for another subscription in another
// tenant to the base provider block.
const aliasProvider = plainProvider + "\nprovider \"azurerm\" {\n  alias           = \"" + AliasOther + "\"\n  features {}\n" +
	"  subscription_id = \"" + OtherSubscriptionID + "\"\n  tenant_id       = \"" + OtherTenantID + "\"\n}\n"

func graphScenarios() []Scenario {
	return []Scenario{
		preset("graph-azuread-ok", "an azuread provider whose app registration and group look-up the Graph token's application permissions cover; the app's credentials are readable and complete (passes)", func(s *Scenario) {
			s.Terraform = azureadFiles()
			s.app().GraphRoles = []string{"Application.ReadWrite.OwnedBy", "Application.Read.All", "Group.Read.All"}
		}),
		preset("graph-azuread-missing", "an azuread provider, and the Graph token holds no application permission: creating the app and reading the group will be refused (Authorization_RequestDenied)", func(s *Scenario) {
			s.Terraform = azureadFiles()
		}),
		preset("graph-refused", "a Conditional Access policy blocks every resource but Azure Resource Manager: ARM works, the Graph token azurerm asks for first is refused (AADSTS53003)", func(s *Scenario) {
			s.Entra.Tenants[0].ConditionalAccessBlock = true
			s.Entra.Tenants[0].ConditionalAccessExcluded = []string{ARMResource}
		}),
		preset("graph-5xx", "the token endpoint answers 503 to the Graph token request only (a fault: inconclusive)", func(s *Scenario) {
			s.fault("entra-token-graph", Fault{Status: http.StatusServiceUnavailable})
		}),
		preset("graph-credentials-apply-missing", "a planning run (TRACKED, read scope) whose app has no credential for the apply phase's write subject; Graph lists the credentials (Application.Read.All)", func(s *Scenario) {
			s.Token.Claims = map[string]any{"scope": "read"}
			s.app().GraphRoles = []string{"Application.Read.All"}
			var kept []FIC
			for _, f := range s.app().FICs {
				if f.Subject != SubjectTrackedWrite {
					kept = append(kept, f)
				}
			}
			s.app().FICs = kept
		}),
		preset("graph-credentials-unreadable", "the Graph token holds Application.ReadWrite.OwnedBy, but the identity does not own its app: Graph refuses the credential list (403), which is said in one line (passes)", func(s *Scenario) {
			s.app().GraphRoles = []string{"Application.ReadWrite.OwnedBy"}
		}),
		preset("alias-other-tenant", "a second azurerm provider block (alias \"other\") targets a subscription in another tenant, where the multi-tenant app has a service principal with Contributor (passes)", func(s *Scenario) {
			s.Terraform = terraformFiles("", "", aliasProvider)
			home := *s.app()
			home.SPObjectID = OtherSPObjectID
			home.FICs = baseFICs() // they live on the home app registration; the emulator keeps apps per tenant
			s.Entra.Tenants[1].Apps = []App{home}
			s.ARM.RoleAssignments = append(s.ARM.RoleAssignments, RoleAssignment{Scope: "/subscriptions/" + OtherSubscriptionID,
				PrincipalID: OtherSPObjectID, RoleDefinitionID: RoleContributor})
		}),
		preset("alias-other-tenant-no-sp", "a second azurerm provider block (alias \"other\") targets a subscription in another tenant where the multi-tenant app has no service principal (AADSTS700016 for that block only)", func(s *Scenario) {
			s.Terraform = terraformFiles("", "", aliasProvider)
			s.app().MultiTenant = true
		}),
		preset("subject-run-id", "the account's subject template holds {runId}: this run's credential matched, the next run's subject will be another (claim-sub)", func(s *Scenario) {
			s.Token.SubjectTemplate = "space:{spaceId}:{callerType}:{callerId}:run:{runId}:run_type:{runType}:scope:{scope}"
			s.app().FICs = append(s.app().FICs, fic("spacelift-azure-infra-this-run", SubjectWithRunID))
		}),
	}
}
