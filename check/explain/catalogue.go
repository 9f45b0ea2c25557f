// Package explain is the one place that knows what a service's error means.
// Its input is an answer (the status and body of a live Entra or ARM
// response) or pasted text; its output is a cause from the shared
// vocabulary, the facts the answer names, a hint and the fixes. The live
// steps (entra, rbac) and the `explain` command both call it, so a new
// AADSTS code is one entry in this file's table.
//
// It never sends a request and uses no Azure SDK: requests that got no
// answer at all are package transport's.
package explain

import (
	"strconv"
	"strings"
	"time"

	"github.com/oidc-doctor/oidc-doctor/check/diag"
)

// This file is the single table from a service error code (AADSTSnnnn from
// Entra ID, or an ARM error code) to a root cause, a plain explanation and a
// fix. Every code was checked against Microsoft's error reference
// (https://learn.microsoft.com/entra/identity-platform/reference-error-codes)
// and real issue threads. The wording of Entra's messages is not
// contractual, so the code decides the cause; the wording only yields the
// values it names.

// CodeInfo is what oidc-doctor knows about one error code.
type CodeInfo struct {
	// Code is the code as services print it: "AADSTS700213" or "AuthorizationFailed".
	Code string
	// Cause is the root-cause category.
	Cause diag.Cause
	// Field names the setting that is wrong: "issuer", "subject", "audience",
	// "client_id", "tenant", or "" when no single setting is to blame.
	Field string
	// Title is short and lower case.
	Title string
	// Explanation says what happened in plain words.
	Explanation string
	// Fix says what to do, in the imperative.
	Fix string
}

// Shared sentences, so that every federation code says them the same way.
const (
	exactMatch = "Entra compares issuer, subject and audience as exact, case-sensitive strings: no wildcards, no trimming, a trailing slash counts."
	propagate  = "A credential created in the last few minutes may not have propagated yet: wait a few minutes and retry; if it still fails much later, delete the credential and create it again."
	ficLimit   = "An app registration or managed identity holds at most 20 federated credentials, one per exact subject."
	listFICs   = "List what the app has with: az ad app federated-credential list --id <client-id>."
	rbacDelay  = "Role assignment changes can take up to about 10 minutes to apply; a new token picks them up sooner."
)

var aadsts = map[int]CodeInfo{
	// Group A: federation matching.
	70021: {Cause: diag.CauseNoMatchingFIC, Title: "no federated credential matches the token",
		Explanation: "Entra looked at the federated credentials on the app you signed in as and found none whose issuer, subject and audience all equal the token's. " + exactMatch,
		Fix:         "Compare the issuer, subject and audience quoted in the error, byte for byte, with every federated credential on the app, and create one with exactly those values. " + listFICs + " " + propagate + " " + ficLimit},
	700211: {Cause: diag.CauseIssuerMismatch, Field: "issuer", Title: "no federated credential has the token's issuer",
		Explanation: "No federated credential on the app has an issuer equal to the token's iss. For Spacelift the issuer is https://<account>.app.spacelift.io with no trailing slash. " + exactMatch,
		Fix:         "Set the federated credential's issuer to the token's iss exactly, as quoted in the error. " + listFICs},
	700212: {Cause: diag.CauseAudienceMismatch, Field: "audience", Title: "no federated credential has the token's audience",
		Explanation: "A federated credential has the right issuer but none lists the token's aud. Spacelift tokens carry the account host name (e.g. myaccount.app.spacelift.io) as the audience, not the portal default api://AzureADTokenExchange.",
		Fix:         "Set the federated credential's audience to the token's aud exactly, as quoted in the error (the bare Spacelift host, no https://). " + listFICs},
	700213: {Cause: diag.CauseSubjectMismatch, Field: "subject", Title: "no federated credential has the token's subject",
		Explanation: "Issuer and audience matched a federated credential but no credential has the token's subject. Spacelift subjects differ per space, stack, run type and read or write scope, so each needs its own credential. " + exactMatch,
		Fix:         "Create a federated credential whose subject is the quoted subject exactly. " + propagate + " " + ficLimit},
	7002138: {Cause: diag.CauseSubjectMismatch, Field: "subject", Title: "the subject differs only in letter case",
		Explanation: "A federated credential's subject equals the token's subject when letter case is ignored, but Entra has compared subjects case-sensitively since August 2024.",
		Fix:         "Change the federated credential's subject to the quoted subject with exactly its letter case: Spacelift writes the run type in upper case (TRACKED) and everything else as the ids are spelled."},
	7002137: {Cause: diag.CauseSubjectMismatch, Field: "subject", Title: "the subject does not match the expected one",
		Explanation: "No federated credential has the presented subject, and Entra names the subject it expected. This form is usually seen with Entra-issued assertions rather than Spacelift tokens.",
		Fix:         "Make the federated credential's subject exactly the one the error expects, or present a token with that subject."},
	70025: {Cause: diag.CauseNoMatchingFIC, Field: "client_id", Title: "the app has no federated credentials",
		Explanation: "The app or managed identity behind the client ID you sent has no federated credentials at all. Usually the client ID points at a different app from the one the credentials were added to.",
		Fix:         "Check that ARM_CLIENT_ID is the Application (client) ID of the app that holds the federated credentials, or add the credentials to this app. " + listFICs},
	700222: {Cause: diag.CauseOther, Title: "an Entra-issued token was used as the assertion",
		Explanation: "The assertion was issued by Entra itself, and Entra does not accept its own tokens through a federated credential.",
		Fix:         "Present the Spacelift OIDC token (from /mnt/workspace/spacelift.oidc or SPACELIFT_OIDC_TOKEN) as the assertion, and make sure the credential's issuer is the Spacelift account URL."},
	700229: {Cause: diag.CauseOther, Title: "a user token was used as the assertion",
		Explanation: "Only app tokens can be federated when the issuer is Entra; a user's token was presented.",
		Fix:         "Present the Spacelift OIDC token as the assertion."},

	// Group B: the issuer or the JWT itself.
	50166: {Cause: diag.CauseExternalOIDCUnreachable, Field: "issuer", Title: "entra could not reach the token's issuer",
		Explanation: "Entra fetches {issuer}/.well-known/openid-configuration and the keys it lists to check the token's signature, and that request failed: the issuer is not public, is firewalled, has a TLS problem, returned an error, or timed out.",
		Fix:         "Check that curl https://<issuer>/.well-known/openid-configuration and its jwks_uri answer from the internet over valid HTTPS. If the issuer was briefly down, retry."},
	7000272: {Cause: diag.CauseSignatureOrJWKS, Field: "issuer", Title: "the token's signing key is not in the issuer's key set",
		Explanation: "The key id (kid) in the token's header is not among the keys the issuer publishes, so Entra cannot check the signature: the keys rotated, the token came from another issuer, or Entra cached old keys.",
		Fix:         "Compare the token's kid with the keys at <issuer>/.well-known/jwks, check the credential's issuer is the account that minted the token, and retry with a fresh token."},
	700027: {Cause: diag.CauseSignatureOrJWKS, Title: "the token's signature did not verify",
		Explanation: "The assertion's signature does not verify against the issuer's published keys. Usually the token was altered on the way: truncated, wrapped in quotes, or joined with other text.",
		Fix:         "Pass the token file's content unchanged (only surrounding whitespace trimmed), and check the credential's issuer is the account that minted the token."},
	50027: {Cause: diag.CauseOther, Title: "the assertion is not a valid JWT",
		Explanation: "What was sent as the client assertion could not be read as a JWT: empty, quoted, with a stray newline or a 'Bearer ' prefix, or the wrong file.",
		Fix:         "Pass the raw compact token (three base64url parts joined by dots) with surrounding whitespace trimmed; run oidc-doctor --token-file <file> to see what the file holds."},
	5002727: {Cause: diag.CauseOther, Title: "the token header has the wrong type",
		Explanation: "The JWT header's typ is not 'JWT', so Entra refuses it.",
		Fix:         "Use the token Spacelift writes for the run; an issuer must emit typ JWT for Entra to accept it."},
	700024: {Cause: diag.CauseAssertionExpired, Title: "the token is outside its valid time range",
		Explanation: "The assertion had expired, or its not-before time was still in the future, when Entra received it. Spacelift tokens are valid for one hour; a token cached or read once at start-up goes stale in long runs.",
		Fix:         "Read the token file just before each exchange and use a fresh token; if the token is not yet valid, check the runner's clock."},
	90014: {Cause: diag.CauseOther, Title: "a required field is missing",
		Explanation: "The token or the request lacks a field Entra requires, named in the error.",
		Fix:         "Check that the token has iss, sub, aud and exp, and that the request sends client_id, client_assertion and scope."},
	7000218: {Cause: diag.CauseOther, Title: "no assertion was sent",
		Explanation: "The token request carried neither a client assertion nor a secret, often because the token was empty.",
		Fix:         "Make sure the token file is non-empty and the tool is configured for OIDC (ARM_USE_OIDC=true with ARM_OIDC_TOKEN_FILE_PATH or ARM_OIDC_TOKEN)."},

	// Group C: tenant, client ID and cloud.
	90002: {Cause: diag.CauseTenantNotFound, Field: "tenant", Title: "the tenant does not exist",
		Explanation: "Entra has no tenant with the id or domain you sent, in the cloud you asked (public, US Government or China).",
		Fix:         "Set ARM_TENANT_ID to the Directory (tenant) ID shown on the app registration's overview page, and sign in to that tenant's cloud."},
	900023: {Cause: diag.CauseInvalidTenantFormat, Field: "tenant", Title: "the tenant id is malformed",
		Explanation: "The tenant you sent is neither a GUID nor a domain name, often because of a typo, quotes or stray whitespace.",
		Fix:         "Set ARM_TENANT_ID to the tenant GUID exactly, with nothing around it."},
	700016: {Cause: diag.CauseAppNotFound, Field: "client_id", Title: "no app with this client id in the tenant",
		Explanation: "The tenant has no application with the client ID you sent. The client ID must be the Application (client) ID, not the app's Object ID or the enterprise application's object id; or the app lives in another tenant.",
		Fix:         "Set ARM_CLIENT_ID to the Application (client) ID from the app registration's overview page (az ad app show --id <app> --query appId), and ARM_TENANT_ID to that app's home tenant."},
	7000229: {Cause: diag.CauseAppNotFound, Field: "client_id", Title: "the app has no service principal in the tenant",
		Explanation: "The app registration exists but has no service principal (enterprise application) in the tenant, so nothing can sign in as it. This happens after az ad app create without az ad sp create.",
		Fix:         "Create the service principal: az ad sp create --id <client-id>."},
	7000112: {Cause: diag.CauseAppDisabled, Field: "client_id", Title: "the app is disabled",
		Explanation: "The app's service principal is disabled (Enabled for users to sign in = No), so Entra issues it no tokens.",
		Fix:         "Enable it again: az ad sp update --id <client-id> --set accountEnabled=true, or set Enabled for users to sign in to Yes on the enterprise application."},
	500011: {Cause: diag.CauseResourceNotFound, Title: "the requested resource does not exist in the tenant",
		Explanation: "The scope asks for a token for a resource that the tenant (or this cloud) does not have, often a typo in the scope or another cloud's ARM address.",
		Fix:         "Request the ARM scope of the tenant's cloud: https://management.azure.com/.default in the public cloud."},
	70011: {Cause: diag.CauseInvalidScope, Title: "the scope is not valid",
		Explanation: "The scope parameter is missing or malformed.",
		Fix:         "Request <resource>/.default, e.g. https://management.azure.com/.default."},
	1002012: {Cause: diag.CauseInvalidScope, Title: "the scope must end in /.default",
		Explanation: "App sign-ins (client credentials) must ask for a scope ending in /.default.",
		Fix:         "Request https://management.azure.com/.default (or the resource's address plus /.default)."},
	90009: {Cause: diag.CauseOther, Title: "the app asked for a token for itself",
		Explanation: "The scope names the app's own identifier rather than the resource it wants to call.",
		Fix:         "Request the ARM scope, https://management.azure.com/.default."},
	90038: {Cause: diag.CauseOther, Field: "tenant", Title: "the tenant belongs to another cloud",
		Explanation: "The tenant lives in a national cloud (US Government or China) but the request went to another cloud's sign-in host.",
		Fix:         "Sign in through the tenant's cloud: set ARM_ENVIRONMENT (usgovernment, china) or the authority host to match."},
	900382: {Cause: diag.CauseOther, Field: "tenant", Title: "cross-cloud sign-in is not supported",
		Explanation: "The tenant belongs to a different national cloud from the sign-in host, and apps cannot sign in across clouds.",
		Fix:         "Sign in through the tenant's cloud: set ARM_ENVIRONMENT (usgovernment, china) or the authority host to match."},
	50059: {Cause: diag.CauseOther, Field: "tenant", Title: "no tenant in the request",
		Explanation: "The request named no tenant (a /common style address), and app sign-ins need one.",
		Fix:         "Set ARM_TENANT_ID to the tenant GUID."},
	9001023: {Cause: diag.CauseOther, Field: "tenant", Title: "app sign-in needs a tenant",
		Explanation: "App sign-ins are not supported through the /common or /consumers addresses.",
		Fix:         "Set ARM_TENANT_ID to the tenant GUID."},

	// Group D: policy and secrets.
	53003: {Cause: diag.CauseConditionalAccess, Title: "blocked by a conditional access policy",
		Explanation: "A Conditional Access policy (for example one that allows only certain locations) blocked the app's sign-in; the token and credentials may well be right.",
		Fix:         "Find the sign-in in Entra ID > Sign-in logs > Service principal sign-ins using the correlation ID, see which policy applied, and exclude the app or allow the Spacelift worker's network."},
	7000215: {Cause: diag.CauseInvalidClientSecret, Title: "a client secret was sent, and it is wrong",
		Explanation: "The sign-in used a client secret, not the OIDC token, and the secret is invalid. Something configured a secret (e.g. ARM_CLIENT_SECRET) that takes precedence over OIDC.",
		Fix:         "Remove ARM_CLIENT_SECRET (and any client_secret setting) from the stack's environment so the OIDC token is used."},
	7000222: {Cause: diag.CauseInvalidClientSecret, Title: "a client secret was sent, and it has expired",
		Explanation: "The sign-in used an expired client secret rather than the OIDC token. Something configured a secret (e.g. ARM_CLIENT_SECRET) that takes precedence over OIDC.",
		Fix:         "Remove ARM_CLIENT_SECRET (and any client_secret setting) from the stack's environment so the OIDC token is used."},
	700025: {Cause: diag.CauseOther, Field: "client_id", Title: "the app is a public client",
		Explanation: "The app registration allows public client flows, and public clients may not present an assertion.",
		Fix:         "Set Allow public client flows to No on the app registration's Authentication page (az ad app update --id <client-id> --is-fallback-public-client false)."},
}

// aliases share an entry's meaning under another code.
var aadstsAliases = map[int]int{
	90061:   50166,
	501661:  50166,
	7000219: 7000218,
	900432:  900382,
	90019:   9001023,
}

// LookupAADSTS returns what is known about an Entra error code (the number
// after "AADSTS"). For 700024 the cause is diag.CauseAssertionExpired; use
// LookupAADSTSMessage to decide from the message's times.
func LookupAADSTS(code int) (CodeInfo, bool) {
	key := code
	if a, ok := aadstsAliases[code]; ok {
		key = a
	}
	ci, ok := aadsts[key]
	if !ok {
		return CodeInfo{}, false
	}
	ci.Code = "AADSTS" + strconv.Itoa(code)
	return ci, true
}

// LookupAADSTSMessage is LookupAADSTS refined by Entra's message text: for
// 700024 it reads the three times in the message and says whether the token
// had expired or was not yet valid.
func LookupAADSTSMessage(code int, message string) (CodeInfo, bool) {
	ci, ok := LookupAADSTS(code)
	if ok && code == 700024 {
		if c, decided := AssertionTimeCause(message); decided {
			ci.Cause = c
			if c == diag.CauseAssertionNotYetValid {
				ci.Title = "the token is not valid yet"
				ci.Explanation = "The token's not-before time was later than Entra's clock when it arrived. Spacelift sets not-before to the issue time, so the clock of whatever minted or checked the token is ahead."
				ci.Fix = "Check the clock of the Spacelift worker (timedatectl, or chrony/ntp status) and retry with a fresh token."
			} else {
				ci.Title = "the token has expired"
				ci.Explanation = "The token's expiry time had passed when Entra received it. Spacelift tokens are valid for one hour; a token cached or read once at start-up goes stale in long runs."
				ci.Fix = "Read the token file just before each exchange so a fresh token is used; for Terraform, keep runs under the hour or re-read ARM_OIDC_TOKEN_FILE_PATH."
			}
		}
	}
	return ci, ok
}

// UnknownAADSTS is the honest fallback for a code not in the table: the code,
// Entra's own description, and where Microsoft documents it.
func UnknownAADSTS(code int, description, errorURI string) CodeInfo {
	n := strconv.Itoa(code)
	if errorURI == "" {
		errorURI = "https://login.microsoftonline.com/error?code=" + n
	}
	expl := "oidc-doctor has no entry for this code."
	if d := strings.TrimSpace(description); d != "" {
		expl += " Entra says: " + diag.Truncate(d, 500)
	}
	return CodeInfo{
		Code:        "AADSTS" + n,
		Cause:       diag.CauseOther,
		Title:       "entra refused the sign-in",
		Explanation: expl,
		Fix:         "Read Microsoft's page for the code at " + errorURI + ", and find the sign-in in Entra ID > Sign-in logs > Service principal sign-ins using the correlation ID.",
	}
}

// ARM error codes, plus one az CLI message, keyed in lower case.
var armCodes = map[string]CodeInfo{
	"authorizationfailed": {Code: "AuthorizationFailed", Cause: diag.CauseAuthorizationFailed, Title: "the identity lacks a role for this action",
		Explanation: "Sign-in worked, but no role assigned to the identity allows the quoted action at the quoted scope (or the scope does not exist).",
		Fix:         "Assign a role that allows the action at that scope or above, to the service principal's object id: az role assignment create --assignee-object-id <object-id> --assignee-principal-type ServicePrincipal --role <role> --scope <scope>. " + rbacDelay},
	"linkedauthorizationfailed": {Code: "LinkedAuthorizationFailed", Cause: diag.CauseAuthorizationFailed, Title: "the identity lacks a role on a linked resource",
		Explanation: "The identity may act on the target resource but not on a resource it links to (a subnet, key vault or image in another resource group or subscription).",
		Fix:         "Assign a role allowing the linked action on the linked scope named in the message. " + rbacDelay},
	"invalidauthenticationtokentenant": {Code: "InvalidAuthenticationTokenTenant", Cause: diag.CauseWrongTenantForSubscription, Field: "tenant", Title: "the subscription belongs to another tenant",
		Explanation: "The token was issued by one tenant but the subscription belongs to another; the message names both.",
		Fix:         "Set ARM_TENANT_ID to the subscription's tenant (the second tenant in the message), and make sure the app and its federated credentials live in that tenant; or use a subscription of the token's tenant."},
	"subscriptionnotfound": {Code: "SubscriptionNotFound", Cause: diag.CauseSubscriptionNotFound, Title: "the subscription does not exist",
		Explanation: "No subscription with this id is visible: a typo, a deleted subscription, or one in another tenant.",
		Fix:         "Check ARM_SUBSCRIPTION_ID against az account list --query '[].{name:name,id:id,tenant:tenantId}', and give the identity a role on it."},
	"invalidauthenticationtoken": {Code: "InvalidAuthenticationToken", Cause: diag.CauseOther, Title: "azure resource manager rejected the access token",
		Explanation: "The access token is malformed, meant for another service, or lacks an object id because the app has no service principal.",
		Fix:         "Request the token for https://management.azure.com/.default, and create the service principal if it is missing: az ad sp create --id <client-id>."},
	"expiredauthenticationtoken": {Code: "ExpiredAuthenticationToken", Cause: diag.CauseOther, Title: "the access token has expired",
		Explanation: "The Azure access token (not the Spacelift token) had expired when Azure Resource Manager received it.",
		Fix:         "Get a new access token; a long run must refresh it, which with OIDC needs a fresh Spacelift token too."},
	"missingsubscriptionregistration": {Code: "MissingSubscriptionRegistration", Cause: diag.CauseProviderRegistration, Title: "a resource provider is not registered",
		Explanation: "The subscription is not registered for the resource provider namespace named in the message, and registering it needs the <namespace>/register/action permission.",
		Fix:         "Register the namespace once as an administrator: az provider register --namespace <namespace> --subscription <subscription-id>, or give the identity a role with <namespace>/register/action."},
	"missingregistrationforresourceprovider": {Code: "MissingRegistrationForResourceProvider", Cause: diag.CauseProviderRegistration, Title: "a resource provider is not registered",
		Explanation: "The subscription is not registered for the resource provider named in the message.",
		Fix:         "Register the namespace once as an administrator: az provider register --namespace <namespace> --subscription <subscription-id>."},
	"nosubscriptionsfound": {Code: "NoSubscriptionsFound", Cause: diag.CauseSubscriptionNotFound, Title: "the identity can see no subscriptions",
		Explanation: "az signed in, but the identity has no role on any subscription of the tenant, so az found no subscriptions (this is az's own message, not an Azure error code).",
		Fix:         "Assign a role on the subscription to the service principal (az role assignment create --assignee-object-id <object-id> --assignee-principal-type ServicePrincipal --role Reader --scope /subscriptions/<subscription-id>), or log in with az login --allow-no-subscriptions. " + rbacDelay},
}

// registerInfo is AuthorizationFailed on a provider's register action.
var registerInfo = CodeInfo{Code: "AuthorizationFailed", Cause: diag.CauseProviderRegistration, Title: "the identity may not register a resource provider",
	Explanation: "A tool (often the azurerm provider) tried to register a resource provider namespace on the subscription, and the identity's roles do not allow <namespace>/register/action.",
	Fix:         "Register the namespaces once as an administrator (az provider register --namespace <namespace>), and stop the tool registering them: resource_provider_registrations = \"none\" in azurerm 4.x and later."}

// LookupARM returns what is known about an ARM error code, matched without
// regard to case. It also knows az's "No subscriptions found" message under
// the code "NoSubscriptionsFound".
func LookupARM(code string) (CodeInfo, bool) {
	ci, ok := armCodes[strings.ToLower(strings.TrimSpace(code))]
	return ci, ok
}

// LookupARMAction is LookupARM refined by the denied action: an
// AuthorizationFailed on an action ending in /register/action is a provider
// registration problem, not a missing role for the resource itself.
func LookupARMAction(code, action string) (CodeInfo, bool) {
	ci, ok := LookupARM(code)
	if ok && ci.Code == "AuthorizationFailed" && IsRegisterAction(action) {
		return registerInfo, true
	}
	return ci, ok
}

// IsRegisterAction reports whether an ARM action registers a resource
// provider, like "Microsoft.Compute/register/action".
func IsRegisterAction(action string) bool {
	return strings.HasSuffix(strings.ToLower(strings.TrimSpace(action)), "/register/action")
}

// RegisterNamespace returns the namespace of a register action
// ("Microsoft.Compute/register/action" gives "Microsoft.Compute"), or "".
func RegisterNamespace(action string) string {
	a := strings.TrimSpace(action)
	if !IsRegisterAction(a) {
		return ""
	}
	return a[:len(a)-len("/register/action")]
}

// AssertionTimeCause reads the three times in an AADSTS700024 message
// ("Current time: T, assertion valid from T, expiry time of assertion T")
// and says whether the assertion had expired or was not yet valid. It
// reports false when the times are missing or do not decide it.
func AssertionTimeCause(message string) (diag.Cause, bool) {
	now, okNow := timeAfter(message, "current time:")
	if !okNow {
		return "", false
	}
	if exp, ok := timeAfter(message, "expiry time of assertion"); ok && !now.Before(exp) {
		return diag.CauseAssertionExpired, true
	}
	if nbf, ok := timeAfter(message, "assertion valid from"); ok && now.Before(nbf) {
		return diag.CauseAssertionNotYetValid, true
	}
	return "", false
}

// timeAfter parses the RFC 3339 time that follows label in s (label is
// matched without regard to case; whitespace, including a line break, may
// sit between them).
func timeAfter(s, label string) (time.Time, bool) {
	i := indexFold(s, label)
	if i < 0 {
		return time.Time{}, false
	}
	rest := strings.TrimLeft(s[i+len(label):], " \t\r\n")
	end := strings.IndexAny(rest, " \t\r\n,;'\"")
	if end < 0 {
		end = len(rest)
	}
	v := strings.TrimRight(rest[:end], ".")
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02 15:04:05Z"} {
		if t, err := time.Parse(layout, v); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

// indexFold is strings.Index ignoring ASCII case; substr must be lower case.
func indexFold(s, substr string) int {
	n := len(substr)
	for i := 0; i+n <= len(s); i++ {
		if strings.EqualFold(s[i:i+n], substr) {
			return i
		}
	}
	return -1
}
