package fixes

// The identity Entra signs in: the app registration, its service principal
// and the tenant they live in. az ad app show takes an app's client id or
// object id; az ad sp show a service principal's object id or its app's
// client id (https://learn.microsoft.com/cli/azure/ad/app#az-ad-app-show,
// https://learn.microsoft.com/cli/azure/ad/sp#az-ad-sp-show).

import "github.com/oidc-doctor/oidc-doctor/check/diag"

// The answers of IdentityLookup, as its follow-up fixes name them: the
// doctor cannot know them, the look-up prints them.
const (
	PrintedClientID = "<printed-client-id>"
	PrintedTenantID = "<printed-tenant-id>"
)

// EnableServicePrincipal turns sign-in back on for an app's service
// principal (Entra's AADSTS7000112).
func EnableServicePrincipal(clientID string) []diag.Fix {
	clientID = orPlaceholder(clientID, "<client-id>")
	return []diag.Fix{
		{Title: "enable the service principal (az CLI)", Lang: "sh",
			Text: "az ad sp update --id " + Shell(clientID) + " --set accountEnabled=true\n"},
		{Title: "alternative: where Terraform manages it (azuread; 2.x names client_id application_id)", Lang: "hcl",
			Text: "resource \"azuread_service_principal\" \"spacelift\" {\n  client_id       = " + HCL(clientID) + "\n  account_enabled = true\n}\n"},
		{Title: "alternative: in the portal", Lang: "text",
			Text: "Entra ID > Enterprise applications > (the app " + clientID + ") > Properties > Enabled for users to sign in: Yes\n"},
	}
}

// CreateServicePrincipal creates the service principal an app registration
// lacks in the tenant (Entra's AADSTS7000229).
func CreateServicePrincipal(clientID string) []diag.Fix {
	clientID = orPlaceholder(clientID, "<client-id>")
	return []diag.Fix{
		{Title: "create the service principal (az CLI)", Lang: "sh",
			Text: "# A new service principal holds no Azure role yet: run oidc-doctor again to see what it needs.\n" +
				"az ad sp create --id " + Shell(clientID) + "\n"},
		{Title: "alternative: with Terraform (azuread; 2.x names client_id application_id)", Lang: "hcl",
			Text: "resource \"azuread_service_principal\" \"spacelift\" {\n  client_id = " + HCL(clientID) + "\n}\n"},
	}
}

// IdentityLookup finds out what a client id that Entra does not know in a
// tenant is (AADSTS700016, where nothing in the answer tells an app's object
// id, a service principal's object id, a client id and a wrong tenant
// apart). One command works whatever the value is: it prints the
// Application (client) ID the value belongs to and the tenant it was found
// in; the follow-ups set whichever differs from what was sent, where the
// provider reads it (client and tenant; their zero values are
// ARM_CLIENT_ID and ARM_TENANT_ID).
func IdentityLookup(clientID, tenantID string, client, tenant Setting) []diag.Fix {
	v := orPlaceholder(clientID, "<client-id>")
	t := orPlaceholder(tenantID, "<tenant-id>")
	client, tenant = client.Or("ARM_CLIENT_ID"), tenant.Or("ARM_TENANT_ID")
	return []diag.Fix{
		{Title: "look up what " + v + " is and where it lives (az CLI, signed in to the tenant that holds the app)", Lang: "sh",
			Text: "# Prints two lines: the Application (client) ID of " + v + " (an app's client id or\n" +
				"# object id, or a service principal's object id), then the tenant it was found in.\n" +
				"#   first line is not " + v + ": it is an object id; set " + client.Name() + " to the first line.\n" +
				"#   second line is not " + t + ": the app lives there; set " + tenant.Name() + " to it.\n" +
				"#   \"does not exist\": this tenant has no such app: az login --tenant <the app's tenant>, and run it again.\n" +
				"az ad sp show --id \"$(az ad app show --id " + Shell(v) + " --query appId -o tsv 2>/dev/null || echo " + Shell(v) + ")\" --query appId -o tsv && az account show --query tenantId -o tsv\n"},
		client.Fix("then, if the first line is not "+v, PrintedClientID),
		tenant.Fix("then, if the second line is not "+t, PrintedTenantID),
	}
}

// TenantLookup finds the tenant that holds an app, for an Entra error that
// blames the tenant: the look-up prints the app's client id and the
// tenant it was found in, and the follow-up sets the tenant.
func TenantLookup(clientID, tenantID string, client, tenant Setting) []diag.Fix {
	fs := IdentityLookup(clientID, tenantID, client, tenant)
	fs[0].Title = "look up the tenant that holds app " + orPlaceholder(clientID, "<client-id>") + " (az CLI, signed in to that tenant)"
	return []diag.Fix{fs[0], fs[2]}
}

// PublicClientOff turns "Allow public client flows" off, so the app may
// present a client assertion (Entra's AADSTS700025).
func PublicClientOff(clientID string) []diag.Fix {
	return []diag.Fix{{Title: "turn off public client flows (az CLI)", Lang: "sh",
		Text: "az ad app update --id " + Shell(orPlaceholder(clientID, "<client-id>")) + " --is-fallback-public-client false\n"}}
}
