package emulator

import (
	"strings"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
)

// armAs exchanges the scenario's token and GETs each path with it.
func armAs(t *testing.T, name string) func(path string) (int, string) {
	t.Helper()
	e := start(t, name, Options{})
	tok, err := credential(t, e).GetToken(ctxTimeout(t, 10*time.Second), policy.TokenRequestOptions{Scopes: []string{armScope}})
	if err != nil {
		t.Fatal(err)
	}
	return func(path string) (int, string) {
		res, b := armGet(t, e, tok.Token, path)
		return res.StatusCode, string(b)
	}
}

const sub = "/subscriptions/" + SubscriptionID

func TestARMResourceGroupOnly(t *testing.T) {
	for _, tt := range []struct {
		preset string
		subGET int
	}{{"rbac-rg-only", 403}, {"rbac-rg-only-sub-readable", 200}} {
		t.Run(tt.preset, func(t *testing.T) {
			get := armAs(t, tt.preset)
			if st, b := get(sub + "?api-version=2022-12-01"); st != tt.subGET {
				t.Errorf("subscription GET: %d %s", st, b)
			}
			if st, b := get("/subscriptions?api-version=2022-12-01"); st != 200 || strings.Contains(b, SubscriptionID) != (tt.subGET == 200) {
				t.Errorf("subscription list: %d %s", st, b)
			}
			// Subscription-scope reads are denied or empty either way.
			if st, b := get(sub + "/providers?api-version=2021-04-01"); st != 403 || !strings.Contains(b, "Microsoft.Resources/subscriptions/providers/read") {
				t.Errorf("providers: %d %s", st, b)
			}
			if st, b := get(sub + "/providers/Microsoft.Authorization/permissions?api-version=2022-04-01"); st != 200 || b != `{"value":[]}` {
				t.Errorf("subscription permissions: %d %s", st, b)
			}
			// The group it has a role on, and only that one, is listed and readable.
			if st, b := get(sub + "/resourcegroups?api-version=2021-04-01"); st != 200 || !strings.Contains(b, `"name":"`+ResourceGroup+`"`) || strings.Contains(b, "rg-shared") {
				t.Errorf("resource groups: %d %s", st, b)
			}
			if st, b := get(sub + "/resourceGroups/" + ResourceGroup + "/providers/Microsoft.Authorization/permissions?api-version=2022-04-01"); st != 200 || !strings.Contains(b, `"actions":["*"]`) {
				t.Errorf("group permissions: %d %s", st, b)
			}
			if st, b := get(sub + "/resourceGroups/rg-missing/providers/Microsoft.Authorization/permissions?api-version=2022-04-01"); st != 404 || !strings.Contains(b, "ResourceGroupNotFound") {
				t.Errorf("missing group: %d %s", st, b)
			}
		})
	}
}

func TestARMLighthouse(t *testing.T) {
	get := armAs(t, "lighthouse-delegated")
	st, b := get(sub + "?api-version=2022-12-01")
	if st != 200 || !strings.Contains(b, `"tenantId":"`+OtherTenantID+`"`) || !strings.Contains(b, `"managedByTenants":[{"tenantId":"`+TenantID+`"}]`) {
		t.Errorf("delegated subscription: %d %s", st, b)
	}
	// The delegation grants Contributor, and the list does not show it.
	if st, b := get(sub + "/providers/Microsoft.Authorization/permissions?api-version=2022-04-01"); st != 200 || !strings.Contains(b, `"actions":["*"]`) {
		t.Errorf("permissions: %d %s", st, b)
	}
	if st, b := get(sub + "/providers/Microsoft.Authorization/roleAssignments?api-version=2022-04-01&$filter=assignedTo('" + SPObjectID + "')"); st != 200 || b != `{"value":[]}` {
		t.Errorf("role assignments: %d %s", st, b)
	}
	// A token of a tenant that does not manage it is still refused.
	if st, b := get("/subscriptions/" + OtherSubscriptionID + "?api-version=2022-12-01"); st != 401 || !strings.Contains(b, "InvalidAuthenticationTokenTenant") {
		t.Errorf("undelegated subscription of the customer tenant: %d %s", st, b)
	}
}
