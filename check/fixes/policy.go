package fixes

// Conditional Access: no command lifts a policy the tenant's admins set on
// purpose. The fix shows the policy that blocked the sign-in (Get
// conditionalAccessPolicy, https://learn.microsoft.com/graph/api/conditionalaccesspolicy-get,
// which needs Policy.Read.All and a role such as Security Reader or
// Conditional Access Administrator), and says who must act.

import (
	"strings"

	"github.com/oidc-doctor/oidc-doctor/check/diag"
)

// caQuery picks what says why a workload identity is blocked: the
// service principals and locations the policy covers, and its controls.
const caQuery = "{name:displayName, state:state, servicePrincipals:conditions.clientApplications, locations:conditions.locations, grant:grantControls.builtInControls}"

// ConditionalAccess shows the Conditional Access policies that blocked
// the sign-in of app clientID (ids from the answer's capolids; all the
// tenant's policies that cover service principals when none is named),
// through Microsoft Graph at graphEndpoint ("" is the public cloud's).
func ConditionalAccess(graphEndpoint string, ids []string, clientID string) []diag.Fix {
	graphEndpoint = strings.TrimSuffix(orPlaceholder(graphEndpoint, "https://graph.microsoft.com"), "/")
	who := "# No command lifts it: a Conditional Access Administrator must exclude this app's service principal (client id " +
		orPlaceholder(clientID, "<client-id>") + ") from the policy, or allow the Spacelift worker's network in it.\n" +
		"# Reading it needs Policy.Read.All; where the Azure CLI is not granted that, open it in the Entra admin center:\n" +
		"# Protection > Conditional Access > Policies.\n"
	var b strings.Builder
	b.WriteString(who)
	for _, id := range ids {
		b.WriteString("az rest --method get --url " + Shell(graphEndpoint+"/v1.0/identity/conditionalAccess/policies/"+id) + " --query " + Shell(caQuery) + "\n")
	}
	if len(ids) == 0 {
		b.WriteString("az rest --method get --url " + Shell(graphEndpoint+"/v1.0/identity/conditionalAccess/policies") +
			" --query " + Shell("value[?conditions.clientApplications].{id:id, name:displayName, state:state}") + "\n")
	}
	return []diag.Fix{{Title: "see the Conditional Access policy that blocked the sign-in (az CLI, Microsoft Graph), and who must change it", Lang: "sh", Text: b.String()}}
}
