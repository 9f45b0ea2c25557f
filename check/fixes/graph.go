package fixes

import (
	"strings"

	"github.com/oidc-doctor/oidc-doctor/check/diag"
)

// GraphPermission is one Microsoft Graph application permission to grant:
// its name ("Group.Read.All") and its appRole id on Graph's service principal.
type GraphPermission struct {
	Name, AppRoleID string
}

// graphAppID is Microsoft Graph's application id in every tenant.
const graphAppID = "00000003-0000-0000-c000-000000000000"

// GraphPermissions grants Microsoft Graph application permissions to the
// app with clientID (whose service principal's object id is objectID):
// add them and grant admin consent with az, or assign the app roles with
// azuread, which is the consent itself
// (https://learn.microsoft.com/cli/azure/ad/app/permission;
// https://registry.terraform.io/providers/hashicorp/azuread/latest/docs/resources/app_role_assignment).
func GraphPermissions(clientID, objectID string, perms []GraphPermission) []diag.Fix {
	clientID = orPlaceholder(clientID, "<client-id>")
	objectID = orPlaceholder(objectID, "<service-principal-object-id>")
	var ids []string
	var tf strings.Builder
	for _, p := range perms {
		ids = append(ids, orPlaceholder(p.AppRoleID, "<app-role-id>")+"=Role")
		tf.WriteString("resource \"azuread_app_role_assignment\" " + HCL(hclLabel("graph-"+p.Name)) + " {\n" +
			"  app_role_id         = data.azuread_service_principal.msgraph.app_role_ids[" + HCL(p.Name) + "]\n" +
			"  principal_object_id = " + HCL(objectID) + "\n" +
			"  resource_object_id  = data.azuread_service_principal.msgraph.object_id\n}\n\n")
	}
	return []diag.Fix{
		{Title: "grant the Microsoft Graph application permissions (az CLI, as an administrator)", Lang: "sh",
			Text: "# " + permNames(perms) + "\n" +
				"az ad app permission add --id " + Shell(clientID) + " --api " + graphAppID + " --api-permissions " + strings.Join(ids, " ") + "\n" +
				"az ad app permission admin-consent --id " + Shell(clientID) + "\n" +
				"# new Graph tokens carry them in roles; check: az ad app permission list --id " + Shell(clientID) + "\n"},
		{Title: "or assign them (Terraform, azuread, applied by an administrator's identity)", Lang: "hcl",
			Text: "data \"azuread_service_principal\" \"msgraph\" {\n  client_id = \"" + graphAppID + "\" # application_id in azuread 2.x\n}\n\n" +
				strings.TrimSuffix(tf.String(), "\n")},
	}
}

func permNames(perms []GraphPermission) string {
	var n []string
	for _, p := range perms {
		n = append(n, p.Name)
	}
	return strings.Join(n, ", ")
}
