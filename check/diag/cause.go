package diag

// Cause is the stable root-cause category of a service error. Values appear
// in JSON and never change once released.
type Cause string

// The root causes oidc-doctor can name.
const (
	CauseSubjectMismatch            Cause = "subject_mismatch"
	CauseAudienceMismatch           Cause = "audience_mismatch"
	CauseIssuerMismatch             Cause = "issuer_mismatch"
	CauseNoMatchingFIC              Cause = "no_matching_fic"
	CauseAppNotFound                Cause = "app_not_found"
	CauseTenantNotFound             Cause = "tenant_not_found"
	CauseInvalidTenantFormat        Cause = "invalid_tenant_format"
	CauseAssertionExpired           Cause = "assertion_expired"
	CauseAssertionNotYetValid       Cause = "assertion_not_yet_valid"
	CauseSignatureOrJWKS            Cause = "signature_or_jwks"
	CauseExternalOIDCUnreachable    Cause = "external_oidc_unreachable"
	CauseConditionalAccess          Cause = "conditional_access"
	CauseAppDisabled                Cause = "app_disabled"
	CauseInvalidScope               Cause = "invalid_scope"
	CauseResourceNotFound           Cause = "resource_not_found"
	CauseWrongTenantForSubscription Cause = "wrong_tenant_for_subscription"
	CauseAuthorizationFailed        Cause = "authorization_failed"
	CauseProviderRegistration       Cause = "provider_registration"
	CauseSubscriptionNotFound       Cause = "subscription_not_found"
	CauseInvalidClientSecret        Cause = "invalid_client_secret"
	CauseOther                      Cause = "other"
)

// Causes lists every Cause, for validation and tests.
var Causes = []Cause{
	CauseSubjectMismatch, CauseAudienceMismatch, CauseIssuerMismatch, CauseNoMatchingFIC,
	CauseAppNotFound, CauseTenantNotFound, CauseInvalidTenantFormat, CauseAssertionExpired,
	CauseAssertionNotYetValid, CauseSignatureOrJWKS, CauseExternalOIDCUnreachable,
	CauseConditionalAccess, CauseAppDisabled, CauseInvalidScope, CauseResourceNotFound,
	CauseWrongTenantForSubscription, CauseAuthorizationFailed, CauseProviderRegistration,
	CauseSubscriptionNotFound, CauseInvalidClientSecret, CauseOther,
}

// KnownCause reports whether c is one of Causes.
func KnownCause(c Cause) bool {
	for _, k := range Causes {
		if k == c {
			return true
		}
	}
	return false
}
