package explain

import (
	"strings"

	"github.com/oidc-doctor/oidc-doctor/check/diag"
	"github.com/oidc-doctor/oidc-doctor/check/fixes"
	"github.com/oidc-doctor/oidc-doctor/check/roles"
)

// values are what is known about a failure, to fill its fixes: from the
// live exchange's settings and token, or from a paste and --token-file.
type values struct {
	ClientID, TenantID, Issuer, Subject, Audience string
	ObjectID, Action, Scope, Namespace            string
	// Client and Tenant are where ClientID and TenantID are set; the zero
	// value is ARM_CLIENT_ID and ARM_TENANT_ID.
	Client, Tenant fixes.Setting
	// Policies are the Conditional Access policy ids the answer names
	// (capolids); GraphEndpoint is the cloud's Microsoft Graph, "" when
	// not known.
	Policies      []string
	GraphEndpoint string
}

// settingWords puts the settings a live exchange read where the
// catalogue's prose names them: the catalogue says ARM_CLIENT_ID and
// ARM_TENANT_ID, as most stacks set them, and a provider block with its
// own client_id or tenant_id reads those instead.
func settingWords(client, tenant fixes.Setting) *strings.Replacer {
	return strings.NewReplacer("ARM_CLIENT_ID", client.Name(), "ARM_TENANT_ID", tenant.Name())
}

// ficCauses are the causes a new federated credential fixes.
var ficCauses = map[diag.Cause]bool{diag.CauseSubjectMismatch: true, diag.CauseAudienceMismatch: true, diag.CauseIssuerMismatch: true, diag.CauseNoMatchingFIC: true}

// chooseFixes is the one place that says which fixes go with an error: the
// live exchange and `explain` both ask it. The fixes follow the code's
// cause, never the setting it names: the first one repairs it when pasted
// (or, for a look-up, when its answer is put into the fix after it), and
// the alternatives after it say so in their titles.
func chooseFixes(ci CodeInfo, v values) []diag.Fix {
	switch canonical(ci.Code) {
	case 7000112:
		return fixes.EnableServicePrincipal(v.ClientID)
	case 7000229:
		return fixes.CreateServicePrincipal(v.ClientID)
	case 700016:
		return fixes.IdentityLookup(v.ClientID, v.TenantID, v.Client, v.Tenant)
	case 700025:
		return fixes.PublicClientOff(v.ClientID)
	case 90002, 900023, 50059, 9001023:
		return fixes.TenantLookup(v.ClientID, v.TenantID, v.Client, v.Tenant)
	case 53003, 50158:
		return fixes.ConditionalAccess(v.GraphEndpoint, v.Policies, v.ClientID)
	case 70025:
		// The app has no credential at all: only creating one repairs it,
		// whatever of its values the answer left unknown.
		return fixes.FIC(v.ClientID, v.Issuer, v.Subject, v.Audience)
	}
	switch {
	case ficCauses[ci.Cause] && v.Issuer != "" && v.Subject != "" && v.Audience != "":
		return ficFixes(ci, v)
	case ci.Code == "AuthorizationFailed" && ci.Cause == diag.CauseAuthorizationFailed,
		ci.Code == "LinkedAuthorizationFailed" && ci.Cause == diag.CauseAuthorizationFailed && v.Action != "":
		// For a linked resource, Action and Scope are the denied ones.
		return grantFixes(v)
	case ci.Cause == diag.CauseProviderRegistration:
		var ns []string
		if v.Namespace != "" {
			ns = []string{v.Namespace}
		}
		return fixes.ProviderRegister(ns)
	case ci.Code == "NoSubscriptionsFound":
		return fixes.RoleAssignment("", "Reader", "/subscriptions/<subscription-id>")
	}
	return nil
}

// ficFixes repair a credential mismatch. Where Entra says a credential
// differs from the token in one value (the audience, the issuer, the
// subject's letter case), that credential is corrected in place first:
// creating another beside it would collide with its issuer and subject, or
// with its name. Otherwise the credential is created, skipped when one
// with this issuer and subject exists.
func ficFixes(ci CodeInfo, v values) []diag.Fix {
	create := fixes.FIC(v.ClientID, v.Issuer, v.Subject, v.Audience)
	var match fixes.Match
	switch n := canonical(ci.Code); {
	case n == 700212 || ci.Cause == diag.CauseAudienceMismatch:
		match = fixes.MatchAudience
	case n == 700211 || ci.Cause == diag.CauseIssuerMismatch:
		match = fixes.MatchIssuer
	case n == 7002138:
		match = fixes.MatchSubjectCase
	case n == 70021:
		// The older code names no field: the audience may be the wrong one.
		update := fixes.FICUpdate(v.ClientID, v.Issuer, v.Subject, v.Audience, fixes.MatchAudience)
		update.Title = "alternative: when a credential already has this issuer and subject (its audience is then the wrong one), " + update.Title
		return append(create[:1:1], append([]diag.Fix{update}, create[1:]...)...)
	default:
		return create
	}
	create[0].Title = "alternative: when no credential is found to correct, " + create[0].Title
	return append([]diag.Fix{fixes.FICUpdate(v.ClientID, v.Issuer, v.Subject, v.Audience, match)}, create...)
}

// grantFixes repair a denied action least privilege first: the narrowest
// built-in role at the narrowest scope that exists (creating a resource
// group needs the subscription, never the group-to-be), then broader
// options, labelled (package roles decides).
func grantFixes(v values) []diag.Fix {
	if v.Action == "" {
		return fixes.RoleAssignment(v.ObjectID, "<role>", v.Scope)
	}
	return roles.Grant(v.ObjectID, []string{v.Action}, v.Scope)
}
