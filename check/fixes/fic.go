package fixes

// Federated credentials: creating one (or all of a stack's) without ever
// colliding with an existing issuer and subject, and correcting a near miss
// in place, found by its values rather than by a name to fill in. Graph
// refuses a second credential with the same issuer and subject, or a taken
// name (https://learn.microsoft.com/graph/api/resources/federatedidentitycredentialconcept);
// az ad app federated-credential update takes the credential's id or name
// (https://learn.microsoft.com/cli/azure/ad/app/federated-credential).

import (
	"encoding/json"
	"strings"

	"github.com/oidc-doctor/oidc-doctor/check/diag"
)

// FIC is everything an administrator needs to create one federated
// credential. The first fix is the az command for an app registration,
// which does nothing when a credential with this issuer and subject
// exists; the alternatives follow, labelled: the exact values for the
// portal, a user-assigned managed identity, and the Terraform for each.
// Empty inputs become <placeholders>.
func FIC(clientID, issuer, subject, audience string) []diag.Fix {
	issuer = orPlaceholder(issuer, "<issuer>")
	subject = orPlaceholder(subject, "<subject>")
	audience = orPlaceholder(audience, "<audience>")
	clientID = orPlaceholder(clientID, "<client-id>")
	name := FICName(subject)
	label := hclLabel(name)
	return []diag.Fix{
		{Title: "create it on the app registration (az CLI; does nothing if a credential with this issuer and subject exists)", Lang: "sh",
			Text: ficCreate(clientID, name, issuer, subject, audience) + "\n"},
		{Title: "alternative: the federated credential's exact values, for the portal (Certificates & secrets > Federated credentials > Other issuer)", Lang: "text",
			Text: "Name:     " + name + "\nIssuer:   " + issuer + "\nSubject:  " + subject + "\nAudience: " + audience + "\n"},
		{Title: "alternative: on a user-assigned managed identity (az CLI)", Lang: "sh",
			Text: uamiCreate(name, issuer, subject, audience) + "\n"},
		{Title: "alternative: on the app registration (Terraform, azuread)", Lang: "hcl",
			Text: "resource \"azuread_application_federated_identity_credential\" " + HCL(label) + " {\n" +
				applicationIDLine +
				"  display_name   = " + HCL(name) + "\n" +
				"  description    = " + HCL(ficDescription) + "\n" +
				"  audiences      = [" + HCL(audience) + "]\n" +
				"  issuer         = " + HCL(issuer) + "\n" +
				"  subject        = " + HCL(subject) + "\n}\n"},
		{Title: "alternative: on a user-assigned managed identity (Terraform, azurerm)", Lang: "hcl",
			Text: "resource \"azurerm_federated_identity_credential\" " + HCL(label) + " {\n" +
				uamiIDLine +
				"  name                      = " + HCL(name) + "\n" +
				"  audience                  = [" + HCL(audience) + "]\n" +
				"  issuer                    = " + HCL(issuer) + "\n" +
				"  subject                   = " + HCL(subject) + "\n}\n"},
	}
}

// ficCreate is one az command that creates a credential on an app
// registration unless one with its issuer and subject exists.
func ficCreate(clientID, name, issuer, subject, audience string) string {
	id := Shell(clientID)
	return "az ad app federated-credential list --id " + id + " --query " + Query(ficSelect(issuer, subject)+".name") + " -o tsv | grep -q . || " +
		"az ad app federated-credential create --id " + id + " --parameters " + Shell(ficJSON(name, issuer, subject, audience))
}

// uamiCreate is ficCreate for a user-assigned managed identity.
func uamiCreate(name, issuer, subject, audience string) string {
	const where = " --identity-name <identity-name> --resource-group <resource-group>"
	return "az identity federated-credential list" + where + " --query " + Query(ficSelect(issuer, subject)+".name") + " -o tsv | grep -q . || " +
		"az identity federated-credential create --name " + Shell(name) + where +
		" --issuer " + Shell(issuer) + " --subject " + Shell(subject) + " --audiences " + Shell(audience)
}

// ficSelect is the JMESPath filter for the credentials with this issuer and subject.
func ficSelect(issuer, subject string) string {
	return "[?issuer==" + JMESString(issuer) + " && subject==" + JMESString(subject) + "]"
}

const applicationIDLine = "  # The app registration's resource ID: \"/applications/\" + its Object ID (not the\n" +
	"  # client ID), or azuread_application_registration.<name>.id. azuread 2.x\n" +
	"  # called this application_object_id and took the bare Object ID.\n" +
	"  application_id = \"/applications/<application-object-id>\"\n"

const uamiIDLine = "  # The identity's resource ID, or azurerm_user_assigned_identity.<name>.id.\n" +
	"  # azurerm 3.x and 4.x: parent_id = <identity-id> and resource_group_name instead.\n" +
	"  user_assigned_identity_id = \"<user-assigned-identity-id>\"\n"

// FICAll writes the fixes for many subjects at once. The first is one az
// script for an app registration, a command per subject, each doing
// nothing when a credential with its issuer and subject exists, so it can
// be run again and beside credentials made by hand. The alternatives
// follow: the values, a managed identity (one command after another, since
// parallel writes to a managed identity conflict), and one Terraform block
// using for_each.
func FICAll(clientID, issuer, audience string, subs []string) []diag.Fix {
	issuer = orPlaceholder(issuer, "<issuer>")
	audience = orPlaceholder(audience, "<audience>")
	clientID = orPlaceholder(clientID, "<client-id>")
	names := FICNames(subs)
	var values, app, uami, tf strings.Builder
	values.WriteString("Issuer:   " + issuer + "\nAudience: " + audience + "\n")
	app.WriteString("# An app holds at most 20 federated credentials. Each line skips a subject that has one.\n")
	uami.WriteString("# One at a time: parallel writes to one managed identity fail with HTTP 409.\n")
	tf.WriteString("locals {\n  # credential name => subject\n  spacelift_subjects = {\n")
	for i, sub := range subs {
		values.WriteString("\nName:     " + names[i] + "\nSubject:  " + sub + "\n")
		app.WriteString(ficCreate(clientID, names[i], issuer, sub, audience) + "\n")
		uami.WriteString(uamiCreate(names[i], issuer, sub, audience) + "\n")
		tf.WriteString("    " + HCL(names[i]) + " = " + HCL(sub) + "\n")
	}
	tf.WriteString("  }\n}\n\nresource \"azuread_application_federated_identity_credential\" \"spacelift\" {\n" +
		"  for_each = local.spacelift_subjects\n\n" +
		applicationIDLine +
		"  display_name   = each.key\n" +
		"  description    = " + HCL(ficDescription) + "\n" +
		"  audiences      = [" + HCL(audience) + "]\n" +
		"  issuer         = " + HCL(issuer) + "\n" +
		"  subject        = each.value\n}\n")
	return []diag.Fix{
		{Title: "create them on the app registration (az CLI; a subject that has a credential is skipped)", Lang: "sh", Text: app.String()},
		{Title: "alternative: the federated credentials' exact values, for the portal", Lang: "text", Text: values.String()},
		{Title: "alternative: on a user-assigned managed identity (az CLI)", Lang: "sh", Text: uami.String()},
		{Title: "alternative: on the app registration (Terraform, azuread)", Lang: "hcl", Text: tf.String()},
	}
}

// Match says which existing credential FICUpdate corrects: the one that
// differs from the token's values in the field Entra named.
type Match int

const (
	// MatchAudience finds the credential with the token's issuer and
	// subject (its audience is the wrong one).
	MatchAudience Match = iota
	// MatchIssuer finds the credential with the token's subject and
	// another issuer on the same host (a trailing slash, http://, spaces).
	MatchIssuer
	// MatchSubjectCase finds the credential with the token's issuer whose
	// subject equals the token's when letter case is ignored.
	MatchSubjectCase
)

// FICUpdate corrects a near-miss credential in place, setting its issuer,
// subject and audience to the token's. The credential is found inside the
// command, by its values (see Match), so no name is to be filled in; when
// none is found, az refuses the empty id and nothing changes.
func FICUpdate(clientID, issuer, subject, audience string, m Match) diag.Fix {
	clientID = orPlaceholder(clientID, "<client-id>")
	issuer = orPlaceholder(issuer, "<issuer>")
	subject = orPlaceholder(subject, "<subject>")
	audience = orPlaceholder(audience, "<audience>")
	params, _ := json.Marshal(struct {
		Issuer    string   `json:"issuer"`
		Subject   string   `json:"subject"`
		Audiences []string `json:"audiences"`
	}{issuer, subject, []string{audience}})
	id := Shell(clientID)
	list := "az ad app federated-credential list --id " + id + " --query "
	var find, which string
	switch m {
	case MatchIssuer:
		host := strings.TrimPrefix(strings.TrimPrefix(issuer, "https://"), "http://")
		host, _, _ = strings.Cut(host, "/")
		find = list + Query("[?subject=="+JMESString(subject)+" && issuer!="+JMESString(issuer)+" && contains(issuer, "+JMESString(host)+")].name | [0]") + " -o tsv"
		which = "the credential with this subject whose issuer is another spelling of " + host
	case MatchSubjectCase:
		find = list + Query("[?issuer=="+JMESString(issuer)+"].[name, subject]") + " -o tsv | s=" + Shell(subject) +
			" awk -F '\\t' 'tolower($2) == tolower(ENVIRON[\"s\"]) { print $1; exit }'"
		which = "the credential with this issuer whose subject differs only in letter case"
	default:
		find = list + Query(ficSelect(issuer, subject)+".name | [0]") + " -o tsv"
		which = "the credential with this issuer and subject"
	}
	return diag.Fix{Title: "correct the existing credential in place (az CLI; it finds " + which + ")", Lang: "sh",
		Text: "az ad app federated-credential update --id " + id + " --federated-credential-id \"$(" + find + ")\" --parameters " + Shell(string(params)) + "\n"}
}
