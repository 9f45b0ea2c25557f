// Package check runs oidc-doctor's diagnosis: it finds and decodes the
// Spacelift OIDC token, judges it, exchanges it with Microsoft Entra ID and
// probes Azure RBAC. It returns data (a Report) and never prints: rendering
// lives in package report.
package check

import "github.com/oidc-doctor/oidc-doctor/check/diag"

// The data types live in package diag; these names keep the rest of check
// compiling while the steps move into their own packages.
type (
	Status = diag.Status
	Fact   = diag.Fact
	Fix    = diag.Fix
	Result = diag.Result
	Report = diag.Report
	Cause  = diag.Cause
)

const (
	StatusPass = diag.StatusPass
	StatusWarn = diag.StatusWarn
	StatusFail = diag.StatusFail
	StatusSkip = diag.StatusSkip
)

const (
	CauseSubjectMismatch            = diag.CauseSubjectMismatch
	CauseAudienceMismatch           = diag.CauseAudienceMismatch
	CauseIssuerMismatch             = diag.CauseIssuerMismatch
	CauseNoMatchingFIC              = diag.CauseNoMatchingFIC
	CauseAppNotFound                = diag.CauseAppNotFound
	CauseTenantNotFound             = diag.CauseTenantNotFound
	CauseInvalidTenantFormat        = diag.CauseInvalidTenantFormat
	CauseAssertionExpired           = diag.CauseAssertionExpired
	CauseAssertionNotYetValid       = diag.CauseAssertionNotYetValid
	CauseSignatureOrJWKS            = diag.CauseSignatureOrJWKS
	CauseExternalOIDCUnreachable    = diag.CauseExternalOIDCUnreachable
	CauseConditionalAccess          = diag.CauseConditionalAccess
	CauseAppDisabled                = diag.CauseAppDisabled
	CauseInvalidScope               = diag.CauseInvalidScope
	CauseResourceNotFound           = diag.CauseResourceNotFound
	CauseWrongTenantForSubscription = diag.CauseWrongTenantForSubscription
	CauseAuthorizationFailed        = diag.CauseAuthorizationFailed
	CauseProviderRegistration       = diag.CauseProviderRegistration
	CauseSubscriptionNotFound       = diag.CauseSubscriptionNotFound
	CauseInvalidClientSecret        = diag.CauseInvalidClientSecret
	CauseOther                      = diag.CauseOther
)

var (
	fact          = diag.F
	skipped       = diag.Skipped
	truncate      = diag.Truncate
	firstNonEmpty = diag.FirstNonEmpty
	humanDuration = diag.Duration
	timeStr       = diag.Time
	jsonType      = diag.JSONType
	Causes        = diag.Causes
	KnownCause    = diag.KnownCause
)
