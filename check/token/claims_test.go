package token

import (
	"strings"
	"testing"
	"time"

	"github.com/oidc-doctor/oidc-doctor/check/diag"
)

func decoded(t *testing.T, mutate func(c map[string]any, h map[string]any)) *Token {
	t.Helper()
	tok, err := DecodeUnverified(mint(t, mutate))
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

func set(kv ...any) func(c map[string]any, h map[string]any) {
	return func(c map[string]any, h map[string]any) {
		for i := 0; i < len(kv); i += 2 {
			k := kv[i].(string)
			if strings.HasPrefix(k, "h:") {
				h[k[2:]] = kv[i+1]
			} else {
				c[k] = kv[i+1]
			}
		}
	}
}

func TestClaimChecks(t *testing.T) {
	iat := testNow.Add(-5 * time.Minute).Unix()
	tests := []struct {
		name    string
		mutate  func(c map[string]any, h map[string]any)
		check   func(*Token) diag.Result
		want    diag.Status
		wantSub string
	}{
		{"alg RS256 typ JWT", nil, checkHeader, diag.StatusPass, "RS256"},
		{"typ absent", set("h:typ", nil), checkHeader, diag.StatusPass, "RS256"},
		{"typ at+jwt", set("h:typ", "at+jwt"), checkHeader, diag.StatusFail, "AADSTS5002727"},
		{"alg none", set("h:alg", "none"), checkHeader, diag.StatusFail, "unsigned"},
		{"iss clean", nil, checkIssuerClaim, diag.StatusPass, "exactly https://demo.app.spacelift.io"},
		{"iss trailing slash", set("iss", "https://demo.app.spacelift.io/"), checkIssuerClaim, diag.StatusWarn, "ends with a slash"},
		{"iss http", set("iss", "http://demo.app.spacelift.io"), checkIssuerClaim, diag.StatusFail, "https only"},
		{"iss surrounding space", set("iss", " https://demo.app.spacelift.io"), checkIssuerClaim, diag.StatusFail, "whitespace"},
		{"iss missing", set("iss", nil), checkIssuerClaim, diag.StatusFail, "no iss"},
		{"aud string is host", nil, checkAudience, diag.StatusPass, "not api://AzureADTokenExchange"},
		{"aud array of one", set("aud", []string{"demo.app.spacelift.io"}), checkAudience, diag.StatusPass, "issuer's host"},
		{"aud differs from host (self-hosted)", set("aud", "spacelift.corp.example"), checkAudience, diag.StatusWarn, "not the issuer's host"},
		{"aud two values", set("aud", []string{"a", "b"}), checkAudience, diag.StatusWarn, "2 values"},
		{"aud missing", set("aud", nil), checkAudience, diag.StatusFail, "no aud"},
		{"sub default", nil, checkSubject, diag.StatusPass, "default format"},
		{"sub custom template", set("sub", "space:root:space_path:/root:stack:azure-infra:run_type:TRACKED:scope:write"), checkSubject, diag.StatusPass, "custom subject template"},
		{"sub default but other claims", set("sub", "space:root:stack:other:run_type:TRACKED:scope:write"), checkSubject, diag.StatusWarn, "disagrees"},
		{"sub too long", set("sub", strings.Repeat("x", 601)), checkSubject, diag.StatusFail, "at most 600"},
		{"sub with an escape", set("sub", "space:root:stack:x\x1b[2K\r✓ pass:run_type:TRACKED:scope:write"), checkSubject, diag.StatusFail, `not a Spacelift subject: sub holds '\x1b' at byte 18`},
		{"sub with a space", set("sub", "space:root:stack:my stack:run_type:TRACKED:scope:write"), checkSubject, diag.StatusFail, "not a Spacelift subject"},
		{"sub with a bidi override", set("sub", "space:root:stack:x\u202e:run_type:TRACKED:scope:write"), checkSubject, diag.StatusFail, `'\u202e'`},
		{"sub custom template with every template character", set("sub", "{space}|root/x_y-z:stack"), checkSubject, diag.StatusPass, "custom subject template"},
		{"tracked write", nil, checkScope, diag.StatusPass, "TRACKED runs get write"},
		{"tracked read", set("scope", "read", "sub", "space:root:stack:azure-infra:run_type:TRACKED:scope:read"), checkScope, diag.StatusWarn, "apply phase"},
		{"proposed read", set("scope", "read", "runType", "PROPOSED"), checkScope, diag.StatusPass, "PROPOSED runs get read"},
		{"proposed write", set("runType", "PROPOSED"), checkScope, diag.StatusWarn, "unexpected"},
	}
	_ = iat
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := tt.check(decoded(t, tt.mutate))
			if r.Status != tt.want || !strings.Contains(r.Summary, tt.wantSub) {
				t.Errorf("got %s %q, want %s containing %q", r.Status, r.Summary, tt.want, tt.wantSub)
			}
		})
	}
}

func TestTrackedReadShowsApplySubject(t *testing.T) {
	r := checkScope(decoded(t, set("scope", "read", "sub", "space:root:stack:azure-infra:run_type:TRACKED:scope:read")))
	want := "space:root:stack:azure-infra:run_type:TRACKED:scope:write"
	for _, f := range r.Facts {
		if f.Key == "apply-phase subject" && f.Value == want {
			return
		}
	}
	t.Errorf("facts %v lack the apply-phase subject %s", r.Facts, want)
}

func TestLifetime(t *testing.T) {
	at := func(d time.Duration) int64 { return testNow.Add(d).Unix() }
	tests := []struct {
		name      string
		mutate    func(c map[string]any, h map[string]any)
		want      diag.Status
		wantInSum string
	}{
		{"fresh", nil, diag.StatusPass, "valid for another 55m"},
		{"expired", set("exp", at(-2*time.Minute)), diag.StatusFail, "expired 2m 0s ago"},
		{"expires soon", set("exp", at(10*time.Minute)), diag.StatusWarn, "expires in 10m"},
		{"nbf in the future", set("nbf", at(5*time.Minute), "iat", at(5*time.Minute), "exp", at(65*time.Minute)), diag.StatusWarn, "clock is behind"},
		{"nbf within leeway", set("nbf", at(30*time.Second), "iat", at(30*time.Second)), diag.StatusPass, "valid for another"},
		{"no exp", set("exp", nil), diag.StatusFail, "no exp"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := checkLifetime(decoded(t, tt.mutate), testNow)
			if r.Status != tt.want || !strings.Contains(r.Summary, tt.wantInSum) {
				t.Errorf("got %s %q, want %s containing %q", r.Status, r.Summary, tt.want, tt.wantInSum)
			}
		})
	}
}

func TestSpaceliftEnv(t *testing.T) {
	tok := decoded(t, nil)
	ok := checkSpaceliftEnv(tok, envOf(map[string]string{"TF_VAR_spacelift_run_id": "01JKZAHVAQHFM8CC3EA5HWRMP1", "TF_VAR_spacelift_stack_id": "azure-infra"}))
	if ok.Status != diag.StatusPass {
		t.Errorf("matching run: %s %q", ok.Status, ok.Summary)
	}
	bad := checkSpaceliftEnv(tok, envOf(map[string]string{"TF_VAR_spacelift_run_id": "01NEWER"}))
	if bad.Status != diag.StatusWarn || !strings.Contains(bad.Summary, "not this run's") {
		t.Errorf("other run: %s %q", bad.Status, bad.Summary)
	}
	if none := checkSpaceliftEnv(tok, envOf(nil)); none.Status != diag.StatusSkip {
		t.Errorf("outside Spacelift: %s", none.Status)
	}
}
