package diag

// Cause is the stable root-cause category of a failure: a service error,
// a local finding, or a fault that stopped a step. One vocabulary serves the
// live checks and `explain`. Values appear in JSON and never change once
// released.
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
	// CauseNoCredential: Terraform (a provider or the state backend) will
	// find no credential it can use, so it falls back to the Azure CLI,
	// which the runner image does not have.
	CauseNoCredential Cause = "no_credential"
	// CauseStorageAccessDenied: Azure Storage refused the identity the
	// data access it asked for (AuthorizationPermissionMismatch), or the
	// identity lacks a data role Terraform needs (the state lock).
	CauseStorageAccessDenied Cause = "storage_access_denied"
	// CauseContainerNotFound: the state container does not exist.
	CauseContainerNotFound Cause = "container_not_found"
	// CauseSharedKeyDisabled: the backend would use the account key, and
	// the account has shared-key access turned off
	// (KeyBasedAuthenticationNotPermitted).
	CauseSharedKeyDisabled Cause = "shared_key_disabled"
	CauseOther             Cause = "other"

	// Faults: a step could not finish, so nothing is known about the
	// configuration it would have judged. A report whose failures are all
	// faults is inconclusive (exit 4), never a misconfiguration.

	// CauseTimeout: no answer before the step's deadline (or a hang).
	CauseTimeout Cause = "timeout"
	// CauseNetworkFault: the request got no answer: a reset, a refused
	// connection, a DNS failure that a retry could change.
	CauseNetworkFault Cause = "network_fault"
	// CauseServiceFault: the service answered with a 5xx, or a 429 that
	// outlived the bounded retries.
	CauseServiceFault Cause = "service_fault"

	// CauseNetworkConfig: the worker reached something, but not the
	// service as it must (an untrusted or wrong certificate, a name that
	// does not resolve, a proxy refusing): Terraform fails the same way and
	// no retry changes it.
	CauseNetworkConfig Cause = "network_config"
)

// Fault reports whether c is a fault of a service or the network rather
// than a finding about the configuration.
func (c Cause) Fault() bool {
	return c == CauseTimeout || c == CauseNetworkFault || c == CauseServiceFault
}

// Causes lists every Cause, for validation and tests.
var Causes = []Cause{
	CauseSubjectMismatch, CauseAudienceMismatch, CauseIssuerMismatch, CauseNoMatchingFIC,
	CauseAppNotFound, CauseTenantNotFound, CauseInvalidTenantFormat, CauseAssertionExpired,
	CauseAssertionNotYetValid, CauseSignatureOrJWKS, CauseExternalOIDCUnreachable,
	CauseConditionalAccess, CauseAppDisabled, CauseInvalidScope, CauseResourceNotFound,
	CauseWrongTenantForSubscription, CauseAuthorizationFailed, CauseProviderRegistration,
	CauseSubscriptionNotFound, CauseInvalidClientSecret, CauseNoCredential, CauseStorageAccessDenied,
	CauseContainerNotFound, CauseSharedKeyDisabled, CauseOther,
	CauseTimeout, CauseNetworkFault, CauseServiceFault, CauseNetworkConfig,
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

// Outcome is what a report concludes, from which the exit code follows.
type Outcome string

// The outcomes, from best to worst as the exit code sees them.
const (
	// OutcomePass: no check failed or warned.
	OutcomePass Outcome = "pass"
	// OutcomeWarn: no check failed; some warned.
	OutcomeWarn Outcome = "warn"
	// OutcomeInconclusive: every failure is a fault (Cause.Fault): a
	// service or the network stopped a step, and nothing is known to be
	// misconfigured.
	OutcomeInconclusive Outcome = "inconclusive"
	// OutcomeFail: at least one check failed for a reason that is not a
	// fault: a misconfiguration the run will hit.
	OutcomeFail Outcome = "fail"
)

// Outcome says what the report concludes. A failure with no cause counts
// as a misconfiguration.
func (rep Report) Outcome() Outcome {
	out := OutcomePass
	for _, r := range rep.Results {
		switch {
		case r.Status == StatusFail && !r.Cause.Fault():
			return OutcomeFail
		case r.Status == StatusFail:
			out = OutcomeInconclusive
		case r.Status == StatusWarn && out == OutcomePass:
			out = OutcomeWarn
		}
	}
	return out
}
