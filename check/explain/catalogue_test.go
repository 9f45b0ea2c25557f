package explain

import (
	"strconv"
	"strings"
	"testing"

	"github.com/oidc-doctor/oidc-doctor/check/diag"
)

// TestLookupAADSTSCauses pins the decided cause and field of every code the
// catalogue names.
func TestLookupAADSTSCauses(t *testing.T) {
	tests := []struct {
		code  int
		cause diag.Cause
		field string
	}{
		{70021, diag.CauseNoMatchingFIC, ""},
		{700211, diag.CauseIssuerMismatch, "issuer"},
		{700212, diag.CauseAudienceMismatch, "audience"},
		{700213, diag.CauseSubjectMismatch, "subject"},
		{7002138, diag.CauseSubjectMismatch, "subject"},
		{7002137, diag.CauseSubjectMismatch, "subject"},
		{70025, diag.CauseNoMatchingFIC, "client_id"},
		{700016, diag.CauseAppNotFound, "client_id"},
		{7000229, diag.CauseAppNotFound, "client_id"},
		{90002, diag.CauseTenantNotFound, "tenant"},
		{900023, diag.CauseInvalidTenantFormat, "tenant"},
		{700024, diag.CauseAssertionExpired, ""},
		{50166, diag.CauseExternalOIDCUnreachable, "issuer"},
		{90061, diag.CauseExternalOIDCUnreachable, "issuer"},
		{501661, diag.CauseExternalOIDCUnreachable, "issuer"},
		{7000272, diag.CauseSignatureOrJWKS, "issuer"},
		{700027, diag.CauseSignatureOrJWKS, ""},
		{50027, diag.CauseTokenMalformed, ""},
		{5002727, diag.CauseTokenMalformed, ""},
		{90014, diag.CauseTokenMalformed, ""},
		{7000112, diag.CauseAppDisabled, "client_id"},
		{53003, diag.CauseConditionalAccess, ""},
		{500011, diag.CauseResourceNotFound, ""},
		{70011, diag.CauseInvalidScope, ""},
		{1002012, diag.CauseInvalidScope, ""},
		{7000215, diag.CauseInvalidClientSecret, ""},
		{7000222, diag.CauseInvalidClientSecret, ""},
		{700025, diag.CauseOther, "client_id"},
		{700222, diag.CauseOther, ""},
		{700229, diag.CauseOther, ""},
		{50059, diag.CauseOther, "tenant"},
		{7000218, diag.CauseNoCredential, ""},
		{7000219, diag.CauseNoCredential, ""},
		{90038, diag.CauseOther, "tenant"},
		{900382, diag.CauseOther, "tenant"},
		{900432, diag.CauseOther, "tenant"},
		{9001023, diag.CauseOther, "tenant"},
		{90019, diag.CauseOther, "tenant"},
		{90009, diag.CauseOther, ""},
	}
	for _, tt := range tests {
		got, ok := LookupAADSTS(tt.code)
		if !ok {
			t.Errorf("LookupAADSTS(%d): not found", tt.code)
			continue
		}
		if got.Cause != tt.cause || got.Field != tt.field {
			t.Errorf("LookupAADSTS(%d) = cause %q field %q, want %q %q", tt.code, got.Cause, got.Field, tt.cause, tt.field)
		}
		if want := "AADSTS" + strconv.Itoa(tt.code); got.Code != want {
			t.Errorf("LookupAADSTS(%d).Code = %q, want %q", tt.code, got.Code, want)
		}
		checkInfo(t, got)
	}
}

// checkInfo holds every entry to the table's own rules.
// properNouns are the names a title may start with, and must capitalise.
var properNouns = map[string]bool{"Entra": true, "Azure": true, "Microsoft": true, "Terraform": true}

func checkInfo(t *testing.T, ci CodeInfo) {
	t.Helper()
	if !diag.KnownCause(ci.Cause) {
		t.Errorf("%s: unknown cause %q", ci.Code, ci.Cause)
	}
	switch ci.Field {
	case "", "issuer", "subject", "audience", "client_id", "tenant":
	default:
		t.Errorf("%s: field %q", ci.Code, ci.Field)
	}
	// A title starts lower case, unless with a name: "Entra is throttling this client".
	first, _, _ := strings.Cut(ci.Title, " ")
	if ci.Title == "" || (ci.Title != strings.ToLower(ci.Title[:1])+ci.Title[1:] && !properNouns[first]) || strings.HasSuffix(ci.Title, ".") {
		t.Errorf("%s: title %q must be non-empty, start lower case (or with a name), no final period", ci.Code, ci.Title)
	}
	for _, w := range strings.Fields(ci.Title) {
		if properNouns[strings.ToUpper(w[:1])+w[1:]] && w != strings.ToUpper(w[:1])+w[1:] {
			t.Errorf("%s: title %q writes the name %q in lower case", ci.Code, ci.Title, w)
		}
	}
	if ci.Explanation == "" || ci.Fix == "" {
		t.Errorf("%s: explanation and fix are required", ci.Code)
	}
}

func TestFederationFixesMentionPropagationAndLimits(t *testing.T) {
	for _, code := range []int{70021, 700213} {
		ci, _ := LookupAADSTS(code)
		if !strings.Contains(ci.Fix, "minutes") {
			t.Errorf("%d: fix does not mention propagation delay: %s", code, ci.Fix)
		}
		if !strings.Contains(ci.Fix, "20") {
			t.Errorf("%d: fix does not mention the 20-credential limit", code)
		}
	}
	ci, _ := LookupAADSTS(700016)
	if !strings.Contains(ci.Explanation, "Application (client) ID") || !strings.Contains(ci.Explanation, "Object ID") {
		t.Errorf("700016 must say it needs the Application (client) ID, not an object id: %s", ci.Explanation)
	}
}

func TestLookupAADSTSUnknown(t *testing.T) {
	if _, ok := LookupAADSTS(12345); ok {
		t.Fatal("LookupAADSTS(12345) found an entry")
	}
	got := UnknownAADSTS(12345, "AADSTS12345: Something new.", "")
	if got.Code != "AADSTS12345" || got.Cause != diag.CauseOther {
		t.Errorf("UnknownAADSTS = %+v", got)
	}
	if !strings.Contains(got.Explanation, "Something new.") || !strings.Contains(got.Fix, "https://login.microsoftonline.com/error?code=12345") {
		t.Errorf("UnknownAADSTS lost Entra's text or link: %+v", got)
	}
	got = UnknownAADSTS(1, "", "https://example.test/e")
	if !strings.Contains(got.Fix, "https://example.test/e") {
		t.Errorf("UnknownAADSTS ignored error_uri: %s", got.Fix)
	}
	checkInfo(t, got)
}

func TestLookupARM(t *testing.T) {
	tests := []struct {
		code, action string
		cause        diag.Cause
	}{
		{"AuthorizationFailed", "Microsoft.Resources/subscriptions/read", diag.CauseAuthorizationFailed},
		{"authorizationfailed", "", diag.CauseAuthorizationFailed},
		{"AuthorizationFailed", "Microsoft.Compute/register/action", diag.CauseProviderRegistration},
		{"AuthorizationFailed", "microsoft.compute/REGISTER/action", diag.CauseProviderRegistration},
		{"LinkedAuthorizationFailed", "", diag.CauseAuthorizationFailed},
		{"InvalidAuthenticationTokenTenant", "", diag.CauseWrongTenantForSubscription},
		{"SubscriptionNotFound", "", diag.CauseSubscriptionNotFound},
		{"InvalidAuthenticationToken", "", diag.CauseAccessTokenRejected},
		{"ExpiredAuthenticationToken", "", diag.CauseAccessTokenRejected},
		{"MissingSubscriptionRegistration", "", diag.CauseProviderRegistration},
		{"NoSubscriptionsFound", "", diag.CauseSubscriptionNotFound},
	}
	for _, tt := range tests {
		got, ok := LookupARMAction(tt.code, tt.action)
		if !ok || got.Cause != tt.cause {
			t.Errorf("LookupARMAction(%q, %q) = %q, %v; want %q", tt.code, tt.action, got.Cause, ok, tt.cause)
		}
		checkInfo(t, got)
	}
	if _, ok := LookupARM("NotACode"); ok {
		t.Error("LookupARM(NotACode) found an entry")
	}
	ci, _ := LookupARM("AuthorizationFailed")
	if !strings.Contains(ci.Fix, "10 minutes") {
		t.Errorf("AuthorizationFailed fix does not mention RBAC delay: %s", ci.Fix)
	}
}

func TestRegisterNamespace(t *testing.T) {
	for in, want := range map[string]string{
		"Microsoft.Compute/register/action":      "Microsoft.Compute",
		"Microsoft.Compute/virtualMachines/read": "",
		"":                                       "",
	} {
		if got := RegisterNamespace(in); got != want {
			t.Errorf("RegisterNamespace(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestAssertionTimeCause(t *testing.T) {
	tests := []struct {
		name, msg string
		want      diag.Cause
		ok        bool
	}{
		{"expired", "AADSTS700024: Client assertion is not within its valid time range. Current time: 2025-08-29T05:47:32.1501147Z, assertion valid from 1970-01-01T00:00:00.0000000Z, expiry time of assertion 2025-08-29T00:30:05.0000000Z. Review the documentation", diag.CauseAssertionExpired, true},
		{"not-yet-valid", "AADSTS700024: Client assertion is not within its valid time range. Current time: 2025-08-29T05:47:32.1501147Z, assertion valid from 2025-08-29T05:52:00.0000000Z, expiry time of assertion 2025-08-29T06:52:00.0000000Z.", diag.CauseAssertionNotYetValid, true},
		{"wrapped", "Current time: 2024-12-07T12:09:18.3149355Z, assertion valid from\n1970-01-01T00:00:00.0000000Z, expiry time of assertion 2024-12-07T11:14:18.0000000Z.....", diag.CauseAssertionExpired, true},
		{"no-times", "AADSTS700024: Client assertion is not within its valid time range.", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := AssertionTimeCause(tt.msg)
			if got != tt.want || ok != tt.ok {
				t.Errorf("AssertionTimeCause = %q, %v; want %q, %v", got, ok, tt.want, tt.ok)
			}
		})
	}
	ci, _ := LookupAADSTSMessage(700024, tests[1].msg)
	if ci.Cause != diag.CauseAssertionNotYetValid || !strings.Contains(ci.Fix, "clock") {
		t.Errorf("LookupAADSTSMessage(700024, not yet valid) = %+v", ci)
	}
}
