package rbac

import "github.com/oidc-doctor/oidc-doctor/check/diag"

// withCauses names the cause of each failing result that has none: a
// provider the run needs and may not register is provider_registration;
// a missing permission or role, authorization_failed.
func withCauses(rs []diag.Result) []diag.Result {
	for i := range rs {
		r := &rs[i]
		if r.Status != diag.StatusFail || r.Cause != "" {
			continue
		}
		switch r.ID {
		case idRBACProviders:
			r.Cause = diag.CauseProviderRegistration
		default:
			r.Cause = diag.CauseAuthorizationFailed
		}
	}
	return rs
}
