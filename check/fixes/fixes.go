// Package fixes writes paste-ready fixes for an administrator: the
// federated credential's values, az CLI commands and Terraform. Shell
// arguments are single-quoted whenever they hold anything but safe
// characters; HCL strings are escaped, including template sequences. Values
// that are not known are written as <placeholders> for the administrator to
// fill in.
package fixes

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"strings"

	"github.com/oidc-doctor/oidc-doctor/check/diag"
	"github.com/oidc-doctor/oidc-doctor/check/spacelift"
)

const ficDescription = "Spacelift OIDC federation (written by oidc-doctor)"

// FICName is a readable, deterministic federated-credential name for a
// subject, valid under ^[a-zA-Z0-9][a-zA-Z0-9-_]{2,119}$. A default-format
// subject gives e.g. "spacelift-azure-infra-tracked-write" (module subjects
// add "module-"); any subject that cannot be spelled that way without loss
// (custom templates, upper case or odd characters in ids), and any name cut
// to fit, ends in an 8-character hash of the whole subject.
func FICName(sub string) string {
	var readable string
	lossless := false
	if s, err := spacelift.ParseSubject(sub); err == nil {
		parts := []string{"spacelift"}
		if s.CallerType == "module" {
			parts = append(parts, "module")
		}
		parts = append(parts, s.CallerID, strings.ToLower(s.RunType), s.Scope)
		readable = strings.Join(parts, "-")
		lossless = nameSafe(s.CallerID)
	} else {
		readable = "spacelift-" + sanitizeName(sub)
	}
	readable = strings.Trim(readable, "-_")
	if lossless && len(readable) <= 120 {
		return readable
	}
	suffix := "-" + shortHash(sub)
	if len(readable) > 120-len(suffix) {
		readable = strings.TrimRight(readable[:120-len(suffix)], "-_")
	}
	return readable + suffix
}

// FICNames names many subjects at once, adding the hash suffix to any name
// that two subjects would share (the same stack in two spaces, say).
func FICNames(subs []string) []string {
	names := make([]string, len(subs))
	count := map[string]int{}
	for i, s := range subs {
		names[i] = FICName(s)
		count[names[i]]++
	}
	for i, s := range subs {
		if count[names[i]] > 1 {
			n := names[i]
			if len(n) > 111 {
				n = strings.TrimRight(n[:111], "-_")
			}
			names[i] = n + "-" + shortHash(s)
		}
	}
	return names
}

func shortHash(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:4])
}

// nameSafe reports whether s is already lower-case name material.
func nameSafe(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return s != ""
}

// sanitizeName lower-cases s and turns each run of characters a name may
// not hold into one '-'.
func sanitizeName(s string) string {
	var b strings.Builder
	dash := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'A' && c <= 'Z':
			c += 'a' - 'A'
			fallthrough
		case c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_':
			b.WriteByte(c)
			dash = false
		default:
			if !dash {
				b.WriteByte('-')
				dash = true
			}
		}
	}
	return b.String()
}

// ficParams is the JSON that az ad app federated-credential create takes.
type ficParams struct {
	Name        string   `json:"name"`
	Issuer      string   `json:"issuer"`
	Subject     string   `json:"subject"`
	Audiences   []string `json:"audiences"`
	Description string   `json:"description"`
}

func ficJSON(name, issuer, subject, audience string) string {
	b, _ := json.Marshal(ficParams{Name: name, Issuer: issuer, Subject: subject, Audiences: []string{audience}, Description: ficDescription})
	return string(b)
}

// orPlaceholder returns v, or p when v is empty.
func orPlaceholder(v, p string) string {
	if strings.TrimSpace(v) == "" {
		return p
	}
	return v
}

// Shell quotes s for a POSIX shell unless it is plainly safe or a
// <placeholder> to be replaced.
func Shell(s string) string {
	if isPlaceholder(s) {
		return s
	}
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789@%_+=:,./-") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

func isPlaceholder(s string) bool {
	return len(s) > 2 && s[0] == '<' && s[len(s)-1] == '>' && !strings.ContainsAny(s[1:len(s)-1], "<>'\"`$\\ \t\n;&|")
}

// HCL is s as an HCL quoted string, with template sequences escaped.
func HCL(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '"' || c == '\\':
			b.WriteByte('\\')
			b.WriteByte(c)
		case c == '\n':
			b.WriteString(`\n`)
		case c == '\r':
			b.WriteString(`\r`)
		case c == '\t':
			b.WriteString(`\t`)
		case (c == '$' || c == '%') && i+1 < len(s) && s[i+1] == '{':
			b.WriteByte(c)
			b.WriteByte(c)
		default:
			b.WriteByte(c)
		}
	}
	b.WriteByte('"')
	return b.String()
}

// hclLabel turns a credential name into a Terraform resource label.
func hclLabel(name string) string {
	l := strings.ReplaceAll(name, "-", "_")
	if l == "" || !(l[0] >= 'a' && l[0] <= 'z' || l[0] >= 'A' && l[0] <= 'Z' || l[0] == '_') {
		l = "fic_" + l
	}
	return l
}

// RoleAssignment grants role at scope to the service principal whose
// object id is objectID (the enterprise application's object id, the oid
// of its access token; not the client ID).
func RoleAssignment(objectID, role, scope string) []diag.Fix {
	objectID = orPlaceholder(objectID, "<service-principal-object-id>")
	role = orPlaceholder(role, "<role>")
	scope = orPlaceholder(scope, "<scope>")
	return []diag.Fix{
		{Title: "assign the role (az CLI)", Lang: "sh",
			Text: "# Role changes can take up to about 10 minutes to apply.\n" +
				"az role assignment create --assignee-object-id " + Shell(objectID) +
				" --assignee-principal-type ServicePrincipal --role " + Shell(role) + " --scope " + Shell(scope) + "\n" +
				"# check: az role assignment list --assignee " + Shell(objectID) + " --scope " + Shell(scope) + " --include-inherited\n"},
		{Title: "assign the role (Terraform, azurerm)", Lang: "hcl",
			Text: "resource \"azurerm_role_assignment\" \"spacelift\" {\n" +
				"  scope                = " + HCL(scope) + "\n" +
				"  role_definition_name = " + HCL(role) + "\n" +
				"  principal_id         = " + HCL(objectID) + "\n" +
				"  principal_type       = \"ServicePrincipal\"\n}\n"},
	}
}

// ProviderRegister registers resource provider namespaces once, as an
// administrator, so the identity does not need <namespace>/register/action.
func ProviderRegister(namespaces []string) []diag.Fix {
	if len(namespaces) == 0 {
		namespaces = []string{"<namespace>"}
	}
	var sh, tf strings.Builder
	sh.WriteString("# As an administrator of the subscription:\n")
	tf.WriteString("# Register once, and stop the provider registering on every run\n" +
		"# (provider \"azurerm\" { resource_provider_registrations = \"none\" }; azurerm 4.x+).\n")
	for i, ns := range namespaces {
		sh.WriteString("az provider register --namespace " + Shell(ns) + " --subscription <subscription-id>\n")
		if i > 0 {
			tf.WriteString("\n")
		}
		tf.WriteString("resource \"azurerm_resource_provider_registration\" " + HCL(hclLabel(sanitizeName(ns))) + " {\n" +
			"  name = " + HCL(ns) + "\n}\n")
	}
	return []diag.Fix{
		{Title: "register the resource providers (az CLI)", Lang: "sh", Text: sh.String()},
		{Title: "register the resource providers (Terraform, azurerm)", Lang: "hcl", Text: tf.String()},
	}
}
