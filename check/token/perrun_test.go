package token

import (
	"strings"
	"testing"

	"github.com/oidc-doctor/oidc-doctor/check/diag"
)

func TestPerRunSubject(t *testing.T) {
	const run = "01JKZAHVAQHFM8CC3EA5HWRMP1"
	env := func(m map[string]string) func(string) string { return func(k string) string { return m[k] } }
	tests := []struct {
		name   string
		mutate func(c map[string]any, h map[string]any)
		env    map[string]string
		want   diag.Status
		in     string
	}{
		{"default subject", set("runId", run), nil, diag.StatusPass, "default format"},
		{"runId in sub", set("runId", run, "sub", "space:root:stack:azure-infra:run:"+run+":run_type:TRACKED:scope:write"), nil, diag.StatusFail, "run's runId " + run},
		{"jti in sub", set("jti", "c0ffee00-1234-4abc-9def-0123456789ab", "sub", "stack:azure-infra:c0ffee00-1234-4abc-9def-0123456789ab"), nil, diag.StatusFail, "run's jti"},
		{"TF_VAR_spacelift_run_id in sub", set("runId", nil, "sub", "stack:azure-infra:"+run), map[string]string{"TF_VAR_spacelift_run_id": run}, diag.StatusFail, "TF_VAR_spacelift_run_id"},
		{"a short run id matches nothing", set("runId", "01J", "sub", "stack:01J:TRACKED"), nil, diag.StatusPass, "custom subject template"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tok := decoded(t, tt.mutate)
			r := perRunSubject(checkSubject(tok), tok, env(tt.env))
			if r.Status != tt.want || !strings.Contains(r.Summary, tt.in) {
				t.Errorf("%s: %s", r.Status, r.Summary)
			}
			if tt.want == diag.StatusFail && (r.Cause != diag.CauseSubjectMismatch || !strings.Contains(r.Hint, "{runId}")) {
				t.Errorf("cause %q hint %q", r.Cause, r.Hint)
			}
		})
	}
}
