package explain

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/oidc-doctor/oidc-doctor/check/diag"
)

// TestRecognition pins each error issue 13 names, in the wordings real
// answers use (recorded in testdata/recorded and testdata/pastes; the
// texts here are cut to the sentence that matters): the code (or the name
// the catalogue gives a message without one), the cause and the values.
func TestRecognition(t *testing.T) {
	tests := []struct {
		name, text, code string
		cause            diag.Cause
		fields           []diag.Fact
	}{
		// Entra.
		{"900612", `{"error":"invalid_request","error_description":"AADSTS900612: Failed to parse provider signing keys. Trace ID: 79f4 Correlation ID: 9fc2 Timestamp: 2025-07-02 14:15:22Z","error_codes":[900612]}`,
			"AADSTS900612", diag.CauseSignatureOrJWKS, facts()},
		{"7000216", `AADSTS7000216: 'client_assertion', 'client_secret' or 'request' is required for the 'client_credentials' grant type.`,
			"AADSTS7000216", diag.CauseNoCredential, facts()},
		{"70021 is not 700211", `AADSTS700211: No matching federated identity record found for presented assertion issuer 'https://a.example/'.`,
			"AADSTS700211", diag.CauseIssuerMismatch, facts("issuer", "https://a.example/")},
		{"700021 is not 70021", `AADSTS700021: Client assertion application identifier doesn't match 'client_id' parameter.`,
			"AADSTS700021", diag.CauseOther, facts()},
		{"70021 split by a GitHub log link", "Error: : AADSTS700[21](https://github.com/o/r/actions/runs/1/job/2#step:6:22): No matching federated identity record found for presented assertion. Assertion Issuer: 'https://token.actions.githubusercontent.com'.",
			"AADSTS70021", diag.CauseNoMatchingFIC, facts("issuer", "https://token.actions.githubusercontent.com")},
		{"700211 split by a GitHub log link", "Error: AADSTS700[21](https://github.com/o/r/actions/runs/1/job/2#step:6:22)1: No matching federated identity record found for presented assertion issuer 'https://token.actions.githubusercontent.com/'.",
			"AADSTS700211", diag.CauseIssuerMismatch, facts("issuer", "https://token.actions.githubusercontent.com/")},
		{"700212 unquoted", `AADSTS700212: No matching federated identity record found for presented assertion audience api://AzureADTokenExchange. Please check your federated identity credential Subject, Audience and Issuer against the presented assertion.`,
			"AADSTS700212", diag.CauseAudienceMismatch, facts("audience", "api://AzureADTokenExchange")},
		{"700213 without its code", `No matching federated identity record found for presented assertion subject 'repo:o/r:ref:refs/heads/main'. Check your federated identity credential Subject, Audience and Issuer against the presented assertion.`,
			"AADSTS700213", diag.CauseSubjectMismatch, facts("subject", "repo:o/r:ref:refs/heads/main")},
		{"7002138 without its code", `No matching federated identity record found for presented assertion subject 'repo:o/R:environment:Prod'. The subject matches with case-insensitive comparison, but not with case-sensitive comparison.`,
			"AADSTS7002138", diag.CauseSubjectMismatch, facts("subject", "repo:o/R:environment:Prod")},
		{"70025 without an app id", `AADSTS70025: Client application has no configured federated identity credentials.`,
			"AADSTS70025", diag.CauseNoMatchingFIC, facts()},
		{"53003 with claims", `{"error":"invalid_grant","error_description":"AADSTS53003: Access has been blocked by Conditional Access policies. The access policy does not allow token issuance. Trace ID: 1122 Correlation ID: ffee Timestamp: 2025-03-07 21:25:44Z","error_codes":[53003],"suberror":"message_only","claims":"{\"access_token\":{\"capolids\":{\"essential\":true,\"values\":[\"0123-a\",\"0123-b\"]}}}"}`,
			"AADSTS53003", diag.CauseConditionalAccess, facts("policy_ids", "0123-a,0123-b")},
		{"7000215 names the app", `AADSTS7000215: Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '4d85-app'.`,
			"AADSTS7000215", diag.CauseInvalidClientSecret, facts("client_id", "4d85-app")},
		{"7000222 names the app", `AADSTS7000222: The provided client secret keys for app '8219-app' are expired. Visit the Azure portal to create new keys for your app.`,
			"AADSTS7000222", diag.CauseInvalidClientSecret, facts("client_id", "8219-app")},
		{"70011 names the scope", `AADSTS70011: The provided request must include a 'scope' input parameter. The provided value for the input parameter 'scope' is not valid. The scope user.read/.default is not valid.`,
			"AADSTS70011", diag.CauseInvalidScope, facts("scope", "user.read/.default")},
		{"500011 names the resource", `AADSTS500011: The resource principal named https://graph.microsoft.com/user.read was not found in the tenant named Cross Cloud B2B Test Tenant. This can happen if the application has not been installed.`,
			"AADSTS500011", diag.CauseResourceNotFound, facts("tenant", "Cross Cloud B2B Test Tenant", "scope", "https://graph.microsoft.com/user.read")},

		// ARM.
		{"AuthorizationFailed by its wording alone", `Error: The client 'c' with object id 'o' does not have authorization to perform action 'Microsoft.Web/sites/read' over scope '/subscriptions/s/resourceGroups/g'.`,
			"AuthorizationFailed", diag.CauseAuthorizationFailed, facts("client_id", "c", "object_id", "o", "action", "Microsoft.Web/sites/read", "scope", "/subscriptions/s/resourceGroups/g")},
		{"LinkedAuthorizationFailed, action", `Code="LinkedAuthorizationFailed" Message="The client 'c' with object id 'o' has permission to perform action 'Microsoft.Compute/virtualMachines/write' on scope '/subscriptions/s/resourceGroups/a'; however, it does not have permission to perform action 'Microsoft.ManagedIdentity/userAssignedIdentities/assign/action' on the linked scope(s) '/subscriptions/s/resourcegroups/b/providers/Microsoft.ManagedIdentity/userAssignedIdentities/i' or the linked scope(s) are invalid."`,
			"LinkedAuthorizationFailed", diag.CauseAuthorizationFailed, facts("client_id", "c", "object_id", "o", "action", "Microsoft.ManagedIdentity/userAssignedIdentities/assign/action", "scope", "/subscriptions/s/resourcegroups/b/providers/Microsoft.ManagedIdentity/userAssignedIdentities/i")},
		{"LinkedAuthorizationFailed, deny assignment", `LinkedAuthorizationFailed: The client 'c' with object id 'o' has permission to perform action 'Microsoft.Network/virtualNetworks/write' on scope '/subscriptions/s/vnet'; however, it does not have permission to perform action 'Microsoft.Network/networkSecurityGroups/join/action' on the '0' linked scope(s) '' or the linked scope(s) are invalid and is blocked by deny assignments on the '2' linked scope(s) '/subscriptions/s/nsg1,/subscriptions/s/nsg2'.`,
			"LinkedAuthorizationFailed", diag.CauseDenyAssignment, facts("client_id", "c", "object_id", "o", "action", "Microsoft.Network/networkSecurityGroups/join/action", "scope", "/subscriptions/s/nsg1,/subscriptions/s/nsg2")},
		{"LinkedAuthorizationFailed, another tenant", `{"error":{"code":"LinkedAuthorizationFailed","message":"The client has permission to perform action 'Microsoft.Network/virtualNetworks/write' on scope '/subscriptions/s/x', however the current tenant '72f9-t' is not authorized to access linked subscription 'b7a6-s'."}}`,
			"LinkedAuthorizationFailed", diag.CauseAuthorizationFailed, facts("token_tenant", "72f9-t", "subscription", "b7a6-s")},
		{"DenyAssignmentAuthorizationFailed", `ERROR: (DenyAssignmentAuthorizationFailed) The client 'c' with object id 'o' has permission to perform action 'Microsoft.Resources/subscriptions/resourcegroups/delete' on scope '/subscriptions/s/resourcegroups/rg'; however, the access is denied because of the deny assignment with name 'System deny assignment' and Id '3d64' at scope '/subscriptions/s/resourceGroups/rg'.`,
			"DenyAssignmentAuthorizationFailed", diag.CauseDenyAssignment, facts("client_id", "c", "object_id", "o", "action", "Microsoft.Resources/subscriptions/resourcegroups/delete", "scope", "/subscriptions/s/resourcegroups/rg", "deny_assignment", "System deny assignment", "deny_scope", "/subscriptions/s/resourceGroups/rg")},
		{"InvalidAuthenticationTokenTenant, localised", `{"error":{"code":"InvalidAuthenticationTokenTenant","message":"访问令牌来自错误的颁发者“https://sts.windows.net/f8cd-t/”。它必须与此订阅相关联的租户“https://sts.windows.net/1c0b-s/”匹配。"}}`,
			"InvalidAuthenticationTokenTenant", diag.CauseWrongTenantForSubscription, facts("tenant", "1c0b-s", "token_tenant", "f8cd-t")},
		{"InvalidAuthenticationTokenAudience", `{"error":{"code":"InvalidAuthenticationTokenAudience","message":"The access token has been obtained for wrong audience or resource 'https://datalake.azure.net/'. It should exactly match with one of the allowed audiences 'https://management.core.windows.net/','https://management.azure.com'."}}`,
			"InvalidAuthenticationTokenAudience", diag.CauseAccessTokenRejected, facts()},
		{"SubscriptionNotFound nested in DeploymentFailed", `{"code":"DeploymentFailed","message":"At least one resource deployment operation failed.","details":[{"code":"NotFound","message":"{\r\n \"error\": {\r\n \"code\": \"SubscriptionNotFound\",\r\n \"message\": \"Subscription 84ca-s was not found.\"\r\n }\r\n}"}]}`,
			"SubscriptionNotFound", diag.CauseSubscriptionNotFound, facts("subscription", "84ca-s")},
		{"az: not in cloud", `ERROR: The subscription of 'my-sub' doesn't exist in cloud 'AzureCloud'.`,
			"AzureCLISubscriptionNotFound", diag.CauseSubscriptionNotFound, facts("subscription", "my-sub")},
		{"azurerm: not known by Azure CLI", `Error: building account: could not configure AzureCli Authorizer: the provided subscription ID 0f3e-s is not known by Azure CLI`,
			"AzureCLISubscriptionNotFound", diag.CauseSubscriptionNotFound, facts("subscription", "0f3e-s")},
		{"InvalidSubscriptionId", `Code="InvalidSubscriptionId" Message="The provided subscription identifier 'Pay-As-You-Go' is malformed or invalid."`,
			"InvalidSubscriptionId", diag.CauseSubscriptionNotFound, facts("subscription", "Pay-As-You-Go")},
		{"ResourceGroupNotFound", `(ResourceGroupNotFound) Resource group 'rg-x' could not be found.`,
			"ResourceGroupNotFound", diag.CauseAzureResourceNotFound, facts("resource_group", "rg-x")},
		{"MissingSubscriptionRegistration", `The subscription is not registered to use namespace 'Microsoft.Devices'. See https://aka.ms/rps-not-found for how to register subscriptions. (Code: MissingSubscriptionRegistration)`,
			"MissingSubscriptionRegistration", diag.CauseProviderRegistration, facts("namespace", "Microsoft.Devices")},
		{"RoleAssignmentExists", `{"code":"RoleAssignmentExists","message":"The role assignment already exists."}`,
			"RoleAssignmentExists", diag.CauseRoleAssignmentExists, facts()},

		// Graph, Storage, no credential.
		{"Graph by code", `UsersClient.BaseClient.Post(): unexpected status 403 with OData error: Authorization_RequestDenied: Insufficient privileges to complete the operation.`,
			"Authorization_RequestDenied", diag.CauseGraphPermissionDenied, facts()},
		{"Graph by wording", `Insufficient privileges to complete the operation.`,
			"Authorization_RequestDenied", diag.CauseGraphPermissionDenied, facts()},
		{"storage: no data role", `Status: 403 (This request is not authorized to perform this operation using this permission.)`,
			"AuthorizationPermissionMismatch", diag.CauseStorageAccessDenied, facts()},
		{"storage: firewall", `Code="AuthorizationFailure" Message="This request is not authorized to perform this operation.`,
			"AuthorizationFailure", diag.CauseStorageAccessDenied, facts()},
		{"storage: no keys", `with KeyBasedAuthenticationNotPermitted: Key based authentication is not permitted on this storage account.`,
			"KeyBasedAuthenticationNotPermitted", diag.CauseStorageAccessDenied, facts()},
		{"no token or request URL", `Error:  Unable to get ACTIONS_ID_TOKEN_REQUEST_URL env variable. Please make sure to give write permissions to id-token in the workflow.`,
			"NoOIDCToken", diag.CauseNoCredential, facts()},
		{"fall-back to az, not signed in", `Error: building AzureRM Client: obtain subscription(859a-s) from Azure CLI: parsing json result from the Azure CLI: waiting for the Azure CLI: exit status 1: ERROR: Please run 'az login' to setup account.`,
			"AzureCLINotLoggedIn", diag.CauseNoCredential, facts("subscription", "859a-s")},
		{"fall-back to az, not installed", `could not configure AzureCli Authorizer: could not parse Azure CLI version: launching Azure CLI: exec: "az": executable file not found in $PATH`,
			"AzureCLINotFound", diag.CauseNoCredential, facts()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fs := Paste(tt.text, nil)
			if len(fs) == 0 {
				t.Fatal("no finding")
			}
			f := fs[0]
			if f.Code != tt.code || f.Cause != tt.cause {
				t.Errorf("got %s (%s), want %s (%s)", f.Code, f.Cause, tt.code, tt.cause)
			}
			if d := cmp.Diff(tt.fields, f.Fields); d != "" {
				t.Errorf("fields (-want +got):\n%s", d)
			}
		})
	}
}

// TestPasteContext: the values a tool prints before the error fill what
// the error leaves out: Azure/login's Federated token details and inputs,
// the tenant in a token URL, "Trying credential under tenant", and a client
// id given as -u, --username or client_id=.
func TestPasteContext(t *testing.T) {
	tests := []struct {
		name, text string
		want       map[string]string
	}{
		{"federated token details", "Federated token details:\n issuer - https://token.actions.githubusercontent.com\n subject claim - repo:o/r:environment:dev\n audience - api://AzureADTokenExchange\nError: AADSTS700213: No matching federated identity record found for presented assertion subject 'repo:o/r:environment:dev'.",
			map[string]string{"issuer": "https://token.actions.githubusercontent.com", "subject": "repo:o/r:environment:dev", "audience": "api://AzureADTokenExchange"}},
		{"azure/login inputs", "Run azure/login@v2\n  with:\n    client-id: bcd1-c\n    tenant-id: 2a58-t\nError: AADSTS70025: Client application has no configured federated identity credentials.",
			map[string]string{"client_id": "bcd1-c", "tenant": "2a58-t"}},
		{"token URL", `FromAssertion(): http call(https://login.microsoftonline.com/78f9-t/oauth2/v2.0/token)(POST) error: reply status code was 401: {"error":"invalid_client","error_description":"AADSTS70025: Client application has no configured federated identity credentials."}`,
			map[string]string{"tenant": "78f9-t"}},
		{"trying under tenant", "Trying credential under tenant 5c2a-t\nAADSTS70025: Client application has no configured federated identity credentials.",
			map[string]string{"tenant": "5c2a-t"}},
		{"az login -u", "az login --service-principal -u 2b8e-c --federated-token $TOKEN --tenant 5c2a-t\nAADSTS70025: Client application has no configured federated identity credentials.",
			map[string]string{"client_id": "2b8e-c", "tenant": "5c2a-t"}},
		{"--username", "az login --username 2b8e-c\nAADSTS70025: Client application has no configured federated identity credentials.",
			map[string]string{"client_id": "2b8e-c"}},
		{"client_id=", "POST /t/oauth2/token body: grant_type=client_credentials&client_id=8219-c&scope=x\nAADSTS7000218: The request body must contain the following parameter: 'client_assertion' or 'client_secret'.",
			map[string]string{"client_id": "8219-c"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fs := Paste(tt.text, nil)
			if len(fs) == 0 {
				t.Fatal("no finding")
			}
			for k, v := range tt.want {
				if got := fs[0].Field(k); got != v {
					t.Errorf("%s = %q, want %q (%v)", k, got, v, fs[0].Fields)
				}
			}
		})
	}
}
