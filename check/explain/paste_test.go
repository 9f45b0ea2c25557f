package explain

import (
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/oidc-doctor/oidc-doctor/check/diag"
)

func facts(kv ...string) []diag.Fact {
	out := []diag.Fact{}
	for i := 0; i+1 < len(kv); i += 2 {
		out = append(out, diag.Fact{Key: kv[i], Value: kv[i+1]})
	}
	return out
}

// The texts below are real messages quoted in Microsoft's error reference and issue threads,
// with their issue-thread sources there.
func TestExplainRealMessages(t *testing.T) {
	tests := []struct {
		name   string
		text   string
		code   string
		cause  diag.Cause
		fields []diag.Fact
		trace  string
	}{
		{"70021-json-400", `{"error":"invalid_request","error_description":"AADSTS70021: No matching federated identity record found for presented assertion. Assertion Issuer: 'https://kubernetes.default.svc.cluster.local'. Assertion Subject: 'system:serviceaccount:default:workload-identity-sa'. Assertion Audience: 'api://AzureADTokenExchange'. https://docs.microsoft.com/en-us/azure/active-directory/develop/workload-identity-federation\r\nTrace ID: 30b6df93-efd2-459c-ae6a-bad0838f6f00\r\nCorrelation ID: dffc6012-a4af-4f00-80ab-3e831069b3cc\r\nTimestamp: 2022-10-27 23:39:22Z","error_codes":[70021],"timestamp":"2022-10-27 23:39:22Z","trace_id":"30b6df93-efd2-459c-ae6a-bad0838f6f00","correlation_id":"dffc6012-a4af-4f00-80ab-3e831069b3cc","error_uri":"https://login.microsoftonline.com/error?code=70021"}`,
			"AADSTS70021", diag.CauseNoMatchingFIC, facts("issuer", "https://kubernetes.default.svc.cluster.local", "subject", "system:serviceaccount:default:workload-identity-sa", "audience", "api://AzureADTokenExchange"), "30b6df93-efd2-459c-ae6a-bad0838f6f00"},
		{"70021-401-short", `reply status code was 401: {"error":"invalid_client","error_description":"AADSTS70021: No matching federated identity record found for presented assertion. Trace ID: 1b2c Correlation ID: 3d4e Timestamp: 2023-11-01 10:00:00Z","error_codes":[70021]}`,
			"AADSTS70021", diag.CauseNoMatchingFIC, facts(), "1b2c"},
		{"700211", `AADSTS700211: No matching federated identity record found for presented assertion issuer 'https://acme.app.spacelift.io/'. Please check your federated identity credential Subject, Audience and Issuer against the presented assertion. https://docs.microsoft.com/en-us/azure/active-directory/develop/workload-identity-federation`,
			"AADSTS700211", diag.CauseIssuerMismatch, facts("issuer", "https://acme.app.spacelift.io/"), ""},
		{"700212", `AADSTS700212: No matching federated identity record found for presented assertion audience 'acme.app.spacelift.io'. Please check your federated identity credential Subject, Audience and Issuer against the presented assertion.`,
			"AADSTS700212", diag.CauseAudienceMismatch, facts("audience", "acme.app.spacelift.io"), ""},
		{"700213-check", `AADSTS700213: No matching federated identity record found for presented assertion subject 'space:root:stack:infra:run_type:TRACKED:scope:read'. Check your federated identity credential Subject, Audience and Issuer against the presented assertion. https://learn.microsoft.com/entra/workload-id/workload-identity-federation Trace ID: 5a6b7c8d-0000-1111-2222-333344445555 Correlation ID: 9e8d7c6b-aaaa-bbbb-cccc-ddddeeeeffff Timestamp: 2024-05-01 12:00:00Z`,
			"AADSTS700213", diag.CauseSubjectMismatch, facts("subject", "space:root:stack:infra:run_type:TRACKED:scope:read"), "5a6b7c8d-0000-1111-2222-333344445555"},
		{"700213-please-check", `Error: AADSTS700213: No matching federated identity record found for presented assertion subject 'repo:org/repo:environment:prod'. Please check your federated identity credential Subject, Audience and Issuer against the presented assertion. https://docs.microsoft.com/en-us/azure/active-directory/develop/workload-identity-federation`,
			"AADSTS700213", diag.CauseSubjectMismatch, facts("subject", "repo:org/repo:environment:prod"), ""},
		{"7002138", `AADSTS7002138: No matching federated identity record found for presented assertion subject 'space:root:stack:Infra:run_type:TRACKED:scope:write'. The subject matches with case-insensitive comparison, but not with case-sensitive comparison. Check your federated identity credential Subject, Audience and Issuer against the presented assertion. See documentation at: https://learn.microsoft.com/entra/workload-id/workload-identity-federation. See breaking change notification and remediation at: https://learn.microsoft.com/en-us/entra/identity-platform/reference-breaking-changes#august-2024.`,
			"AADSTS7002138", diag.CauseSubjectMismatch, facts("subject", "space:root:stack:Infra:run_type:TRACKED:scope:write"), ""},
		{"7002137-json-401", `{"error":"invalid_client","error_description":"AADSTS7002137: No matching federated identity record found for presented assertion subject '/eid1/c/pub/t/v4j5cvGGr0GRqy180BHbRw/a/9ExAW52n_ky4ZiS_jhpJIQ/7e307b14-2a27-4f66-ada8-ec6400eb4977'. Please make sure the federated identity credential Subject is '/eid1/c/pub/t/{tenantId}/a/9ExAW52n_ky4ZiS_jhpJIQ/7e307b14-2a27-4f66-ada8-ec6400eb4977'. Trace ID: 007fc931-d337-4638-8760-8f5c9c231e00 Correlation ID: bc6ac312-88fd-4b97-8d37-6566985045b9 Timestamp: 2025-07-07 10:30:48Z","error_codes":[7002137],"timestamp":"2025-07-07 10:30:48Z","trace_id":"007fc931-d337-4638-8760-8f5c9c231e00","correlation_id":"bc6ac312-88fd-4b97-8d37-6566985045b9"}`,
			"AADSTS7002137", diag.CauseSubjectMismatch, facts("subject", "/eid1/c/pub/t/v4j5cvGGr0GRqy180BHbRw/a/9ExAW52n_ky4ZiS_jhpJIQ/7e307b14-2a27-4f66-ada8-ec6400eb4977", "expected_subject", "/eid1/c/pub/t/{tenantId}/a/9ExAW52n_ky4ZiS_jhpJIQ/7e307b14-2a27-4f66-ada8-ec6400eb4977"), "007fc931-d337-4638-8760-8f5c9c231e00"},
		{"70025", `AADSTS70025: The client 'aaaabbbb-0000-1111-2222-333344445555'(spacelift-prod) has no configured federated identity credentials.`,
			"AADSTS70025", diag.CauseNoMatchingFIC, facts("client_id", "aaaabbbb-0000-1111-2222-333344445555"), ""},
		{"700016", `AADSTS700016: Application with identifier 'aaaabbbb-0000-1111-2222-333344445555' was not found in the directory 'Contoso'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.`,
			"AADSTS700016", diag.CauseAppNotFound, facts("client_id", "aaaabbbb-0000-1111-2222-333344445555", "tenant", "Contoso"), ""},
		{"7000229", `AADSTS7000229: The client application aaaabbbb-0000-1111-2222-333344445555 is missing service principal in the tenant 72f988bf-86f1-41af-91ab-2d7cd011db47. See instructions here: https://go.microsoft.com/fwlink/?linkid=2225119`,
			"AADSTS7000229", diag.CauseAppNotFound, facts("client_id", "aaaabbbb-0000-1111-2222-333344445555", "tenant", "72f988bf-86f1-41af-91ab-2d7cd011db47"), ""},
		{"90002", `{"error":"invalid_tenant","error_description":"AADSTS90002: Tenant 'contoso.onmicrosoft.con' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud. Check with your subscription administrator, this may happen if there are no active subscriptions for the tenant.\r\nTrace ID: t1\r\nCorrelation ID: c1\r\nTimestamp: 2022-03-10 10:00:00Z","error_codes":[90002]}`,
			"AADSTS90002", diag.CauseTenantNotFound, facts("tenant", "contoso.onmicrosoft.con"), "t1"},
		{"900023", `AADSTS900023: Specified tenant identifier 'my tenant' is neither a valid DNS name, nor a valid external domain.`,
			"AADSTS900023", diag.CauseInvalidTenantFormat, facts("tenant", "my tenant"), ""},
		{"700024-expired", `AADSTS700024: Client assertion is not within its valid time range. Current time: 2025-08-29T05:47:32.1501147Z, assertion valid from 1970-01-01T00:00:00.0000000Z, expiry time of assertion 2025-08-29T00:30:05.0000000Z. Review the documentation at https://learn.microsoft.com/entra/identity-platform/certificate-credentials . Trace ID: 7a84b74b-1889-494f-b408-66e8b36c7400 Correlation ID: d75bd923-d9ca-4d18-b80e-b13851840fa9 Timestamp: 2025-08-29 05:47:32Z`,
			"AADSTS700024", diag.CauseAssertionExpired, facts(), "7a84b74b-1889-494f-b408-66e8b36c7400"},
		{"700024-not-yet-valid", `AADSTS700024: Client assertion is not within its valid time range. Current time: 2025-08-29T05:47:32.1501147Z, assertion valid from 2025-08-29T05:55:00.0000000Z, expiry time of assertion 2025-08-29T06:55:00.0000000Z.`,
			"AADSTS700024", diag.CauseAssertionNotYetValid, facts(), ""},
		{"50166", `AADSTS50166: Request to External OIDC endpoint failed.`, "AADSTS50166", diag.CauseExternalOIDCUnreachable, facts(), ""},
		{"90061", `AADSTS90061: Request to External OIDC endpoint failed.`, "AADSTS90061", diag.CauseExternalOIDCUnreachable, facts(), ""},
		{"501661", `AADSTS501661: Request to External OIDC endpoint failed.`, "AADSTS501661", diag.CauseExternalOIDCUnreachable, facts(), ""},
		{"7000272", `AADSTS7000272: The certificate with identifier 6f2b3c used to sign the federated credential could not be found in the metadata of identity provider https://acme.app.spacelift.io. Please validate that your Identity Provider's metadata exposes the key used to sign the incoming token.`,
			"AADSTS7000272", diag.CauseSignatureOrJWKS, facts("issuer", "https://acme.app.spacelift.io"), ""},
		{"700027", `AADSTS700027: Client assertion failed signature validation.`, "AADSTS700027", diag.CauseSignatureOrJWKS, facts(), ""},
		{"50027", `AADSTS50027: JWT token is invalid or malformed.`, "AADSTS50027", diag.CauseTokenMalformed, facts(), ""},
		{"5002727", `AADSTS5002727: Invalid JWT header type specified, must be 'JWT' or 'http://openid.net/specs/jwt/1.0'.`, "AADSTS5002727", diag.CauseTokenMalformed, facts(), ""},
		{"90014", `AADSTS90014: The required field 'iss' is missing from the credential. Ensure that you have all the necessary parameters for the login request.`, "AADSTS90014", diag.CauseTokenMalformed, facts(), ""},
		{"7000112", `AADSTS7000112: Application 'aaaabbbb-0000-1111-2222-333344445555'(spacelift-prod) is disabled.`, "AADSTS7000112", diag.CauseAppDisabled, facts("client_id", "aaaabbbb-0000-1111-2222-333344445555"), ""},
		{"53003", `AADSTS53003: Access has been blocked by Conditional Access policies. The access policy does not allow token issuance.`, "AADSTS53003", diag.CauseConditionalAccess, facts(), ""},
		{"500011", `AADSTS500011: The resource principal named https://management.azure.com was not found in the tenant named Contoso. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You might have sent your authentication request to the wrong tenant.`,
			"AADSTS500011", diag.CauseResourceNotFound, facts("tenant", "Contoso", "scope", "https://management.azure.com"), ""},
		{"70011-doc", `{"error": "invalid_scope","error_description": "AADSTS70011: The provided value for the input parameter 'scope' isn't valid. The scope https://example.contoso.com/activity.read isn't valid.\r\nTrace ID: 0000aaaa-11bb-cccc-dd33-eeeeee333333\r\nCorrelation ID: aaaa0000-bb11-2222-33cc-444444dddddd\r\nTimestamp: 2016-01-09 02:02:12Z","error_codes": [70011],"timestamp": "2016-01-09 02:02:12Z","trace_id": "0000aaaa-11bb-cccc-dd33-eeeeee333333","correlation_id": "aaaa0000-bb11-2222-33cc-444444dddddd","error_uri":"https://login.microsoftonline.com/error?code=70011"}`,
			"AADSTS70011", diag.CauseInvalidScope, facts("scope", "https://example.contoso.com/activity.read"), "0000aaaa-11bb-cccc-dd33-eeeeee333333"},
		{"1002012", `AADSTS1002012: The provided value for scope https://management.azure.com is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).`,
			"AADSTS1002012", diag.CauseInvalidScope, facts("scope", "https://management.azure.com"), ""},
		{"7000215", `AADSTS7000215: Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app 'aaaabbbb-0000-1111-2222-333344445555'.`, "AADSTS7000215", diag.CauseInvalidClientSecret, facts("client_id", "aaaabbbb-0000-1111-2222-333344445555"), ""},
		{"7000218", `AADSTS7000218: The request body must contain the following parameter: 'client_assertion' or 'client_secret'.`, "AADSTS7000218", diag.CauseNoCredential, facts(), ""},
		{"700222", `AADSTS700222: AAD-issued tokens may not be used for federated identity flows.`, "AADSTS700222", diag.CauseOther, facts(), ""},
		{"unknown-aadsts", `AADSTS99999999: Something new happened.`, "AADSTS99999999", diag.CauseOther, facts(), ""},

		{"authorizationfailed-new", `{"error":{"code":"AuthorizationFailed","message":"The client 'aaaabbbb-0000-1111-2222-333344445555' with object id 'ccccdddd-0000-1111-2222-333344445555' does not have authorization to perform action 'Microsoft.Resources/subscriptions/resourcegroups/write' over scope '/subscriptions/0000/resourcegroups/rg' or the scope is invalid. If access was recently granted, please refresh your credentials."}}`,
			"AuthorizationFailed", diag.CauseAuthorizationFailed, facts("client_id", "aaaabbbb-0000-1111-2222-333344445555", "object_id", "ccccdddd-0000-1111-2222-333344445555", "action", "Microsoft.Resources/subscriptions/resourcegroups/write", "scope", "/subscriptions/0000/resourcegroups/rg"), ""},
		{"authorizationfailed-older", `diag.Status=403 Code="AuthorizationFailed" Message="The client 'x' with object id 'y' does not have authorization to perform action 'Microsoft.Resources/subscriptions/read' over scope '/subscriptions/s'."`,
			"AuthorizationFailed", diag.CauseAuthorizationFailed, facts("client_id", "x", "object_id", "y", "action", "Microsoft.Resources/subscriptions/read", "scope", "/subscriptions/s"), ""},
		{"authorizationfailed-register", `ERROR CODE: AuthorizationFailed
The client 'x' with object id 'y' does not have authorization to perform action 'Microsoft.Compute/register/action' over scope '/subscriptions/s' or the scope is invalid.`,
			"AuthorizationFailed", diag.CauseProviderRegistration, facts("client_id", "x", "object_id", "y", "action", "Microsoft.Compute/register/action", "scope", "/subscriptions/s", "namespace", "Microsoft.Compute"), ""},
		{"linked", `Code: LinkedAuthorizationFailed
Message: The client 'spn' with object id 'y' has permission to perform action 'Microsoft.Network/networkInterfaces/write' on scope '/subscriptions/s/resourceGroups/a'; however, it does not have permission to perform action(s) 'Microsoft.Network/virtualNetworks/subnets/join/action' on the linked scope(s)'/subscriptions/s/resourceGroups/b/providers/Microsoft.Network/virtualNetworks/v/subnets/default' or the linked scope(s)are invalid`,
			"LinkedAuthorizationFailed", diag.CauseAuthorizationFailed, facts("client_id", "spn", "object_id", "y", "action", "Microsoft.Network/virtualNetworks/subnets/join/action", "scope", "/subscriptions/s/resourceGroups/b/providers/Microsoft.Network/virtualNetworks/v/subnets/default"), ""},
		{"wrong-tenant", `{"error":{"code":"InvalidAuthenticationTokenTenant","message":"The access token is from the wrong issuer 'https://sts.windows.net/11111111-1111-1111-1111-111111111111/'. It must match the tenant 'https://sts.windows.net/22222222-2222-2222-2222-222222222222/' associated with this subscription. Please use the authority (URL) 'https://login.windows.net/22222222-2222-2222-2222-222222222222' to get the token. Note, if the subscription is transferred to another tenant there is no impact to the services, but information about new tenant could take time to propagate (up to an hour). If you just transferred your subscription and see this error message, please try back later."}}`,
			"InvalidAuthenticationTokenTenant", diag.CauseWrongTenantForSubscription, facts("tenant", "22222222-2222-2222-2222-222222222222", "token_tenant", "11111111-1111-1111-1111-111111111111"), ""},
		{"subscription-not-found", `{"error":{"code":"SubscriptionNotFound","message":"The subscription '00000000-0000-0000-0000-000000000000' could not be found."}}`,
			"SubscriptionNotFound", diag.CauseSubscriptionNotFound, facts("subscription", "00000000-0000-0000-0000-000000000000"), ""},
		{"invalid-token", `{"error":{"code":"InvalidAuthenticationToken","message":"The received access token is not valid: at least one of the claims 'puid' or 'altsecid' or 'oid' should be present. If you are accessing as application please make sure service principal is properly created in the tenant."}}`,
			"InvalidAuthenticationToken", diag.CauseAccessTokenRejected, facts(), ""},
		{"expired-token", `{"error":{"code":"ExpiredAuthenticationToken","message":"The access token expiry UTC time '5/1/2024 10:00:00 AM' is earlier than current UTC time '5/1/2024 11:00:00 AM'."}}`,
			"ExpiredAuthenticationToken", diag.CauseAccessTokenRejected, facts(), ""},
		{"missing-registration", `{"error":{"code":"MissingSubscriptionRegistration","message":"The subscription is not registered to use namespace 'Microsoft.ContainerService'. See https://aka.ms/rps-not-found for how to register subscriptions."}}`,
			"MissingSubscriptionRegistration", diag.CauseProviderRegistration, facts("namespace", "Microsoft.ContainerService"), ""},
		{"missing-registration-short", `Code: MissingSubscriptionRegistration The subscription is not registered to use namespace Microsoft.Web`,
			"MissingSubscriptionRegistration", diag.CauseProviderRegistration, facts("namespace", "Microsoft.Web"), ""},
		{"az-no-subscriptions", `ERROR: No subscriptions found for aaaabbbb-0000-1111-2222-333344445555.`,
			"NoSubscriptionsFound", diag.CauseSubscriptionNotFound, facts("client_id", "aaaabbbb-0000-1111-2222-333344445555"), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Paste(tt.text, nil)
			if len(got) != 1 {
				t.Fatalf("got %d findings, want 1: %+v", len(got), got)
			}
			f := got[0]
			if f.Code != tt.code || f.Cause != tt.cause || f.TraceID != tt.trace {
				t.Errorf("got code %q cause %q trace %q, want %q %q %q", f.Code, f.Cause, f.TraceID, tt.code, tt.cause, tt.trace)
			}
			if d := cmp.Diff(tt.fields, f.Fields); d != "" {
				t.Errorf("fields (-want +got):\n%s", d)
			}
			if f.Message == "" || len(f.Message) > 503 || f.Title == "" || f.Fix == "" {
				t.Errorf("message %q title %q fix %q", f.Message, f.Title, f.Fix)
			}
		})
	}
}

func TestExplainTerraformWrapped(t *testing.T) {
	text := `╷
│ Error: building account: could not acquire access token to parse claims:
│ clientCredentialsToken: received HTTP status 401 with response:
│ {"error":"invalid_client","error_description":"AADSTS700213: No matching
│ federated identity record found for presented assertion subject
│ 'space:production-01HND497T9JKR76MR3KA2CDJHP:stack:infra:run_type:TRACKED:scope:read'.
│ Check your federated identity credential Subject, Audience and Issuer
│ against the presented assertion.
│ https://learn.microsoft.com/entra/workload-id/workload-identity-federation
│ Trace ID: 0a1b2c3d-0000-1111-2222-333344445555 Correlation ID:
│ 9f8e7d6c-0000-1111-2222-333344445555 Timestamp: 2025-02-03
│ 04:05:06Z","error_codes":[700213],"timestamp":"2025-02-03
│ 04:05:06Z","trace_id":"0a1b2c3d-0000-1111-2222-333344445555","correlation_id":"9f8e7d6c-0000-1111-2222-333344445555","error_uri":"https://login.microsoftonline.com/error?code=700213"}
│
│   with provider["registry.terraform.io/hashicorp/azurerm"],
│   on main.tf line 1, in provider "azurerm":
│    1: provider "azurerm" {
│
╵
╷
│ Error: building account: could not acquire access token to parse claims:
│ clientCredentialsToken: received HTTP status 401 with response:
│ {"error":"invalid_client","error_description":"AADSTS700213: No matching
│ federated identity record found for presented assertion subject
│ 'space:production-01HND497T9JKR76MR3KA2CDJHP:stack:infra:run_type:TRACKED:scope:read'.
╵`
	got := Paste(text, nil)
	if len(got) != 1 {
		t.Fatalf("got %d findings, want 1 (repeat merged): %+v", len(got), got)
	}
	f := got[0]
	want := facts("subject", "space:production-01HND497T9JKR76MR3KA2CDJHP:stack:infra:run_type:TRACKED:scope:read")
	if d := cmp.Diff(want, f.Fields); d != "" {
		t.Errorf("fields (-want +got):\n%s", d)
	}
	if f.TraceID != "0a1b2c3d-0000-1111-2222-333344445555" || f.CorrelationID != "9f8e7d6c-0000-1111-2222-333344445555" || f.Timestamp != "2025-02-03 04:05:06Z" {
		t.Errorf("ids: %q %q %q", f.TraceID, f.CorrelationID, f.Timestamp)
	}
	if !strings.Contains(f.Comparison[0].Value, "planning phase") {
		t.Errorf("first likely shape: %+v", f.Comparison)
	}
	if strings.Contains(f.Message, "│") || strings.Contains(f.Message, "Trace ID") {
		t.Errorf("message not cleaned: %q", f.Message)
	}
}

func TestExplainJSONEscaped(t *testing.T) {
	// A body escaped once more inside a JSON log line, as Terraform's JSON
	// logs and azidentity's %q-style dumps print it.
	text := `{"@level":"error","@message":"{\"error\":\"invalid_client\",\"error_description\":\"AADSTS700212: No matching federated identity record found for presented assertion audience \u0027acme.app.spacelift.io\u0027. Please check your federated identity credential Subject, Audience and Issuer against the presented assertion.\\r\\nTrace ID: aa\\r\\nCorrelation ID: bb\\r\\nTimestamp: 2024-01-02 03:04:05Z\",\"error_codes\":[700212]}"}`
	got := Paste(text, nil)
	if len(got) != 1 {
		t.Fatalf("got %d findings", len(got))
	}
	f := got[0]
	if d := cmp.Diff(facts("audience", "acme.app.spacelift.io"), f.Fields); d != "" {
		t.Errorf("fields (-want +got):\n%s", d)
	}
	if f.TraceID != "aa" || f.CorrelationID != "bb" || f.Timestamp != "2024-01-02 03:04:05Z" {
		t.Errorf("ids: %q %q %q", f.TraceID, f.CorrelationID, f.Timestamp)
	}
	if !strings.Contains(f.Comparison[0].Value, "api://AzureADTokenExchange") {
		t.Errorf("likely shapes: %+v", f.Comparison)
	}
}

func TestExplainAzCLIDedupAndOrder(t *testing.T) {
	text := "ERROR: (AuthorizationFailed) The client 'x' with object id 'y' does not have authorization to perform action 'Microsoft.Resources/subscriptions/read' over scope '/subscriptions/s' or the scope is invalid. If access was recently granted, please refresh your credentials.\n" +
		"Code: AuthorizationFailed\n" +
		"Message: The client 'x' with object id 'y' does not have authorization to perform action 'Microsoft.Resources/subscriptions/read' over scope '/subscriptions/s' or the scope is invalid. If access was recently granted, please refresh your credentials.\n" +
		"ERROR: AADSTS700016: Application with identifier 'abc' was not found in the directory 'Contoso'.\n"
	got := Paste(text, nil)
	var codes []string
	for _, f := range got {
		codes = append(codes, f.Code)
	}
	if d := cmp.Diff([]string{"AADSTS700016", "AuthorizationFailed"}, codes); d != "" {
		t.Fatalf("codes (-want +got):\n%s", d)
	}
	if !strings.Contains(got[1].Fixes[0].Text, "--assignee-object-id y --assignee-principal-type ServicePrincipal --role Reader --scope /subscriptions/s") {
		t.Errorf("role fix:\n%s", got[1].Fixes[0].Text)
	}
}

func TestExplainWithToken(t *testing.T) {
	tok := &Token{Issuer: "https://acme.app.spacelift.io", Audience: []string{"acme.app.spacelift.io"},
		Subject: "space:root:stack:infra:run_type:TRACKED:scope:write"}
	text := `AADSTS70021: No matching federated identity record found for presented assertion. Assertion Issuer: 'https://acme.app.spacelift.io'. Assertion Subject: 'space:root:stack:infra:run_type:TRACKED:scope:read'. Assertion Audience: 'acme.app.spacelift.io'.`
	got := Paste(text, tok)
	if len(got) != 1 {
		t.Fatalf("got %d findings", len(got))
	}
	f := got[0]
	cmpFacts := map[string]string{}
	for _, c := range f.Comparison {
		if c.Key != "likely" && c.Key != "also check" {
			cmpFacts[c.Key] = c.Value
		}
	}
	if cmpFacts["issuer"] != "same as the token's" || cmpFacts["audience"] != "same as the token's" {
		t.Errorf("comparison: %+v", f.Comparison)
	}
	if !strings.Contains(cmpFacts["subject"], `differs at byte 47: error's has "read", token's has "write"`) {
		t.Errorf("subject comparison: %q", cmpFacts["subject"])
	}
	if len(f.Fixes) != 6 || !strings.Contains(f.Fixes[0].Text, `"subject":"space:root:stack:infra:run_type:TRACKED:scope:read"`) ||
		!strings.Contains(f.Fixes[0].Text, "| grep -q . || az ad app federated-credential create") || !strings.HasPrefix(f.Fixes[1].Title, "alternative: ") {
		t.Errorf("fixes: %+v", f.Fixes)
	}
	// 700213 names only the subject; the token supplies issuer and audience.
	got = Paste(`AADSTS700213: No matching federated identity record found for presented assertion subject 'space:root:stack:infra:run_type:TRACKED:scope:write'.`, tok)
	if len(got) != 1 || len(got[0].Fixes) != 5 || !strings.Contains(got[0].Fixes[0].Text, `"audiences":["acme.app.spacelift.io"]`) {
		t.Errorf("700213 with token: %+v", got)
	}
}

func TestExplainNoCode(t *testing.T) {
	for _, text := range []string{"", "all good\n", "Error: code = Unknown desc = boom", "exit code: 1", `{"error_codes":[]}`, "AADSTS", "AADSTSx", "the code: ok"} {
		if got := Paste(text, nil); len(got) != 0 {
			t.Errorf("Paste(%q) = %+v, want none", text, got)
		}
	}
}

func TestExplainNeverExtractsJWT(t *testing.T) {
	jwt := "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl"
	got := Paste("AADSTS700213: No matching federated identity record found for presented assertion subject '"+jwt+"'. token "+jwt, nil)
	if len(got) != 1 {
		t.Fatalf("got %d", len(got))
	}
	if len(got[0].Fields) != 0 || strings.Contains(got[0].Message, "eyJ") {
		t.Errorf("JWT leaked: %+v", got[0])
	}
}

func TestExplainUnknownARMCode(t *testing.T) {
	got := Paste(`{"error":{"code":"InvalidTemplateDeployment","message":"The template deployment failed."}}`, nil)
	if len(got) != 1 || got[0].Code != "InvalidTemplateDeployment" || got[0].Cause != diag.CauseOther || got[0].Message != "The template deployment failed." {
		t.Errorf("got %+v", got)
	}
}

// benchInputs are the texts BenchmarkExplain reads, about n bytes each: a
// log with two errors repeated, spam of distinct codes and one short code
// repeated (the inputs that made the old reader quadratic), and wordings
// and near misses of wordings repeated.
func benchInputs(n int) map[string]string {
	chunk := `│ {"error":"invalid_client","error_description":"AADSTS700213: No matching federated identity record found for presented assertion subject 'space:root:stack:infra:run_type:TRACKED:scope:read'. Check your federated identity credential. Trace ID: aa Correlation ID: bb Timestamp: 2025-02-03 04:05:06Z"}` + "\n" +
		"some log line without anything interesting in it, code = Unknown, 'quote AADSTS and more\n" +
		`{"error":{"code":"AuthorizationFailed","message":"The client 'x' with object id 'y' does not have authorization to perform action 'a/read' over scope '/s'."}}` + "\n"
	var log, distinct strings.Builder
	for log.Len()+len(chunk) <= n {
		log.WriteString(chunk)
	}
	for i := 0; distinct.Len() < n; i++ {
		distinct.WriteString("AADSTS" + strconv.Itoa(i) + " ")
	}
	return map[string]string{
		"log":      log.String(),
		"distinct": distinct.String()[:n],
		"repeat":   strings.Repeat("AADSTS1 ", n/8),
		// Near misses of wordings: each starts a match that must fail cheaply.
		"wording": strings.Repeat("The subscription 'x' No matching federated identity record found for presented assertion subject x. ", n/100),
	}
}

// BenchmarkExplain reads 1, 8 and 32 MB: the time must grow linearly and
// 32 MB stay under 2 s (issue 15). Run: go test -run x -bench Explain ./check/explain
func BenchmarkExplain(b *testing.B) {
	for _, mb := range []int{1, 8, 32} {
		in := benchInputs(mb << 20)
		for _, kind := range []string{"log", "distinct", "repeat", "wording"} {
			text := in[kind]
			b.Run(fmt.Sprintf("%s/%dMB", kind, mb), func(b *testing.B) {
				b.SetBytes(int64(len(text)))
				b.ReportAllocs()
				for range b.N {
					ex := Read(text, nil)
					if len(ex.Findings) == 0 || (kind == "log" && len(ex.Findings) != 2) {
						b.Fatalf("got %d findings", len(ex.Findings))
					}
				}
			})
		}
	}
}

func FuzzExplain(f *testing.F) {
	f.Add("AADSTS70021: No matching federated identity record found for presented assertion. Assertion Issuer: 'a'. Assertion Subject: 'b'. Assertion Audience: 'c'.")
	f.Add(`{"error":{"code":"AuthorizationFailed","message":"The client 'x' with object id 'y' does not have authorization to perform action 'Microsoft.Compute/register/action' over scope '/s'."}}`)
	f.Add("│ AADSTS700024: Current time: 2025-08-29T05:47:32Z, assertion valid from\n│ 1970-01-01T00:00:00Z, expiry time of assertion 2025-08-29T00:30:05Z.")
	f.Add(`\u0027\\r\\n\"code\":\"X\" AADSTS1 '`)
	f.Add("Error: AADSTS700[21](https://github.com/o/r/actions/runs/1#step:6:22)1: No matching federated identity record found for presented assertion issuer '***'.")
	f.Add(`{"code":"DeploymentFailed","details":[{"code":"BadRequest","message":"{\r\n \"error\": {\"message\": \"Subscription is disabled.\"}}"}]}`)
	f.Add("Please run 'az login' to setup account. Federated token details:\n issuer - x\n subject claim - y\nERROR: The subscription of '' doesn't exist in cloud 'AzureCloud'.")
	tok := &Token{Issuer: "https://a.app.spacelift.io", Audience: []string{"a.app.spacelift.io"}, Subject: "space:root:stack:s:run_type:TRACKED:scope:read"}
	f.Fuzz(func(t *testing.T, text string) {
		for _, k := range []*Token{nil, tok} {
			ex := Read(text, k)
			if len(ex.Findings) > MaxFindings {
				t.Fatalf("%d findings, more than MaxFindings", len(ex.Findings))
			}
			for _, fd := range ex.Findings {
				if !diag.KnownCause(fd.Cause) || fd.Code == "" || fd.Title == "" {
					t.Fatalf("bad finding %+v", fd)
				}
				if len(fd.Message) > 503 {
					t.Fatalf("message too long: %d", len(fd.Message))
				}
			}
		}
	})
}

// TestReadBounds pins the limits: repeats merge into one finding that
// counts them, distinct errors past MaxFindings are counted in Omitted, and
// the text is read segment by segment without losing an error.
func TestReadBounds(t *testing.T) {
	ex := Read(strings.Repeat("AADSTS700213: No matching federated identity record found for presented assertion subject 'a'.\n", 500), nil)
	if len(ex.Findings) != 1 || ex.Findings[0].Occurrences != 500 || ex.Omitted.Occurrences != 0 {
		t.Errorf("repeats: %d findings, %+v", len(ex.Findings), ex.Omitted)
	}
	var b strings.Builder
	for i := range 100 {
		fmt.Fprintf(&b, "AADSTS%d: something\n", 1000+i)
	}
	ex = Read(b.String(), nil)
	if len(ex.Findings) != MaxFindings || ex.Omitted.Occurrences != 100-MaxFindings || ex.Omitted.Codes != 100-MaxFindings {
		t.Errorf("distinct: %d findings, %+v", len(ex.Findings), ex.Omitted)
	}
	// Repeats across many segments all merge, and all are counted.
	ex = Read(strings.Repeat("AADSTS1 AADSTS2 ", 200_000), nil)
	if len(ex.Findings) != 2 || ex.Findings[0].Occurrences != 200_000 || ex.Omitted.Occurrences != 0 {
		t.Errorf("across segments: %d findings, %+v", len(ex.Findings), ex.Omitted)
	}
	// An error that straddles a segment boundary is read whole, and its
	// message past the boundary is not a second error.
	msg := "AADSTS700213: No matching federated identity record found for presented assertion subject 'space:root:stack:s:run_type:TRACKED:scope:read'."
	for _, at := range []int{10, 40, len(msg) - 5} {
		ex = Read(strings.Repeat(" ", segment-at)+msg, nil)
		if len(ex.Findings) != 1 || ex.Findings[0].Field("subject") != "space:root:stack:s:run_type:TRACKED:scope:read" {
			t.Errorf("straddling at %d: %+v", at, ex.Findings)
		}
	}
	// Ten subjects of one code are ten findings; the eleventh is counted.
	b.Reset()
	for i := range maxPerCode + 1 {
		fmt.Fprintf(&b, "AADSTS700213: No matching federated identity record found for presented assertion subject 's%d'.\n", i)
	}
	if ex = Read(b.String(), nil); len(ex.Findings) != maxPerCode || ex.Omitted.Occurrences != 1 {
		t.Errorf("per code: %d findings, %+v", len(ex.Findings), ex.Omitted)
	}
}

// TestReadInputCut: input past MaxInput is cut, on a character boundary,
// and the cut is reported.
func TestReadInputCut(t *testing.T) {
	text, cut, err := ReadInput(strings.NewReader("AADSTS50027: x\n"), 0)
	if err != nil || cut != 0 || text != "AADSTS50027: x\n" {
		t.Errorf("short input: %q %d %v", text, cut, err)
	}
	big := strings.Repeat("a", MaxInput-1) + "é" + "tail"
	text, cut, err = ReadInput(strings.NewReader(big), int64(len(big)))
	if err != nil || cut != MaxInput-1 || len(text) != MaxInput-1 {
		t.Errorf("long input: len %d cut %d %v", len(text), cut, err)
	}
}

// TestReadBadInput: binary, broken escaping and masked values give a
// finding or nothing, never a panic; a masked value stays masked.
func TestReadBadInput(t *testing.T) {
	for _, in := range []string{"\x00\xff\xfeAADSTS\x00700213\x01", `\u00`, `\\\\\\"`, "AADSTS700213: presented assertion subject '", strings.Repeat("\\", 5000) + "AADSTS1"} {
		_ = Read(in, nil)
	}
	fs := Paste("AADSTS700213: No matching federated identity record found for presented assertion subject '***'.", &Token{Subject: "space:root:stack:s:run_type:TRACKED:scope:read"})
	if len(fs) != 1 || fs[0].Field("subject") != "***" {
		t.Fatalf("masked: %+v", fs)
	}
	for _, c := range fs[0].Comparison {
		if c.Key == "subject" && !strings.Contains(c.Value, "masked") {
			t.Errorf("a masked subject was compared: %+v", c)
		}
	}
}
