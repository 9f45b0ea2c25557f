// Package graph holds what oidc-doctor knows about Microsoft Graph, as
// public data with dated sources: the Graph scope of each cloud, the
// built-in directory roles a token's wids name, and the application
// permissions the azuread provider's resources and data sources need. It
// answers questions about a Graph token's claims; it sends no request
// (package entra does) and reads no answer of Graph's API (package
// explain does).
//
// It imports nothing of the project.
package graph

import "strings"

// Scopes of Microsoft Graph per azurerm environment name (ARM_ENVIRONMENT),
// as go-azure-sdk builds them: the Graph endpoint plus "/.default"
// (https://github.com/hashicorp/go-azure-sdk, sdk/environments: azure_public.go,
// azure_gov.go, azure_china.go, helpers.go MicrosoftGraphAPI, scopes.go
// Scope, as vendored in terraform-provider-azurerm v5.2.0; the same roots
// as https://learn.microsoft.com/graph/deployments). US Government L5
// (DoD) shares L4's sign-in host but has its own Graph.
var scopes = map[string]string{
	"":               "https://graph.microsoft.com/.default",
	"public":         "https://graph.microsoft.com/.default",
	"global":         "https://graph.microsoft.com/.default",
	"canary":         "https://graph.microsoft.com/.default",
	"usgovernment":   "https://graph.microsoft.us/.default",
	"usgovernmentl4": "https://graph.microsoft.us/.default",
	"dod":            "https://dod-graph.microsoft.us/.default",
	"usgovernmentl5": "https://dod-graph.microsoft.us/.default",
	"china":          "https://microsoftgraph.chinacloudapi.cn/.default",
}

// Scope is the Graph scope azurerm asks for in the environment named by
// ARM_ENVIRONMENT; a name azurerm does not know gets the public cloud's, as
// the settings step judges it.
func Scope(environment string) string {
	if s, ok := scopes[strings.ToLower(strings.TrimSpace(environment))]; ok {
		return s
	}
	return scopes[""]
}

// Endpoint is the Graph API root of a scope: "https://graph.microsoft.com".
func Endpoint(scope string) string { return strings.TrimSuffix(scope, "/.default") }

// Permissions that may list an application's federated identity
// credentials (GET /applications(appId='{appId}')/federatedIdentityCredentials),
// least privileged first
// (https://learn.microsoft.com/graph/api/application-list-federatedidentitycredentials,
// "Permissions", ms.date 04/04/2024). With OwnedBy, only those of apps the
// identity owns.
var credentialReaders = []string{"Application.Read.All", "Application.ReadWrite.OwnedBy", "Application.ReadWrite.All"}

// CredentialReaders lists the permissions that may list an app's
// federated credentials, for messages.
func CredentialReaders() []string { return append([]string(nil), credentialReaders...) }

// CanListCredentials reports whether roles (a token's roles claim) hold a
// permission that may list an app's federated credentials.
func CanListCredentials(roles []string) bool {
	for _, r := range roles {
		for _, c := range credentialReaders {
			if strings.EqualFold(r, c) {
				return true
			}
		}
	}
	return false
}
