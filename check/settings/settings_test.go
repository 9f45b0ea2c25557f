package settings

import (
	"strings"
	"testing"

	// arm registers the Resource Manager endpoints of the built-in clouds.
	_ "github.com/Azure/azure-sdk-for-go/sdk/azcore/arm"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/cloud"
	"github.com/oidc-doctor/oidc-doctor/check/diag"
)

func envOf(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestAzureSettings(t *testing.T) {
	const g = "11111111-2222-3333-4444-555555555555"
	tests := []struct {
		name      string
		env       map[string]string
		offline   bool
		want      diag.Status
		wantInSum string
	}{
		{"all good", map[string]string{"ARM_CLIENT_ID": g, "ARM_TENANT_ID": "contoso.onmicrosoft.com", "ARM_SUBSCRIPTION_ID": g}, false, diag.StatusPass, "well formed"},
		{"client missing online", map[string]string{"ARM_TENANT_ID": g, "ARM_SUBSCRIPTION_ID": g}, false, diag.StatusFail, "ARM_CLIENT_ID is not set"},
		{"client missing offline", map[string]string{"ARM_TENANT_ID": g}, true, diag.StatusWarn, "ARM_CLIENT_ID is not set"},
		{"subscription missing warns", map[string]string{"ARM_CLIENT_ID": g, "ARM_TENANT_ID": g}, false, diag.StatusWarn, "ARM_SUBSCRIPTION_ID is not set"},
		{"quoted client", map[string]string{"ARM_CLIENT_ID": `"` + g + `"`, "ARM_TENANT_ID": g, "ARM_SUBSCRIPTION_ID": g}, false, diag.StatusFail, "quotes"},
		{"newline in tenant", map[string]string{"ARM_CLIENT_ID": g, "ARM_TENANT_ID": g + "\n", "ARM_SUBSCRIPTION_ID": g}, false, diag.StatusFail, "line break"},
		{"malformed tenant", map[string]string{"ARM_CLIENT_ID": g, "ARM_TENANT_ID": "contoso tenant", "ARM_SUBSCRIPTION_ID": g}, false, diag.StatusFail, "neither a GUID nor a domain"},
		{"not a guid", map[string]string{"ARM_CLIENT_ID": "my-app", "ARM_TENANT_ID": g, "ARM_SUBSCRIPTION_ID": g}, false, diag.StatusFail, "not a GUID"},
		{"german cloud", map[string]string{"ARM_CLIENT_ID": g, "ARM_TENANT_ID": g, "ARM_SUBSCRIPTION_ID": g, "ARM_ENVIRONMENT": "german"}, false, diag.StatusFail, "not a cloud"},
		{"use_oidc false", map[string]string{"ARM_CLIENT_ID": g, "ARM_TENANT_ID": g, "ARM_SUBSCRIPTION_ID": g, "ARM_USE_OIDC": "false"}, false, diag.StatusWarn, "ARM_USE_OIDC is false"},
		{"azure_client_id differs", map[string]string{"ARM_CLIENT_ID": g, "ARM_TENANT_ID": g, "ARM_SUBSCRIPTION_ID": g, "AZURE_CLIENT_ID": "x"}, false, diag.StatusWarn, "differs from ARM_CLIENT_ID"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, rs := Judge(envOf(tt.env), tt.offline)
			r := rs[0]
			if r.Status != tt.want || !strings.Contains(r.Summary, tt.wantInSum) {
				t.Errorf("got %s %q, want %s containing %q", r.Status, r.Summary, tt.want, tt.wantInSum)
			}
		})
	}
	s, _ := Judge(envOf(map[string]string{"ARM_ENVIRONMENT": "usgovernment"}), true)
	if s.Cloud.ActiveDirectoryAuthorityHost != "https://login.microsoftonline.us/" || s.Cloud.Services[cloud.ResourceManager].Audience != "https://management.core.usgovcloudapi.net/" {
		t.Errorf("usgovernment cloud = %s, scope %s", s.Cloud.ActiveDirectoryAuthorityHost, s.Cloud.Services[cloud.ResourceManager].Audience)
	}
}

func TestAuthConflictsNeverShowValues(t *testing.T) {
	r := judgeAuthConflicts(envOf(map[string]string{"ARM_CLIENT_SECRET": "s3cr3t-value", "ARM_USE_MSI": "true"}))
	if r.Status != diag.StatusWarn || !strings.Contains(r.Summary, "ARM_CLIENT_SECRET") || !strings.Contains(r.Summary, "ARM_USE_MSI=true") {
		t.Errorf("got %s %q", r.Status, r.Summary)
	}
	for _, f := range r.Facts {
		if strings.Contains(f.Value, "s3cr3t") {
			t.Errorf("secret value printed in %v", f)
		}
	}
}

// TestSettingsMaskBeforeShowing: a token set where an id or a flag belongs
// is masked as it was set, before it is quoted or lower-cased, so neither a
// folded nor a case-folded token reaches the report.
func TestSettingsMaskBeforeShowing(t *testing.T) {
	const g = "11111111-2222-3333-4444-555555555555"
	sig := strings.Repeat("Q2hhbmdlZFNpZ25hdHVyZQ", 16)
	tok := "eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJodHRwczovL2RlbW8uYXBwLnNwYWNlbGlmdC5pbyJ9." + sig
	folded := tok[:60] + "\n" + tok[60:200] + "\n" + tok[200:]
	for name, env := range map[string]map[string]string{
		"ARM_USE_OIDC":            {"ARM_USE_OIDC": tok},
		"folded ARM_CLIENT_ID":    {"ARM_CLIENT_ID": folded, "ARM_TENANT_ID": g},
		"folded ARM_TENANT_ID":    {"ARM_CLIENT_ID": g, "ARM_TENANT_ID": folded},
		"AZURE_CLIENT_ID differs": {"ARM_CLIENT_ID": g, "AZURE_CLIENT_ID": folded},
		"ARM_ENVIRONMENT":         {"ARM_ENVIRONMENT": folded},
		"AZURE_AUTHORITY_HOST":    {"AZURE_AUTHORITY_HOST": folded},
	} {
		_, rs := Judge(envOf(env), false)
		var all strings.Builder
		for _, r := range rs {
			all.WriteString(r.Summary + r.Hint)
			for _, f := range r.Facts {
				all.WriteString(f.Value)
			}
		}
		for _, piece := range []string{sig[:40], strings.ToLower(sig[:40]), sig[len(sig)-40:], strings.ToLower(sig[len(sig)-40:])} {
			if strings.Contains(all.String(), piece) {
				t.Errorf("%s: the report holds the token: %q", name, all.String())
				break
			}
		}
		if !strings.Contains(all.String(), "[REDACTED JWT sha256:") {
			t.Errorf("%s: no mask in %q", name, all.String())
		}
	}
}

// TestGraphScopeOfJudgedCloud: the Graph scope follows the cloud the step
// judged: US Government L5 has its own Graph beside L4's Cloud, and a name
// azurerm does not know (judged a failure, the public cloud assumed) gets
// the public Graph, not the one its letters resemble.
func TestGraphScopeOfJudgedCloud(t *testing.T) {
	for env, want := range map[string]string{
		"":             "https://graph.microsoft.com/.default",
		"USGovernment": "https://graph.microsoft.us/.default",
		"dod":          "https://dod-graph.microsoft.us/.default",
		"china":        "https://microsoftgraph.chinacloudapi.cn/.default",
		" china":       "https://graph.microsoft.com/.default",
		"german":       "https://graph.microsoft.com/.default",
	} {
		s, _ := Judge(envOf(map[string]string{"ARM_ENVIRONMENT": env}), true)
		if s.GraphScope != want {
			t.Errorf("ARM_ENVIRONMENT %q: Graph scope %q, want %q", env, s.GraphScope, want)
		}
	}
}
