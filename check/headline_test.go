package check_test

import (
	"strings"
	"testing"
	"time"

	"github.com/oidc-doctor/oidc-doctor/check/diag"
	"github.com/oidc-doctor/oidc-doctor/check/emulator"
)

// TestHeadlineNamesTheCause: for every scenario whose failing check carries
// a service's code, the summary names the cause of that code and says
// nothing that contradicts it (issue 14: a disabled app, a missing service
// principal or missing credentials were headlined as a wrong client id).
func TestHeadlineNamesTheCause(t *testing.T) {
	notClientID := []string{"not an Application (client) ID", "no app with"}
	tests := map[string]struct {
		code      string
		want, not []string
	}{
		"subject-run-type":          {"AADSTS700213", []string{"no federated credential", "has the token's subject"}, []string{"client id is", "letter case"}},
		"subject-scope":             {"AADSTS700213", []string{"no federated credential", "has the token's subject"}, []string{"client id is", "letter case"}},
		"fic-legacy-70021":          {"AADSTS70021", []string{"no federated credential on app " + emulator.ClientID + " matches the token's issuer"}, notClientID},
		"audience-default":          {"AADSTS700212", []string{"audience demo.app.spacelift.io"}, notClientID},
		"issuer-trailing-slash":     {"AADSTS700211", []string{"issuer https://demo.app.spacelift.io"}, notClientID},
		"subject-case":              {"AADSTS7002138", []string{"other letter case"}, notClientID},
		"object-id-as-client-id":    {"AADSTS700016", []string{"no app with client id " + emulator.AppObjectID}, []string{"disabled", "service principal"}},
		"wrong-tenant":              {"AADSTS700016", []string{"tenant " + emulator.OtherTenantID + " has no app", "another tenant"}, []string{"disabled", "service principal"}},
		"tenant-not-found":          {"AADSTS90002", []string{"does not exist"}, []string{"client id"}},
		"expired-token":             {"AADSTS700024", []string{"expired"}, []string{"not valid yet"}},
		"disabled-app":              {"AADSTS7000112", []string{"service principal of app " + emulator.ClientID + " is disabled"}, notClientID},
		"no-service-principal":      {"AADSTS7000229", []string{"app " + emulator.ClientID + " has no service principal in tenant " + emulator.TenantID}, append(notClientID, "disabled")},
		"no-fics":                   {"AADSTS70025", []string{"app " + emulator.ClientID + " has no federated credentials"}, notClientID},
		"conditional-access":        {"AADSTS53003", []string{"conditional access"}, nil},
		"issuer-keys-unreachable":   {"AADSTS50166", []string{"could not reach the token's issuer"}, notClientID},
		"issuer-wrong-cert":         {"AADSTS50166", []string{"could not reach the token's issuer"}, notClientID},
		"issuer-mismatch":           {"AADSTS50166", []string{"could not reach the token's issuer"}, notClientID},
		"issuer-kid-rotated":        {"AADSTS7000272", []string{"signing key is not in the issuer's key set"}, notClientID},
		"tampered-signature":        {"AADSTS700027", []string{"signature did not verify"}, notClientID},
		"issuer-jwks-malformed":     {"AADSTS900612", []string{"signing keys"}, notClientID},
		"entra-5xx":                 {"AADSTS90033", []string{"HTTP 500"}, []string{"your configuration is"}},
		"entra-429":                 {"AADSTS90055", []string{"HTTP 429"}, []string{"your configuration is"}},
		"rbac-none":                 {"AuthorizationFailed", []string{"may not read subscription"}, nil},
		"subscription-other-tenant": {"InvalidAuthenticationTokenTenant", []string{"lives in tenant " + emulator.OtherTenantID}, nil},
		"subscription-not-found":    {"SubscriptionNotFound", []string{"not found"}, nil},
		"rbac-linked-denied":        {"LinkedAuthorizationFailed", []string{"linked resource"}, nil},
		// The state backend (issue 16), as Storage words it.
		"backend-shared-key-disabled": {"KeyBasedAuthenticationNotPermitted", []string{"does not allow shared-key access"}, []string{"no data role"}},
		"backend-container-missing":   {"ContainerNotFound", []string{"container tfstate does not exist"}, []string{"no data role"}},
		"backend-firewall":            {"AuthorizationFailure", []string{"firewall"}, []string{"no data role"}},
		"backend-no-data-role":        {"AuthorizationPermissionMismatch", []string{"no data role"}, []string{"firewall"}},
		// Graph and provider blocks (issue 17).
		"graph-refused":            {"AADSTS53003", []string{"conditional access"}, notClientID},
		"graph-5xx":                {"AADSTS90033", []string{"HTTP 503"}, []string{"your configuration is"}},
		"alias-other-tenant-no-sp": {"AADSTS700016", []string{"has no service principal for it"}, []string{"disabled", "not an Application (client) ID"}},
	}
	for _, sc := range emulator.Scenarios() {
		t.Run(sc.Name, func(t *testing.T) {
			t.Parallel()
			timeout := 20 * time.Second
			if strings.HasSuffix(sc.Name, "-hang") {
				timeout = 3 * time.Second
			}
			rep, _ := runScenario(t, sc, timeout)
			tt, listed := tests[sc.Name]
			for _, r := range rep.Results {
				if r.Status != diag.StatusFail || r.ErrorCode == "" {
					continue
				}
				if !listed {
					t.Fatalf("%s fails with %s and has no expectation here: %s", r.ID, r.ErrorCode, r.Summary)
				}
				if r.ErrorCode != tt.code {
					continue
				}
				low := strings.ToLower(r.Summary)
				named := false
				for _, w := range tt.want {
					named = named || strings.Contains(low, strings.ToLower(w))
				}
				if !named {
					t.Errorf("%s %s: summary %q names none of %q", r.ID, r.ErrorCode, r.Summary, tt.want)
				}
				for _, w := range tt.not {
					if strings.Contains(low, strings.ToLower(w)) {
						t.Errorf("%s %s: summary %q says %q, which contradicts the code", r.ID, r.ErrorCode, r.Summary, w)
					}
				}
				return
			}
			if listed {
				t.Errorf("no failing check carries %s:\n%s", tt.code, dump(rep))
			}
		})
	}
}
