package explain

// Pulling the values an error names out of its (normalised) text: the
// issuer, subject and audience Entra quotes, the client and tenant, the
// denied action and scope, the subscription, the namespace. Each is read
// from the error's own wording; the code decides what the error means.

import (
	"strings"

	"github.com/oidc-doctor/oidc-doctor/check/diag"
)

// fieldOrder is the order of Finding.Fields.
var fieldOrder = []string{"issuer", "subject", "audience", "expected_subject", "client_id", "object_id", "tenant", "token_tenant",
	"subscription", "resource_group", "action", "scope", "namespace", "deny_assignment", "deny_scope", "policy_ids"}

// assertionLabels are the field and its two labels in Entra's wordings:
// "Assertion Issuer: '…'" (70021) and "presented assertion issuer '…'".
var assertionLabels = [][3]string{
	{"issuer", "Assertion Issuer:", "presented assertion issuer"},
	{"subject", "Assertion Subject:", "presented assertion subject"},
	{"audience", "Assertion Audience:", "presented assertion audience"},
}

// entraFields pulls the values an Entra message names. Each group of
// labels is tried only when the message has a word they all share.
func entraFields(msg string) fieldSet {
	var fs fieldSet
	has := func(w string) bool { return strings.Contains(msg, w) }
	if has("ssertion") {
		for _, l := range assertionLabels {
			fs.quoted(msg, l[0], l[1], l[2])
			if _, ok := fs[l[0]]; !ok {
				if v := wordAfter(msg, l[2]); v != "" && !strings.HasPrefix(v, "'") {
					fs.set(l[0], strings.TrimRight(v, "."))
				}
			}
		}
		fs.quoted(msg, "expected_subject", "federated identity credential Subject is")
	}
	if has("pplication") || has("lient") || has("app") {
		fs.quoted(msg, "client_id", "Application with identifier", "The client", "Application", "secret added to app", "secret keys for app", "for app Id")
		fs.word(msg, "client_id", "The client application")
	}
	if has("enant") || has("irectory") {
		fs.quoted(msg, "tenant", "was not found in the directory", "Tenant", "Specified tenant identifier")
		fs.word(msg, "tenant", "missing service principal in the tenant")
		if v := sentenceAfter(msg, "not found in the tenant named"); v != "" {
			fs.set("tenant", v)
		}
	}
	if has("metadata") {
		fs.word(msg, "issuer", "in the metadata of identity provider")
	}
	if has("scope") || has("principal named") {
		fs.word(msg, "scope", "The resource principal named", "The provided value for scope", "isn't valid. The scope", "is not valid. The scope")
	}
	if ids := policyIDs(msg); ids != "" {
		fs.set("policy_ids", ids)
	}
	return fs
}

// splitIDs splits policyIDs' comma-separated list; nil for "".
func splitIDs(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, ",")
}

// policyIDs reads the Conditional Access policy ids from an answer's
// claims: {"access_token":{"capolids":{"essential":true,"values":["id",...]}}}.
func policyIDs(s string) string {
	i := strings.Index(s, "capolids")
	if i < 0 {
		return ""
	}
	w := s[i:min(len(s), i+1200)]
	j := strings.Index(w, "values")
	if j < 0 {
		return ""
	}
	w = w[j:]
	open, end := strings.IndexByte(w, '['), strings.IndexByte(w, ']')
	if open < 0 || end < open {
		return ""
	}
	var ids []string
	for _, p := range strings.Split(w[open+1:end], ",") {
		if v := strings.Trim(p, " \n\t\"\\"); v != "" {
			ids = append(ids, v)
		}
	}
	return strings.Join(ids, ",")
}

// What to look for in an Azure error, by code: a code the catalogue lacks
// is searched for everything.
const (
	wantIdentity = 1 << iota // the client, its object id, the action and scope
	wantSubscription
	wantNamespace
	wantResourceGroup
	wantAll = wantIdentity | wantSubscription | wantNamespace | wantResourceGroup
)

var azureWants = map[string]int{
	"authorizationfailed": wantIdentity, "linkedauthorizationfailed": wantIdentity, "denyassignmentauthorizationfailed": wantIdentity,
	"subscriptionnotfound": wantSubscription, "invalidsubscriptionid": wantSubscription, "azureclisubscriptionnotfound": wantSubscription,
	"azureclinotloggedin": wantSubscription, "internalservererror": wantSubscription, "subscriptionrequeststhrottled": wantSubscription,
	"readonlydisabledsubscription": wantSubscription, "resourcerequeststhrottled": wantIdentity,
	"missingsubscriptionregistration": wantNamespace, "missingregistrationforresourceprovider": wantNamespace,
	"providerregistrationfailed": wantNamespace | wantIdentity,
	"resourcegroupnotfound":      wantResourceGroup, "resourcenotfound": wantResourceGroup,
}

// azureFields pulls the values an Azure error names, and the variant its
// wording gives the code ("deny", "crosstenant", "notfound", "storage").
func azureFields(code, w, back string) (fieldSet, string) {
	var fs fieldSet
	variant := ""
	lc := strings.ToLower(code)
	want, known := azureWants[lc]
	if _, inCatalogue := armCodes[lc]; !known && !inCatalogue {
		want = wantAll
	}
	if want&wantIdentity != 0 {
		fs.quoted(w, "client_id", "The client")
		fs.quoted(w, "object_id", "with object id")
	}
	switch lc {
	case "linkedauthorizationfailed":
		variant = linkedFields(&fs, w)
	case "denyassignmentauthorizationfailed":
		fs.quoted(w, "action", "has permission to perform action")
		fs.quoted(w, "scope", "on scope")
		if i := indexLabel(w, "deny assignment with name", 0); i >= 0 {
			fs.quoted(w[i:], "deny_assignment", "deny assignment with name")
			fs.quoted(w[i:], "deny_scope", "at scope")
		}
	case "invalidauthenticationtokentenant":
		tenantFields(&fs, w)
	case "authenticationfailed":
		if isStorageAuth(back + w) {
			variant = "storage"
		}
	case "principalnotfound":
		fs.word(w, "object_id", "Principal ")
		fs.word(w, "tenant", "does not exist in the directory")
	case "nosubscriptionsfound":
		fs.word(w, "client_id", "No subscriptions found for")
	default:
		if want&wantIdentity != 0 {
			fs.quoted(w, "action", "does not have authorization to perform action", "does not have permission to perform action", "perform action", "for action")
			fs.quoted(w, "scope", "over scope", "at scope", "on scope")
		}
	}
	if want&wantSubscription != 0 {
		subscriptionFields(&fs, w)
	}
	if want&wantNamespace != 0 {
		namespaceFields(&fs, w)
	}
	if want&wantResourceGroup != 0 {
		fs.quoted(w, "resource_group", "Resource group", "under resource group")
	}
	return fs, variant
}

// linkedFields reads LinkedAuthorizationFailed in its wordings: the
// denied action and the linked scope (never the action that was
// permitted), a deny assignment on the linked scope, a linked subscription
// of another tenant, or one that does not exist.
func linkedFields(fs *fieldSet, w string) string {
	switch {
	case indexLabel(w, "is not authorized to access linked subscription", 0) >= 0:
		fs.quoted(w, "token_tenant", "the current tenant")
		fs.quoted(w, "subscription", "linked subscription")
		return "crosstenant"
	case indexLabel(w, "the linked subscription", 0) >= 0 && indexLabel(w, "was not found", 0) >= 0:
		fs.quoted(w, "subscription", "the linked subscription")
		return "notfound"
	}
	fs.quoted(w, "action", "does not have permission to perform action(s)", "does not have permission to perform action")
	if i := indexLabel(w, "blocked by deny assignments on the", 0); i >= 0 {
		rest := w[i:]
		fs.quoted(rest, "scope", "linked scope(s)")
		return "deny"
	}
	fs.quoted(w, "scope", "on the linked scope(s)")
	return ""
}

// tenantFields reads InvalidAuthenticationTokenTenant: the token's tenant
// (the wrong issuer) and the subscription's. A localised message keeps the
// two sts.windows.net URLs in that order.
func tenantFields(fs *fieldSet, w string) {
	if iss, ok := quotedAfter(w, "wrong issuer"); ok {
		fs.set("token_tenant", tenantOfIssuer(iss))
	}
	if iss, ok := quotedAfter(w, "must match the tenant"); ok {
		fs.set("tenant", tenantOfIssuer(iss))
	}
	var ts []string
	for from := 0; len(ts) < 2; {
		i := strings.Index(w[from:], "sts.windows.net/")
		if i < 0 {
			break
		}
		from += i + len("sts.windows.net/")
		end := strings.IndexAny(w[from:], "/'\"” \n")
		if end <= 0 {
			continue
		}
		ts = append(ts, w[from:from+end])
	}
	if len(ts) == 2 {
		fs.set("token_tenant", ts[0])
		fs.set("tenant", ts[1])
	}
}

// subscriptionFields reads the subscription in the wordings of ARM, az and
// azurerm.
func subscriptionFields(fs *fieldSet, w string) {
	fs.quoted(w, "subscription", "The subscription of", "The subscription", "The provided subscription identifier", "subscription id")
	if (*fs)["subscription"] != "" {
		return
	}
	if v := wordAfter(w, "Subscription "); v != "" {
		if i := indexLabel(w, "Subscription "+v, 0); i >= 0 && indexLabel(w[i:min(len(w), i+200)], "was not found", 0) >= 0 {
			fs.set("subscription", v)
			return
		}
	}
	if v := wordAfter(w, "the provided subscription ID"); v != "" {
		fs.set("subscription", v)
		return
	}
	if i := strings.Index(w, "obtain subscription("); i >= 0 {
		rest := w[i+len("obtain subscription("):]
		if j := strings.IndexByte(rest, ')'); j > 0 && j < 100 {
			fs.set("subscription", rest[:j])
		}
	}
}

// namespaceFields reads a resource provider namespace.
func namespaceFields(fs *fieldSet, w string) {
	fs.quoted(w, "namespace", "to use namespace")
	fs.word(w, "namespace", "to use namespace")
	if v, ok := doubleQuotedAfter(w, "registering resource provider"); ok {
		fs.set("namespace", v)
	}
	if v := wordAfter(w, "Cannot register providers:"); v != "" {
		fs.set("namespace", strings.TrimRight(v, ","))
	}
	fs.word(w, "namespace", "Cannot register provider")
}

// doubleQuotedAfter is quotedAfter for "…" quotes.
func doubleQuotedAfter(s, label string) (string, bool) {
	i := indexLabel(s, label, 0)
	if i < 0 {
		return "", false
	}
	rest := strings.TrimLeft(s[i+matchLabel(s[i:], label):], " ")
	if !strings.HasPrefix(rest, `"`) {
		return "", false
	}
	end := strings.IndexByte(rest[1:], '"')
	if end <= 0 || end > 200 {
		return "", false
	}
	return rest[1 : 1+end], true
}

// isStorageAuth tells Azure Storage's AuthenticationFailed from ARM's.
func isStorageAuth(s string) bool {
	for _, m := range []string{"Server failed to authenticate the request", "AuthenticationErrorDetail", "<Code>AuthenticationFailed"} {
		if strings.Contains(s, m) {
			return true
		}
	}
	return false
}

// tenantOfIssuer returns the tenant id in "https://sts.windows.net/{tid}/",
// a substring of the text, or the issuer itself ("" stays "").
func tenantOfIssuer(iss string) string {
	t := strings.TrimSuffix(iss, "/")
	if i := strings.LastIndexByte(t, '/'); i >= 0 && i+1 < len(t) {
		return t[i+1:]
	}
	return iss
}

// requestIDs reads the ids a support request needs from Azure's texts: the
// correlation id and the request (or tracking) id.
func requestIDs(w string) (trace, corr string) {
	corr, _ = quotedAfter(w, "request correlation id")
	corr = diag.FirstNonEmpty(corr, wordAfter(w, "x-ms-correlation-request-id:"), wordAfter(w, "CorrelationId:"))
	tracking, _ := quotedAfter(w, "tracking id")
	trace = diag.FirstNonEmpty(wordAfter(w, "x-ms-request-id:"), wordAfter(w, "RequestId:"), tracking)
	return trace, corr
}

// sentenceAfter is the text after label up to the end of its sentence
// (". " or a line end), for values with spaces in them such as a tenant's
// display name; "" when it runs longer than 120 bytes.
func sentenceAfter(s, label string) string {
	i := indexLabel(s, label, 0)
	if i < 0 {
		return ""
	}
	rest := strings.TrimLeft(s[i+matchLabel(s[i:], label):], " ")
	end := len(rest)
	for _, stop := range []string{". ", ".\n", "\n", `"`} {
		if j := strings.Index(rest[:end], stop); j >= 0 {
			end = j
		}
	}
	if end > 120 {
		return ""
	}
	return strings.TrimRight(rest[:end], ".")
}
