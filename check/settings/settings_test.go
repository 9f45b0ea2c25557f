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
