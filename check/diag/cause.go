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

	// CauseNoCredential: no credential reached Entra: no OIDC token (or
	// no request URL to fetch one), an empty assertion, or a tool that
	// fell back to the Azure CLI, which is not signed in or not installed.
	CauseNoCredential Cause = "no_credential"
	// CauseTokenMalformed: the OIDC token cannot be accepted as it is: not
	// a JWT, a header Entra refuses, a required claim missing or unusable.
	CauseTokenMalformed Cause = "token_malformed"
	// CauseSettingsInvalid: an ARM_* setting is missing or malformed.
	CauseSettingsInvalid Cause = "settings_invalid"
	// CauseClockSkew: the worker's clock disagrees with the services'.
	CauseClockSkew Cause = "clock_skew"
	// CauseAccessTokenRejected: Azure Resource Manager (or Graph) refused
	// the Azure access token itself: wrong audience, expired, malformed,
	// missing, or naming no service principal.
	CauseAccessTokenRejected Cause = "access_token_rejected"
	// CauseDenyAssignment: a deny assignment blocks the action; no role
	// assignment can lift it.
	CauseDenyAssignment Cause = "deny_assignment"
	// CauseSubscriptionDisabled: the subscription is disabled (read only).
	CauseSubscriptionDisabled Cause = "subscription_disabled"
	// CauseAzureResourceNotFound: a resource group, resource or storage
	// container the request names does not exist (or is elsewhere).
	CauseAzureResourceNotFound Cause = "azure_resource_not_found"
	// CausePrincipalNotFound: a role assignment names a principal the
	// directory does not (yet) know.
	CausePrincipalNotFound Cause = "principal_not_found"
	// CauseRoleAssignmentExists: the role assignment being created exists.
	CauseRoleAssignmentExists Cause = "role_assignment_exists"
	// CauseGraphPermissionDenied: Microsoft Graph refused the identity for
	// lack of a directory permission or role.
	CauseGraphPermissionDenied Cause = "graph_permission_denied"
	// CauseStorageAccessDenied: an Azure Storage data plane refused the
	// request: no data role, shared keys disabled, or a network rule.
	CauseStorageAccessDenied Cause = "storage_access_denied"
	// CauseOther: the service named a reason no finer cause covers.
	CauseOther Cause = "other"

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
	CauseSubscriptionNotFound, CauseInvalidClientSecret,
	CauseNoCredential, CauseTokenMalformed, CauseSettingsInvalid, CauseClockSkew,
	CauseAccessTokenRejected, CauseDenyAssignment, CauseSubscriptionDisabled,
	CauseAzureResourceNotFound, CausePrincipalNotFound, CauseRoleAssignmentExists,
	CauseGraphPermissionDenied, CauseStorageAccessDenied, CauseOther,
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
