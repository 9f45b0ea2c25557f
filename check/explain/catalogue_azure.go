package explain

import "github.com/oidc-doctor/oidc-doctor/check/diag"

// The Azure half of the catalogue: Resource Manager, Microsoft Graph and
// Storage error codes, and the few messages of the az CLI and the azurerm
// provider that carry no code, under a name of our own (marked "no code").
// Codes and wordings were checked against real answers recorded in public
// threads (e.g. https://github.com/Azure/aad-pod-identity/issues/443) and
// https://learn.microsoft.com/azure/azure-resource-manager/troubleshooting/common-deployment-errors,
// https://learn.microsoft.com/azure/role-based-access-control/troubleshooting and
// https://learn.microsoft.com/rest/api/storageservices/blob-service-error-codes.

const (
	sharedKeyFix = "For the azurerm backend set use_azuread_auth = true (ARM_USE_AZUREAD=true); for the provider set storage_use_azuread = true; and give the identity a Storage Blob Data role on the account or container."
	azLoginFix   = "On Spacelift, give the provider the OIDC settings (ARM_USE_OIDC=true, ARM_CLIENT_ID, ARM_TENANT_ID, ARM_SUBSCRIPTION_ID, ARM_OIDC_TOKEN_FILE_PATH=/mnt/workspace/spacelift.oidc) so it never falls back to the Azure CLI; a backend block needs use_oidc = true too."
)

// armCodes is keyed by the code in lower case; a variant of a code (the
// same code with another meaning, told apart by its wording) is keyed
// "code/variant".
var armCodes = map[string]CodeInfo{
	// Authorization.
	"authorizationfailed": {Code: "AuthorizationFailed", Cause: diag.CauseAuthorizationFailed, Title: "the identity lacks a role for this action",
		Explanation: "Sign-in worked, but no role assigned to the identity allows the quoted action at the quoted scope (or the scope does not exist).",
		Fix:         "Assign a role that allows the action at that scope or above, to the service principal's object id: az role assignment create --assignee-object-id <object-id> --assignee-principal-type ServicePrincipal --role <role> --scope <scope>. " + rbacDelay},
	"linkedauthorizationfailed": {Code: "LinkedAuthorizationFailed", Cause: diag.CauseAuthorizationFailed, Title: "the identity lacks a role on a linked resource",
		Explanation: "The identity may act on the target resource but not on a resource it links to (a subnet, route table, identity, key vault or image, often in another resource group or subscription). The action and scope shown are the denied ones, on the linked resource.",
		Fix:         "Assign a role allowing the denied action on the linked scope: az role assignment create --assignee-object-id <object-id> --assignee-principal-type ServicePrincipal --role <role> --scope <scope> (the linked scope). " + rbacDelay},
	"linkedauthorizationfailed/deny": {Code: "LinkedAuthorizationFailed", Cause: diag.CauseDenyAssignment, Title: "a deny assignment blocks the linked resource",
		Explanation: "The identity may act on the target resource, but a deny assignment on the linked resource blocks the action; deny assignments are created by Azure itself (managed applications, Azure Red Hat OpenShift, Databricks) and no role assignment overrides them.",
		Fix:         "Do not link to resources in a managed resource group; if the link is needed, use the principal the deny assignment excludes (list it with az role assignment list --include-inherited and the portal's Deny assignments tab)."},
	"linkedauthorizationfailed/crosstenant": {Code: "LinkedAuthorizationFailed", Cause: diag.CauseAuthorizationFailed, Title: "the linked subscription is in another tenant",
		Explanation: "The identity may act on the target resource, but the linked resource lives in a subscription of another tenant, which the token's tenant may not reach.",
		Fix:         "Make the app multi-tenant with a service principal and a role in the linked subscription's tenant, and send an auxiliary token for that tenant (azurerm: auxiliary_tenant_ids); or link to a resource in the same tenant."},
	"linkedauthorizationfailed/notfound": {Code: "LinkedAuthorizationFailed", Cause: diag.CauseSubscriptionNotFound, Title: "the linked subscription does not exist",
		Explanation: "A resource the request links to names a subscription ARM cannot find; the all-zero id means an id was left empty (a DDoS protection plan id, for example).",
		Fix:         "Check the linked resource id in the configuration: it must be a full id in an existing subscription, or the argument must be left out."},
	"denyassignmentauthorizationfailed": {Code: "DenyAssignmentAuthorizationFailed", Cause: diag.CauseDenyAssignment, Title: "a deny assignment blocks the action",
		Explanation: "A role allows the action at the scope, but a deny assignment (created by Azure for managed applications, Databricks, Blueprints or deployment stacks) blocks it; no role assignment overrides it.",
		Fix:         "Act through the service that owns the deny assignment (delete the Databricks workspace or managed application rather than its resource group), or use the principal it excludes."},
	"invalidauthenticationtokentenant": {Code: "InvalidAuthenticationTokenTenant", Cause: diag.CauseWrongTenantForSubscription, Field: "tenant", Title: "the subscription belongs to another tenant",
		Explanation: "The token was issued by one tenant but the subscription belongs to another; the message names both.",
		Fix:         "Set ARM_TENANT_ID to the subscription's tenant (the second tenant in the message), and make sure the app and its federated credentials live in that tenant; or use a subscription of the token's tenant."},

	// The access token itself.
	"invalidauthenticationtoken": {Code: "InvalidAuthenticationToken", Cause: diag.CauseAccessTokenRejected, Title: "Azure Resource Manager rejected the access token",
		Explanation: "The access token is malformed, meant for another service, or lacks an object id because the app has no service principal in the subscription's tenant.",
		Fix:         "Request the token for https://management.azure.com/.default, and create the service principal if it is missing: az ad sp create --id <client-id>."},
	"invalidauthenticationtokenaudience": {Code: "InvalidAuthenticationTokenAudience", Cause: diag.CauseAccessTokenRejected, Title: "the access token is for another service",
		Explanation: "The access token was requested for another resource (its audience is quoted) than Azure Resource Manager, or for another cloud's Resource Manager.",
		Fix:         "Request the token for the Resource Manager of the subscription's cloud: https://management.azure.com/.default in the public cloud; check ARM_ENVIRONMENT."},
	"expiredauthenticationtoken": {Code: "ExpiredAuthenticationToken", Cause: diag.CauseAccessTokenRejected, Title: "the access token has expired",
		Explanation: "The Azure access token (not the Spacelift token) had expired when Azure Resource Manager received it.",
		Fix:         "Get a new access token; a long run must refresh it, which with OIDC needs a fresh Spacelift token too."},
	"authenticationfailed": {Code: "AuthenticationFailed", Cause: diag.CauseAccessTokenRejected, Title: "the request carried no usable access token",
		Explanation: "Azure Resource Manager got no Authorization header, or one it cannot read: the tool never obtained an access token.",
		Fix:         "Find why the sign-in before this request failed (run oidc-doctor in the same phase), and check nothing strips the Authorization header on the way (a proxy)."},
	"authenticationfailedinvalidheader": {Code: "AuthenticationFailedInvalidHeader", Cause: diag.CauseAccessTokenRejected, Title: "the authorization header is malformed",
		Explanation: "The Authorization header is not 'Bearer <token>'.",
		Fix:         "Send the access token as 'Authorization: Bearer <token>'; an SDK does this for you."},
	"authenticationfailedmissingtoken": {Code: "AuthenticationFailedMissingToken", Cause: diag.CauseAccessTokenRejected, Title: "the authorization header has no token",
		Explanation: "The Authorization header is present but empty: the token acquisition before it failed silently.",
		Fix:         "Find why the sign-in failed (run oidc-doctor in the same phase)."},

	// Subscriptions, resource groups, resources.
	"subscriptionnotfound": {Code: "SubscriptionNotFound", Cause: diag.CauseSubscriptionNotFound, Title: "the subscription does not exist",
		Explanation: "No subscription with this id is visible: a typo, a deleted subscription, one in another tenant, or one in another cloud.",
		Fix:         "Check ARM_SUBSCRIPTION_ID against az account list --query '[].{name:name,id:id,tenant:tenantId}', and give the identity a role on it."},
	"invalidsubscriptionid": {Code: "InvalidSubscriptionId", Cause: diag.CauseSubscriptionNotFound, Title: "the subscription id is malformed",
		Explanation: "The subscription id is not a GUID: a display name, a placeholder, or an id with an extra character.",
		Fix:         "Set ARM_SUBSCRIPTION_ID to the subscription's GUID: az account list --query '[].{name:name,id:id}'."},
	"nosubscriptionsfound": {Code: "NoSubscriptionsFound", Cause: diag.CauseSubscriptionNotFound, Title: "the identity can see no subscriptions",
		Explanation: "az signed in, but the identity has no role on any subscription of the tenant, so az found no subscriptions (this is az's own message, not an Azure error code).",
		Fix:         "Assign a role on the subscription to the service principal (az role assignment create --assignee-object-id <object-id> --assignee-principal-type ServicePrincipal --role Reader --scope /subscriptions/<subscription-id>), or log in with az login --allow-no-subscriptions. " + rbacDelay},
	"azureclisubscriptionnotfound": {Code: "AzureCLISubscriptionNotFound", Cause: diag.CauseSubscriptionNotFound, Title: "the Azure CLI does not know this subscription",
		Explanation: "The Azure CLI's profile has no subscription with this id or name (no code: az's own message): the CLI is signed in as another identity or tenant, its profile is stale, or the value is wrong.",
		Fix:         "Run az account list to see what the CLI knows; on Spacelift, use OIDC (ARM_USE_OIDC=true and the ARM_* ids) instead of the CLI."},
	"readonlydisabledsubscription": {Code: "ReadOnlyDisabledSubscription", Cause: diag.CauseSubscriptionDisabled, Title: "the subscription is disabled",
		Explanation: "The subscription is disabled (a trial ended, a billing problem, or cancelled) and read only until it is re-enabled.",
		Fix:         "Re-enable the subscription in Cost Management + Billing, or use another subscription."},
	"resourcegroupnotfound": {Code: "ResourceGroupNotFound", Cause: diag.CauseAzureResourceNotFound, Title: "the resource group does not exist",
		Explanation: "No resource group with this name exists in the subscription the request went to: a typo, another subscription, or one created a moment ago that ARM has not replicated yet.",
		Fix:         "Check the resource group name and the subscription (az group show --name <resource-group> --subscription <subscription-id>); for the azurerm backend, check resource_group_name."},
	"resourcenotfound": {Code: "ResourceNotFound", Cause: diag.CauseAzureResourceNotFound, Title: "the resource does not exist",
		Explanation: "No resource with this name and type exists in the resource group the request names.",
		Fix:         "Check the resource's name, type and resource group; for the azurerm backend, check storage_account_name and resource_group_name."},
	"containernotfound": {Code: "ContainerNotFound", Cause: diag.CauseAzureResourceNotFound, Title: "the storage container does not exist",
		Explanation: "The storage account has no container with this name (Azure Storage's own code).",
		Fix:         "Create the container, or correct container_name in the backend block: az storage container create --account-name <account> --name <container> --auth-mode login."},

	// Role assignments.
	"principalnotfound": {Code: "PrincipalNotFound", Cause: diag.CausePrincipalNotFound, Title: "the principal of the role assignment does not exist",
		Explanation: "The directory does not know the principal id of the role assignment: a principal just created that has not replicated yet, or one from another tenant.",
		Fix:         "Set principal_type (azurerm: principal_type = \"ServicePrincipal\"; az: --assignee-principal-type) so ARM does not wait for replication, and check the object id is in this tenant."},
	"invalidprincipalid": {Code: "InvalidPrincipalId", Cause: diag.CausePrincipalNotFound, Title: "the role assignment has no valid principal id",
		Explanation: "The principal id of the role assignment is empty or not a GUID, often an object id read from a data source that had none.",
		Fix:         "Pass the service principal's object id (az ad sp show --id <client-id> --query id), not the client id or an empty value."},
	"roleassignmentexists": {Code: "RoleAssignmentExists", Cause: diag.CauseRoleAssignmentExists, Title: "the role assignment already exists",
		Explanation: "An assignment of this role to this principal at this scope exists under another name, so ARM refuses a second.",
		Fix:         "Import the existing assignment (terraform import, with its id from az role assignment list --assignee <object-id> --scope <scope>) or keep its name stable."},

	// Resource providers.
	"missingsubscriptionregistration": {Code: "MissingSubscriptionRegistration", Cause: diag.CauseProviderRegistration, Title: "a resource provider is not registered",
		Explanation: "The subscription is not registered for the resource provider namespace named in the message, and registering it needs the <namespace>/register/action permission.",
		Fix:         "Register the namespace once as an administrator: az provider register --namespace <namespace> --subscription <subscription-id>, or give the identity a role with <namespace>/register/action."},
	"missingregistrationforresourceprovider": {Code: "MissingRegistrationForResourceProvider", Cause: diag.CauseProviderRegistration, Title: "a resource provider is not registered",
		Explanation: "The subscription is not registered for the resource provider named in the message.",
		Fix:         "Register the namespace once as an administrator: az provider register --namespace <namespace> --subscription <subscription-id>."},
	"providerregistrationfailed": {Code: "ProviderRegistrationFailed", Cause: diag.CauseProviderRegistration, Title: "Terraform could not register resource providers",
		Explanation: "The azurerm provider registers resource providers on its own at start-up (no code: the provider's own message), and the identity may not.",
		Fix:         "Register the namespaces once as an administrator (az provider register --namespace <namespace>), and stop the provider registering them: resource_provider_registrations = \"none\" in azurerm 4.x, skip_provider_registration = true in 3.x."},

	// Service faults.
	"internalservererror": {Code: "InternalServerError", Cause: diag.CauseServiceFault, Title: "Azure had an internal error",
		Explanation: "Azure Resource Manager or a resource provider failed internally; nothing is known to be wrong with the configuration.",
		Fix:         "Retry; if it persists, open a support request quoting the tracking and correlation ids."},
	"toomanyrequests": {Code: "TooManyRequests", Cause: diag.CauseServiceFault, Title: "Azure is throttling the requests",
		Explanation: "Azure Resource Manager throttled the identity's requests (too many in the time window).",
		Fix:         "Retry after the time the message or the Retry-After header gives, and lower the parallelism (terraform -parallelism=5)."},
	"resourcerequeststhrottled": {Code: "ResourceRequestsThrottled", Cause: diag.CauseServiceFault, Title: "a resource provider is throttling the requests",
		Explanation: "A resource provider throttled the action named in the message.",
		Fix:         "Retry after the time the message gives, and lower the parallelism (terraform -parallelism=5)."},
	"subscriptionrequeststhrottled": {Code: "SubscriptionRequestsThrottled", Cause: diag.CauseServiceFault, Title: "the subscription's requests are throttled",
		Explanation: "Azure Resource Manager throttled the subscription's requests.",
		Fix:         "Retry after the time the message gives, and lower the parallelism (terraform -parallelism=5)."},

	// Microsoft Graph.
	"authorization_requestdenied": {Code: "Authorization_RequestDenied", Cause: diag.CauseGraphPermissionDenied, Title: "Microsoft Graph refused the identity",
		Explanation: "The identity has no Microsoft Graph permission (or directory role) for this operation: creating or reading apps, groups or users needs an application permission granted with admin consent.",
		Fix:         "Grant the app the Graph application permission the operation needs (Application.ReadWrite.OwnedBy, Group.ReadWrite.All, User.Read.All, ...) and admin consent, or a directory role such as Application Administrator; the azuread provider's docs list what each resource needs."},

	// Azure Storage data plane.
	"authorizationpermissionmismatch": {Code: "AuthorizationPermissionMismatch", Cause: diag.CauseStorageAccessDenied, Title: "the identity has no data role on the storage account",
		Explanation: "The storage account accepted the identity's token but no role gives it data access: management roles such as Contributor or Owner do not include reading or writing blobs. A SAS without the needed permission gets the same code.",
		Fix:         "Assign Storage Blob Data Contributor on the account or container: az role assignment create --assignee-object-id <object-id> --assignee-principal-type ServicePrincipal --role \"Storage Blob Data Contributor\" --scope <storage-account-id>. " + rbacDelay},
	"authorizationfailure": {Code: "AuthorizationFailure", Cause: diag.CauseStorageAccessDenied, Title: "the storage account refused the request",
		Explanation: "Usually the storage account's firewall or private endpoint: public network access is off or the worker's address is not allowed; also a SAS scoped to another resource.",
		Fix:         "Allow the worker's network on the storage account (Networking: selected networks or a private endpoint the worker can reach), or run the worker inside the allowed network."},
	"keybasedauthenticationnotpermitted": {Code: "KeyBasedAuthenticationNotPermitted", Cause: diag.CauseStorageAccessDenied, Title: "the storage account does not allow access keys",
		Explanation: "Shared key access is disabled on the storage account, so access keys and SAS tokens made from them are refused; only Entra ID tokens are accepted.",
		Fix:         sharedKeyFix},
	"authenticationfailed/storage": {Code: "AuthenticationFailed", Cause: diag.CauseStorageAccessDenied, Title: "the storage account could not authenticate the request",
		Explanation: "The storage account refused the request's credential: an Entra token from another tenant (Issuer validation failed), a bad SAS signature, or a wrong account key.",
		Fix:         "Use a token of the storage account's tenant (check ARM_TENANT_ID), or regenerate the SAS or key; with OIDC prefer Entra auth (use_azuread_auth = true)."},

	// Azure CLI fall-backs (no code).
	"azureclinotloggedin": {Code: "AzureCLINotLoggedIn", Cause: diag.CauseNoCredential, Title: "the tool fell back to the Azure CLI, which is not signed in",
		Explanation: "No OIDC (or other) credential reached the azurerm provider or backend, so it tried the Azure CLI, which has no signed-in account on the worker (no code: the provider's own message).",
		Fix:         azLoginFix},
	"azureclinotfound": {Code: "AzureCLINotFound", Cause: diag.CauseNoCredential, Title: "the tool fell back to the Azure CLI, which is not installed",
		Explanation: "No OIDC (or other) credential reached the azurerm provider or backend, so it tried to run the Azure CLI, which is not on the worker's PATH (no code: the provider's own message).",
		Fix:         azLoginFix},
	"nooidctoken": {Code: "NoOIDCToken", Cause: diag.CauseNoCredential, Title: "no oidc token could be obtained",
		Explanation: "The tool was told to use OIDC but found no token and no URL to request one (no code: the tool's own message), so it sent an empty assertion or none.",
		Fix:         "On Spacelift, check the token file /mnt/workspace/spacelift.oidc exists in this phase (OIDC needs a paid plan) and ARM_OIDC_TOKEN_FILE_PATH points at it; on GitHub Actions, give the job permissions: id-token: write."},
	"subscriptionidnotset": {Code: "SubscriptionIDNotSet", Cause: diag.CauseSettingsInvalid, Title: "no subscription id is configured",
		Explanation: "The azurerm provider (4.x) needs a subscription id and found none: ARM_SUBSCRIPTION_ID is unset and no Azure CLI profile supplies one (no code: the provider's own message).",
		Fix:         "Set ARM_SUBSCRIPTION_ID on the stack (or subscription_id in the provider block)."},
}

// registerInfo is AuthorizationFailed on a provider's register action.
var registerInfo = CodeInfo{Code: "AuthorizationFailed", Cause: diag.CauseProviderRegistration, Title: "the identity may not register a resource provider",
	Explanation: "A tool (often the azurerm provider) tried to register a resource provider namespace on the subscription, and the identity's roles do not allow <namespace>/register/action.",
	Fix:         "Register the namespaces once as an administrator (az provider register --namespace <namespace>), and stop the tool registering them: resource_provider_registrations = \"none\" in azurerm 4.x and later."}

// wrapperCodes only say that something inside failed: a finding of one is
// kept only when nothing more specific was found.
var wrapperCodes = map[string]bool{"deploymentfailed": true, "resourcedeploymentfailure": true, "invaliddeploymentfailure": true,
	"deploymentscriptoperationfailed": true, "multipleerrorsoccurred": true, "unknown": true, "deploymentoperationfailed": true,
	"invalidtemplatedeployment": true, "conflict": true}
