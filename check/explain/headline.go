package explain

// The headline and the facts of a live Entra refusal: the cause in the
// words of its code (the catalogue's Headline), with the values the
// exchange sent. A code that names the app found (disabled, without a
// service principal, without credentials) never says the client id is
// wrong.

import (
	"fmt"
	"strings"

	"github.com/oidc-doctor/oidc-doctor/check/diag"
	"github.com/oidc-doctor/oidc-doctor/check/fixes"
)

// headline is the summary of a refusal: the code's Headline with the
// values filled in, or, for a code without one, its title and the value
// its field names.
func headline(info CodeInfo, v values) string {
	if info.Headline != "" {
		return strings.NewReplacer("{client}", v.ClientID, "{tenant}", v.TenantID, "{issuer}", v.Issuer,
			"{subject}", v.Subject, "{audience}", v.Audience).Replace(info.Headline)
	}
	switch info.Field {
	case "issuer", "subject", "audience":
		presented := v.field(info.Field)
		if ficCauses[info.Cause] {
			return fmt.Sprintf("%s: the token presents %s %q (app %s)", info.Title, info.Field, presented, v.ClientID)
		}
		return fmt.Sprintf("%s (%s %s; see issuer-discovery and issuer-signature)", info.Title, info.Field, presented)
	case "client_id":
		return fmt.Sprintf("%s: %s %s", info.Title, v.client().Name(), v.ClientID)
	case "tenant":
		return fmt.Sprintf("%s: %s %q", info.Title, v.tenant().Name(), v.TenantID)
	}
	return info.Title
}

// client and tenant are where the client id and the tenant are set.
func (v values) client() fixes.Setting { return v.Client.Or("ARM_CLIENT_ID") }
func (v values) tenant() fixes.Setting { return v.Tenant.Or("ARM_TENANT_ID") }

// field is the value of a federated credential's field.
func (v values) field(name string) string {
	switch name {
	case "issuer":
		return v.Issuer
	case "subject":
		return v.Subject
	case "audience":
		return v.Audience
	}
	return ""
}

// refusalFacts are what a refusal says about the settings sent (v, and the
// token tok): the value the code blames, the likely shapes of a credential mismatch, and for the
// app's codes what Entra found of the app.
func refusalFacts(info CodeInfo, v values, tok *Token, description string) []diag.Fact {
	var out []diag.Fact
	switch info.Field {
	case "issuer", "subject", "audience":
		presented := v.field(info.Field)
		out = append(out, diag.F("wrong field", info.Field), diag.F("presented "+info.Field, presented))
		if ficCauses[info.Cause] {
			out = append(out, MismatchShapes(info.Code, info.Field, presented, tok).Facts()...)
		}
	case "tenant":
		out = append(out, diag.F("wrong setting", v.tenant().Name()), diag.F("presented "+v.tenant().Short(), v.TenantID),
			diag.F("expected", "the Directory (tenant) ID that holds the app registration"))
	case "client_id":
		out = append(out, diag.F("presented "+v.client().Short(), v.ClientID))
	}
	switch canonical(info.Code) {
	case 700016:
		out = append(out, diag.F("wrong setting", v.client().Name()+", or "+v.tenant().Name()+": the look-up below tells which"),
			diag.F("expected", "the Application (client) ID of the app registration or managed identity that holds the federated credentials, in tenant "+v.TenantID))
		if m := directoryRE.FindStringSubmatch(description); m != nil {
			out = append(out, diag.F("directory searched", m[1]+" (tenant "+v.TenantID+")"))
		}
	case 7000229:
		out = append(out, diag.F("service principal", "none in tenant "+v.TenantID+": the app registration exists"))
	case 7000112:
		out = append(out, diag.F("service principal", "disabled (accountEnabled false): the app exists"))
	case 70025:
		out = append(out, diag.F("federated credentials", "none on app "+v.ClientID))
	}
	return out
}
