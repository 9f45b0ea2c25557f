package token

import "github.com/oidc-doctor/oidc-doctor/check/diag"

// withCauses names the cause of each failing result that has none, from
// the shared vocabulary: no token at all is no_credential, an expired one
// is assertion_expired (Entra's AADSTS700024), anything else Entra would
// refuse about the token itself is token_malformed.
func withCauses(rs []diag.Result) []diag.Result {
	for i := range rs {
		r := &rs[i]
		if r.Status != diag.StatusFail || r.Cause != "" {
			continue
		}
		switch {
		case r.ID == "token-source":
			r.Cause = diag.CauseNoCredential
		case r.ErrorCode == "AADSTS700024":
			r.Cause = diag.CauseAssertionExpired
		default:
			r.Cause = diag.CauseTokenMalformed
		}
	}
	return rs
}
