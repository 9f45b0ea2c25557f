package check_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/golang-jwt/jwt/v5"

	"github.com/oidc-doctor/oidc-doctor/check"
	"github.com/oidc-doctor/oidc-doctor/check/diag"
)

func hasFactKey(r diag.Result, k string) bool {
	for _, f := range r.Facts {
		if f.Key == k {
			return true
		}
	}
	return false
}

// subjectsOf runs `subjects` on a token with claims, and flags.
func subjectsOf(t *testing.T, claims jwt.MapClaims, in check.SubjectsInput, env map[string]string) diag.Result {
	t.Helper()
	raw, err := jwt.NewWithClaims(jwt.SigningMethodHS256, claims).SignedString([]byte("k"))
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "tok")
	if err := os.WriteFile(path, []byte(raw), 0o600); err != nil {
		t.Fatal(err)
	}
	rep, err := check.Subjects(in, check.Config{TokenFile: path, Getenv: func(k string) string { return env[k] }})
	if err != nil {
		t.Fatal(err)
	}
	return rep.Results[0]
}

// TestSubjectsTemplate: `subjects` honours the template the token shows,
// says what it cannot infer, and refuses to write credentials for a
// subject that holds the run id.
func TestSubjectsTemplate(t *testing.T) {
	const run = "01JKZAHVAQHFM8CC3EA5HWRMP1"
	claims := func(sub string) jwt.MapClaims {
		return jwt.MapClaims{"iss": "https://acme.app.spacelift.io", "aud": "acme.app.spacelift.io", "sub": sub, "jti": "f00dfeed-0000-4000-8000-000000000000",
			"spaceId": "prod-01HND497T9JKR76MR3KA2CDJHP", "callerType": "stack", "callerId": "infra", "runType": "TRACKED", "runId": run, "scope": "read"}
	}
	// No {runType}: the five run types share two subjects.
	r := subjectsOf(t, claims("acme/infra/read"), check.SubjectsInput{ClientID: "11111111-2222-3333-4444-555555555555"}, nil)
	if r.Status != diag.StatusPass || !hasFactKey(r, "acme/infra/read") || !hasFactKey(r, "acme/infra/write") || !strings.Contains(r.Summary, "up to 2 different subjects") {
		t.Errorf("no run type: %s %s %v", r.Status, r.Summary, r.Facts)
	}
	if len(r.Fixes) == 0 || !strings.Contains(r.Fixes[0].Text, `"subject":"acme/infra/write"`) {
		t.Errorf("fixes: %v", r.Fixes)
	}
	// The run type appears twice: only this run type's subjects.
	r = subjectsOf(t, claims("TRACKED/infra/TRACKED/read"), check.SubjectsInput{}, nil)
	if r.Status != diag.StatusWarn || !strings.Contains(r.Hint, "could not be told") || !hasFactKey(r, "TRACKED/infra/TRACKED/write") || !hasFactKey(r, "cannot be built") {
		t.Errorf("ambiguous run type: %s %q %v", r.Status, r.Hint, r.Facts)
	}
	// The run id: listed with a placeholder, no commands.
	r = subjectsOf(t, claims("infra:"+run+":TRACKED:read"), check.SubjectsInput{}, nil)
	if r.Status != diag.StatusWarn || !strings.Contains(r.Hint, "remove {runId}") || len(r.Fixes) != 0 || !hasFactKey(r, "infra:<runId>:PROPOSED:read") {
		t.Errorf("run id: %s %q %v %d fixes", r.Status, r.Hint, r.Facts, len(r.Fixes))
	}
	// Flags for another stack: default format, and a warning.
	r = subjectsOf(t, claims("acme/infra/read"), check.SubjectsInput{Stack: "other"}, nil)
	if r.Status != diag.StatusWarn || !strings.Contains(r.Hint, "default-format subjects of the flags' stack") {
		t.Errorf("other stack: %s %q", r.Status, r.Hint)
	}
}
