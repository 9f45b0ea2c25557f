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
}

// ficCauses are the causes a new federated credential fixes.
var ficCauses = map[diag.Cause]bool{diag.CauseSubjectMismatch: true, diag.CauseAudienceMismatch: true, diag.CauseIssuerMismatch: true, diag.CauseNoMatchingFIC: true}

// chooseFixes is the one place that says which fixes go with an error: the
// live exchange and `explain` both ask it. The setting the code blames comes
// first (look-ups), then what repairs the cause.
func chooseFixes(ci CodeInfo, v values) []diag.Fix {
	var out []diag.Fix
	aadsts := strings.HasPrefix(ci.Code, "AADSTS")
	switch {
	case aadsts && ci.Field == "client_id":
		out = append(out, fixes.ClientIDLookup(v.ClientID)...)
	case aadsts && ci.Field == "tenant":
		out = append(out, fixes.TenantLookup(v.ClientID))
	}
	switch {
	case ficCauses[ci.Cause] && v.Issuer != "" && v.Subject != "" && v.Audience != "":
		fs := fixes.FIC(v.ClientID, v.Issuer, v.Subject, v.Audience)
		update := fixes.FICUpdate(v.ClientID, v.Issuer, v.Subject, v.Audience)
		switch {
		case ci.Cause == diag.CauseAudienceMismatch:
			// A credential with this issuer (and most likely this subject)
			// exists with another audience: Entra refuses a second one with
			// the same issuer and subject, so correcting it comes first.
			fs = append(fs[:1:1], append([]diag.Fix{update}, fs[1:]...)...)
		case ci.Cause == diag.CauseIssuerMismatch || ci.Code == "AADSTS7002138":
			// A near-miss credential may exist: correcting it is an option.
			fs = append(fs[:2:2], append([]diag.Fix{update}, fs[2:]...)...)
		}
		out = append(out, fs...)
	case ci.Code == "AuthorizationFailed" && ci.Cause == diag.CauseAuthorizationFailed,
		ci.Code == "LinkedAuthorizationFailed" && ci.Cause == diag.CauseAuthorizationFailed && v.Action != "":
		// For a linked resource, Action and Scope are the denied ones.
		out = append(out, grantFixes(v)...)
	case ci.Cause == diag.CauseProviderRegistration:
		var ns []string
		if v.Namespace != "" {
			ns = []string{v.Namespace}
		}
		out = append(out, fixes.ProviderRegister(ns)...)
	case ci.Code == "NoSubscriptionsFound":
		out = append(out, fixes.RoleAssignment("", "Reader", "/subscriptions/<subscription-id>")...)
	}
	return out
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
