package emulator

// Presets with a Terraform configuration and an azurerm state backend: one
// per answer the backend's first calls can meet, and the token-source cases
// where Terraform reads another token than the doctor finds.

import (
	"maps"
	"strings"
)

// The state backend of the backend presets.
const (
	StateAccount       = "stoidcdoctorstate"
	StateResourceGroup = "rg-tfstate"
	StateContainer     = "tfstate"
	StateKey           = "azure-infra.tfstate"
	// RealStateAccount is the account that holds the state in
	// backend-account-missing, whose backend block names StateAccount.
	RealStateAccount = "stoidcdoctorother"
	// StateSubscriptionID holds the state account in the presets where the
	// state lives apart from the workload (same tenant).
	StateSubscriptionID = "7b3c9e21-4d5f-4a6b-8c7d-9e0f1a2b3c4d"
)

// backendBlock is the backend block of the presets; extra lines go inside.
func backendBlock(extra ...string) string {
	lines := []string{
		`    resource_group_name  = "` + StateResourceGroup + `"`,
		`    storage_account_name = "` + StateAccount + `"`,
		`    container_name       = "` + StateContainer + `"`,
		`    key                  = "` + StateKey + `"`,
	}
	return "  backend \"azurerm\" {\n" + strings.Join(append(lines, extra...), "\n") + "\n  }\n"
}

// terraformFiles is a small root module: a terraform block with the given
// backend and extra settings, a provider block and one resource.
func terraformFiles(terraformExtra, backend, provider string) map[string]string {
	return map[string]string{
		"versions.tf": "terraform {\n" + terraformExtra +
			"  required_providers {\n    azurerm = {\n      source  = \"hashicorp/azurerm\"\n      version = \"~> 4.0\"\n    }\n  }\n" +
			backend + "}\n",
		"providers.tf": provider,
		"main.tf":      "resource \"azurerm_resource_group\" \"main\" {\n  name     = \"" + ResourceGroup + "\"\n  location = \"westeurope\"\n}\n",
	}
}

const (
	plainProvider = "provider \"azurerm\" {\n  features {}\n}\n"
	// spaceliftProvider is the provider block of Spacelift's Azure guide
	// (https://docs.spacelift.io/integrations/cloud-providers/oidc/azure-oidc).
	spaceliftProvider = "provider \"azurerm\" {\n  features {}\n  use_oidc             = true\n  oidc_token_file_path = \"/mnt/workspace/spacelift.oidc\"\n}\n"
)

func stateContainerScope(subID string) string {
	return "/subscriptions/" + subID + "/resourceGroups/" + StateResourceGroup +
		"/providers/Microsoft.Storage/storageAccounts/" + StateAccount + "/blobServices/default/containers/" + StateContainer
}

// backendPreset builds a preset from Base with the state account, a data
// role on its container and the configuration of a working Entra-auth
// backend (use_azuread_auth; OIDC from ARM_USE_OIDC and
// ARM_OIDC_TOKEN_FILE_PATH), then applies change.
func backendPreset(name, desc string, change func(s *Scenario)) Scenario {
	return preset(name, desc, func(s *Scenario) {
		s.Terraform = terraformFiles("", backendBlock(`    use_azuread_auth     = true`), plainProvider)
		s.Storage = Storage{Accounts: []StorageAccount{{
			Name: StateAccount, SubscriptionID: SubscriptionID, ResourceGroup: StateResourceGroup,
			Containers: []Container{{Name: StateContainer, Blobs: []string{StateKey}}},
		}}}
		s.ARM.RoleAssignments = append(s.ARM.RoleAssignments, sp(stateContainerScope(SubscriptionID), RoleStorageBlobDataContributor))
		if change != nil {
			change(s)
		}
	})
}

// moveStateApart puts the state account in its own subscription of the same
// tenant, where the identity holds only the given roles (on the account).
func (s *Scenario) moveStateApart(roles ...string) {
	s.ARM.Subscriptions = append(s.ARM.Subscriptions, Subscription{ID: StateSubscriptionID, TenantID: TenantID,
		DisplayName: "Terraform State", State: "Enabled", Providers: subscriptionProviders()})
	s.Storage.Accounts[0].SubscriptionID = StateSubscriptionID
	var kept []RoleAssignment
	for _, ra := range s.ARM.RoleAssignments {
		if !strings.Contains(ra.Scope, "/storageAccounts/") {
			kept = append(kept, ra)
		}
	}
	account := strings.TrimSuffix(stateContainerScope(StateSubscriptionID), "/blobServices/default/containers/"+StateContainer)
	for _, r := range roles {
		kept = append(kept, sp(account, r))
	}
	s.ARM.RoleAssignments = kept
	s.Terraform = maps.Clone(s.Terraform)
	s.Terraform["versions.tf"] = strings.Replace(s.Terraform["versions.tf"], "    key ", "    subscription_id      = \""+StateSubscriptionID+"\"\n    key ", 1)
}

// keyLookup turns the backend block into one that looks the account key
// up through ARM: no use_azuread_auth.
func (s *Scenario) keyLookup() {
	s.Terraform["versions.tf"] = strings.Replace(s.Terraform["versions.tf"], "    use_azuread_auth     = true\n", "", 1)
}

func backendScenarios() []Scenario {
	return []Scenario{
		backendPreset("backend-ok", "an azurerm backend with Entra ID auth and a data role on the container; init's first calls succeed", nil),
		backendPreset("backend-provider-oidc-only", "Spacelift's guide: use_oidc and oidc_token_file_path in the provider block only; the backend never reads it and falls back to the Azure CLI", func(s *Scenario) {
			s.Terraform["providers.tf"] = spaceliftProvider
			delete(s.Env, "ARM_USE_OIDC")
			delete(s.Env, "ARM_OIDC_TOKEN_FILE_PATH")
		}),
		backendPreset("backend-no-data-role", "Contributor on the subscription but no Storage Blob Data role: List Blobs answers 403 AuthorizationPermissionMismatch", func(s *Scenario) {
			s.assign(sp(subScope, RoleContributor))
		}),
		backendPreset("backend-firewall", "the state account's firewall denies the worker: List Blobs answers 403 AuthorizationFailure", func(s *Scenario) {
			s.Storage.Accounts[0].Firewall = true
		}),
		backendPreset("backend-container-missing", "container_name names a container the account does not have: 404 ContainerNotFound", func(s *Scenario) {
			s.Storage.Accounts[0].Containers[0].Name = "terraform"
		}),
		backendPreset("backend-private-endpoint", "the state account is reachable only through a private endpoint: its name resolves to 10.20.0.5, which a public worker cannot reach", func(s *Scenario) {
			s.Storage.Accounts[0].PrivateEndpoint = true
		}),
		backendPreset("backend-account-missing", "storage_account_name names an account that does not exist (a typo: the state is in stoidcdoctorother, where the identity has its data role): its blob host does not resolve", func(s *Scenario) {
			s.Storage.Accounts[0].Name = RealStateAccount
			for i, ra := range s.ARM.RoleAssignments {
				s.ARM.RoleAssignments[i].Scope = strings.Replace(ra.Scope, "/storageAccounts/"+StateAccount+"/", "/storageAccounts/"+RealStateAccount+"/", 1)
			}
		}),
		backendPreset("backend-blob-hang", "the blob endpoint never answers List Blobs (a fault: inconclusive)", func(s *Scenario) {
			s.fault("storage-list-blobs", Fault{Hang: true})
		}),
		backendPreset("backend-reader-only", "Storage Blob Data Reader on the container: reads work, but taking the state lock needs write", func(s *Scenario) {
			s.ARM.RoleAssignments[1].RoleDefinitionID = RoleStorageBlobDataReader
		}),
		backendPreset("backend-lock-unchecked", "reads work, but ARM refuses to list the identity's permissions on the container, so the lock cannot be checked", func(s *Scenario) {
			s.fault("arm-storage-permissions", Fault{Status: 403, ContentType: "application/json; charset=utf-8",
				Body: `{"error":{"code":"AuthorizationFailed","message":"The client '` + ClientID + `' with object id '` + SPObjectID + `' does not have authorization to perform action 'Microsoft.Authorization/permissions/read' over scope '` + stateContainerScope(SubscriptionID) + `' or the scope is invalid. If access was recently granted, please refresh your credentials."}}`})
		}),
		backendPreset("backend-shared-key-disabled", "the backend looks the account key up (no use_azuread_auth) and the account has shared-key access turned off", func(s *Scenario) {
			s.keyLookup()
			s.Storage.Accounts[0].SharedKeyDisabled = true
		}),
		backendPreset("backend-listkeys-denied", "the backend looks the account key up, and the identity may read the account but not list its keys (Reader)", func(s *Scenario) {
			s.keyLookup()
			s.moveStateApart(RoleReader)
		}),
		backendPreset("backend-storage-use-azuread", "ARM_STORAGE_USE_AZUREAD=true (the provider's setting) where the backend needs use_azuread_auth or ARM_USE_AZUREAD, with no resource group to look a key up", func(s *Scenario) {
			s.keyLookup()
			s.Terraform["versions.tf"] = strings.Replace(s.Terraform["versions.tf"], "    resource_group_name  = \""+StateResourceGroup+"\"\n", "", 1)
			s.Env["ARM_STORAGE_USE_AZUREAD"] = "true"
		}),
		backendPreset("backend-tf-1.11.0", "required_version pins Terraform 1.11.0, whose backend reads the storage account through ARM, and the identity has only a data role there", func(s *Scenario) {
			s.moveStateApart(RoleStorageBlobDataContributor)
			s.Terraform["versions.tf"] = strings.Replace(s.Terraform["versions.tf"], "terraform {\n", "terraform {\n  required_version = \"1.11.0\"\n", 1)
		}),
		preset("token-spacelift-env-only", "the token is only in SPACELIFT_OIDC_TOKEN and the provider block names no token file: Terraform will read no token", func(s *Scenario) {
			s.NoTokenFile = true
			delete(s.Env, "ARM_OIDC_TOKEN_FILE_PATH")
			s.Terraform = terraformFiles("", "", plainProvider)
		}),
	}
}
