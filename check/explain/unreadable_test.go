package explain

import (
	"testing"

	"github.com/oidc-doctor/oidc-doctor/check/diag"
)

// TestEntraUnreadable: an answer the SDK could not read is a fault when it
// was Entra's own (its JSON, cut short; a 5xx or a 429), and someone
// answering in Entra's place when it is a page of another type.
func TestEntraUnreadable(t *testing.T) {
	tests := []struct {
		status int
		ct     string
		want   diag.Cause
	}{
		{200, "application/json; charset=utf-8", diag.CauseNetworkFault},
		{400, "application/problem+json", diag.CauseNetworkFault},
		{503, "application/json", diag.CauseServiceFault},
		{429, "", diag.CauseServiceFault},
		{200, "text/html; charset=utf-8", diag.CauseOther},
		{200, "text/plain", diag.CauseOther},
		{200, "", diag.CauseOther},
	}
	for _, tt := range tests {
		v := EntraUnreadable("login.microsoftonline.com", tt.status, tt.ct)
		if v.Cause != tt.want {
			t.Errorf("HTTP %d %q: cause %s, want %s (%s)", tt.status, tt.ct, v.Cause, tt.want, v.Summary)
		}
		if v.Summary == "" || v.Hint == "" {
			t.Errorf("HTTP %d %q: no summary or hint", tt.status, tt.ct)
		}
	}
}
