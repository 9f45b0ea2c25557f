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

// TestSubjectsStatus: a plain listing passes; subjects that cannot be known
// for sure (the module segment) warn. A custom template's subjects are
// rebuilt from the token's (TestSubjectsTemplate).
func TestSubjectsStatus(t *testing.T) {
	flags := func(in check.SubjectsInput) diag.Status {
		t.Helper()
		rep, err := check.Subjects(in, check.Config{})
		if err != nil {
			t.Fatal(err)
		}
		return rep.Results[0].Status
	}
	if got := flags(check.SubjectsInput{Space: "root", Stack: "infra", Account: "acme.app.spacelift.io"}); got != diag.StatusPass {
		t.Errorf("stack listing = %s, want pass", got)
	}
	if got := flags(check.SubjectsInput{Space: "root", Module: "net", Account: "acme.app.spacelift.io"}); got != diag.StatusWarn {
		t.Errorf("module listing = %s, want warn (the module segment is not known for sure)", got)
	}
	// A token whose sub is not in the default format: a custom template.
	raw, err := jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.MapClaims{
		"iss": "https://acme.app.spacelift.io", "aud": "acme.app.spacelift.io",
		"sub":     "space:root:space_path:/root:stack:infra:run_type:TRACKED:scope:write",
		"spaceId": "root", "callerType": "stack", "callerId": "infra", "runType": "TRACKED", "scope": "write",
	}).SignedString([]byte("k"))
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "tok")
	if err := os.WriteFile(path, []byte(raw), 0o600); err != nil {
		t.Fatal(err)
	}
	rep, err := check.Subjects(check.SubjectsInput{}, check.Config{TokenFile: path})
	if err != nil {
		t.Fatal(err)
	}
	if r := rep.Results[0]; r.Status != diag.StatusPass || !hasFactKey(r, "space:root:space_path:/root:stack:infra:run_type:PROPOSED:scope:read") {
		t.Errorf("custom template: %s %q %v", r.Status, r.Hint, r.Facts)
	}
	// A sub with a character no template produces is not Spacelift's.
	raw, err = jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.MapClaims{
		"iss": "https://acme.app.spacelift.io", "aud": "acme.app.spacelift.io",
		"sub": "space:root:stack:infra\x1b[2K:run_type:TRACKED:scope:write", "spaceId": "root", "callerType": "stack", "callerId": "infra",
	}).SignedString([]byte("k"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(raw), 0o600); err != nil {
		t.Fatal(err)
	}
	rep, err = check.Subjects(check.SubjectsInput{}, check.Config{TokenFile: path})
	if err != nil {
		t.Fatal(err)
	}
	if r := rep.Results[0]; r.Status != diag.StatusWarn || !strings.Contains(r.Hint, "not a Spacelift subject") {
		t.Errorf("a foreign subject: %s %q", r.Status, r.Hint)
	}
}
