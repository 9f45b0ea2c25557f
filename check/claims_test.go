package check

import (
	"strings"
	"testing"
	"time"
)

func decoded(t *testing.T, mutate func(c map[string]any, h map[string]any)) *Token {
	t.Helper()
	tok, err := decodeUnverified(mint(t, mutate))
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
		check   func(*Token) Result
		want    Status
		wantSub string
	}{
		{"alg RS256 typ JWT", nil, checkHeader, StatusPass, "RS256"},
		{"typ absent", set("h:typ", nil), checkHeader, StatusPass, "RS256"},
		{"typ at+jwt", set("h:typ", "at+jwt"), checkHeader, StatusFail, "AADSTS5002727"},
		{"alg none", set("h:alg", "none"), checkHeader, StatusFail, "unsigned"},
		{"iss clean", nil, checkIssuerClaim, StatusPass, "exactly https://demo.app.spacelift.io"},
		{"iss trailing slash", set("iss", "https://demo.app.spacelift.io/"), checkIssuerClaim, StatusWarn, "ends with a slash"},
		{"iss http", set("iss", "http://demo.app.spacelift.io"), checkIssuerClaim, StatusFail, "https only"},
		{"iss surrounding space", set("iss", " https://demo.app.spacelift.io"), checkIssuerClaim, StatusFail, "whitespace"},
		{"iss missing", set("iss", nil), checkIssuerClaim, StatusFail, "no iss"},
		{"aud string is host", nil, checkAudience, StatusPass, "not api://AzureADTokenExchange"},
		{"aud array of one", set("aud", []string{"demo.app.spacelift.io"}), checkAudience, StatusPass, "issuer's host"},
		{"aud differs from host (self-hosted)", set("aud", "spacelift.corp.example"), checkAudience, StatusWarn, "not the issuer's host"},
		{"aud two values", set("aud", []string{"a", "b"}), checkAudience, StatusWarn, "2 values"},
		{"aud missing", set("aud", nil), checkAudience, StatusFail, "no aud"},
		{"sub default", nil, checkSubject, StatusPass, "default format"},
		{"sub custom template", set("sub", "space:root:space_path:/root:stack:azure-infra:run_type:TRACKED:scope:write"), checkSubject, StatusPass, "custom subject template"},
		{"sub default but other claims", set("sub", "space:root:stack:other:run_type:TRACKED:scope:write"), checkSubject, StatusWarn, "disagrees"},
		{"sub too long", set("sub", strings.Repeat("x", 601)), checkSubject, StatusFail, "at most 600"},
		{"tracked write", nil, checkScope, StatusPass, "TRACKED runs get write"},
		{"tracked read", set("scope", "read", "sub", "space:root:stack:azure-infra:run_type:TRACKED:scope:read"), checkScope, StatusWarn, "apply phase"},
		{"proposed read", set("scope", "read", "runType", "PROPOSED"), checkScope, StatusPass, "PROPOSED runs get read"},
		{"proposed write", set("runType", "PROPOSED"), checkScope, StatusWarn, "unexpected"},
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
		want      Status
		wantInSum string
	}{
		{"fresh", nil, StatusPass, "valid for another 55m"},
		{"expired", set("exp", at(-2*time.Minute)), StatusFail, "expired 2m 0s ago"},
		{"expires soon", set("exp", at(10*time.Minute)), StatusWarn, "expires in 10m"},
		{"nbf in the future", set("nbf", at(5*time.Minute), "iat", at(5*time.Minute), "exp", at(65*time.Minute)), StatusWarn, "clock is behind"},
		{"nbf within leeway", set("nbf", at(30*time.Second), "iat", at(30*time.Second)), StatusPass, "valid for another"},
		{"no exp", set("exp", nil), StatusFail, "no exp"},
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
	if ok.Status != StatusPass {
		t.Errorf("matching run: %s %q", ok.Status, ok.Summary)
	}
	bad := checkSpaceliftEnv(tok, envOf(map[string]string{"TF_VAR_spacelift_run_id": "01NEWER"}))
	if bad.Status != StatusWarn || !strings.Contains(bad.Summary, "not this run's") {
		t.Errorf("other run: %s %q", bad.Status, bad.Summary)
	}
	if none := checkSpaceliftEnv(tok, envOf(nil)); none.Status != StatusSkip {
		t.Errorf("outside Spacelift: %s", none.Status)
	}
}

func TestAzureSettings(t *testing.T) {
	const g = "11111111-2222-3333-4444-555555555555"
	tests := []struct {
		name      string
		env       map[string]string
		offline   bool
		want      Status
		wantInSum string
	}{
		{"all good", map[string]string{"ARM_CLIENT_ID": g, "ARM_TENANT_ID": "contoso.onmicrosoft.com", "ARM_SUBSCRIPTION_ID": g}, false, StatusPass, "well formed"},
		{"client missing online", map[string]string{"ARM_TENANT_ID": g, "ARM_SUBSCRIPTION_ID": g}, false, StatusFail, "ARM_CLIENT_ID is not set"},
		{"client missing offline", map[string]string{"ARM_TENANT_ID": g}, true, StatusWarn, "ARM_CLIENT_ID is not set"},
		{"subscription missing warns", map[string]string{"ARM_CLIENT_ID": g, "ARM_TENANT_ID": g}, false, StatusWarn, "ARM_SUBSCRIPTION_ID is not set"},
		{"quoted client", map[string]string{"ARM_CLIENT_ID": `"` + g + `"`, "ARM_TENANT_ID": g, "ARM_SUBSCRIPTION_ID": g}, false, StatusFail, "quotes"},
		{"newline in tenant", map[string]string{"ARM_CLIENT_ID": g, "ARM_TENANT_ID": g + "\n", "ARM_SUBSCRIPTION_ID": g}, false, StatusFail, "line break"},
		{"malformed tenant", map[string]string{"ARM_CLIENT_ID": g, "ARM_TENANT_ID": "contoso tenant", "ARM_SUBSCRIPTION_ID": g}, false, StatusFail, "neither a GUID nor a domain"},
		{"not a guid", map[string]string{"ARM_CLIENT_ID": "my-app", "ARM_TENANT_ID": g, "ARM_SUBSCRIPTION_ID": g}, false, StatusFail, "not a GUID"},
		{"german cloud", map[string]string{"ARM_CLIENT_ID": g, "ARM_TENANT_ID": g, "ARM_SUBSCRIPTION_ID": g, "ARM_ENVIRONMENT": "german"}, false, StatusFail, "not a cloud"},
		{"use_oidc false", map[string]string{"ARM_CLIENT_ID": g, "ARM_TENANT_ID": g, "ARM_SUBSCRIPTION_ID": g, "ARM_USE_OIDC": "false"}, false, StatusWarn, "ARM_USE_OIDC is false"},
		{"azure_client_id differs", map[string]string{"ARM_CLIENT_ID": g, "ARM_TENANT_ID": g, "ARM_SUBSCRIPTION_ID": g, "AZURE_CLIENT_ID": "x"}, false, StatusWarn, "differs from ARM_CLIENT_ID"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, rs := judgeAzureSettings(envOf(tt.env), tt.offline)
			r := rs[0]
			if r.Status != tt.want || !strings.Contains(r.Summary, tt.wantInSum) {
				t.Errorf("got %s %q, want %s containing %q", r.Status, r.Summary, tt.want, tt.wantInSum)
			}
		})
	}
	s, _ := judgeAzureSettings(envOf(map[string]string{"ARM_ENVIRONMENT": "usgovernment"}), true)
	if s.Cloud.ActiveDirectoryAuthorityHost != "https://login.microsoftonline.us/" || armScope(s.Cloud) != "https://management.core.usgovcloudapi.net//.default" {
		t.Errorf("usgovernment cloud = %s, scope %s", s.Cloud.ActiveDirectoryAuthorityHost, armScope(s.Cloud))
	}
}

func TestAuthConflictsNeverShowValues(t *testing.T) {
	r := judgeAuthConflicts(envOf(map[string]string{"ARM_CLIENT_SECRET": "s3cr3t-value", "ARM_USE_MSI": "true"}))
	if r.Status != StatusWarn || !strings.Contains(r.Summary, "ARM_CLIENT_SECRET") || !strings.Contains(r.Summary, "ARM_USE_MSI=true") {
		t.Errorf("got %s %q", r.Status, r.Summary)
	}
	for _, f := range r.Facts {
		if strings.Contains(f.Value, "s3cr3t") {
			t.Errorf("secret value printed in %v", f)
		}
	}
}
