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
	// Headline is the summary of a live refusal: the cause in the words of
	// the code, with {client}, {tenant}, {issuer}, {subject} and {audience}
	// standing for the values the exchange sent. Empty means Title.
	Headline string
}

// Shared sentences, so that every federation code says them the same way.
const (
	exactMatch = "Entra compares issuer, subject and audience as exact, case-sensitive strings: no wildcards, no trimming, a trailing slash counts."
	propagate  = "A credential created in the last few minutes may not have propagated yet: wait a few minutes and retry; if it still fails much later, delete the credential and create it again."
	ficLimit   = "An app registration or managed identity holds at most 20 federated credentials, one per exact subject."
	listFICs   = "List what the app has with: az ad app federated-credential list --id <client-id>."
	rbacDelay  = "Role assignment changes can take up to about 10 minutes to apply; a new token picks them up sooner."
)

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

// canonical is the catalogue's number for an AADSTS code ("AADSTS90019"
// gives 9001023, whose meaning it shares), or 0 for another code.
func canonical(code string) int {
	n, ok := strings.CutPrefix(code, "AADSTS")
	if !ok {
		return 0
	}
	c, err := strconv.Atoi(n)
	if err != nil {
		return 0
	}
	if a, ok := aadstsAliases[c]; ok {
		return a
	}
	return c
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
		Title:       "Entra refused the sign-in",
		Explanation: expl,
		Fix:         "Read Microsoft's page for the code at " + errorURI + ", and find the sign-in in Entra ID > Sign-in logs > Service principal sign-ins using the correlation ID.",
	}
}

// LookupARM returns what is known about an Azure error code (Resource
// Manager, Microsoft Graph, Storage), matched without regard to case. It
// also knows the messages of az and azurerm that carry no code, under names
// of their own: NoSubscriptionsFound, AzureCLISubscriptionNotFound,
// AzureCLINotLoggedIn, AzureCLINotFound, NoOIDCToken, SubscriptionIDNotSet
// and ProviderRegistrationFailed.
func LookupARM(code string) (CodeInfo, bool) {
	ci, ok := armCodes[strings.ToLower(strings.TrimSpace(code))]
	return ci, ok
}

// lookupVariant is LookupARM for a code whose wording gave it another
// meaning ("deny", "crosstenant", "notfound", "storage"); it falls back to
// the code's own entry.
func lookupVariant(code, variant string) (CodeInfo, bool) {
	if variant != "" {
		if ci, ok := armCodes[strings.ToLower(code)+"/"+variant]; ok {
			return ci, true
		}
	}
	return LookupARM(code)
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
	rest := strings.TrimLeft(s[i+len(label):], ": \t\r\n")
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
