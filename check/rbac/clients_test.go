package rbac

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/runtime"
	"github.com/oidc-doctor/oidc-doctor/check/diag"
	"github.com/oidc-doctor/oidc-doctor/check/explain"
)

// armResponseError builds the *azcore.ResponseError the SDK returns for an
// ARM error body, through the SDK's own constructor.
func armResponseError(status int, code, message string) error {
	u, _ := url.Parse("https://management.azure.com/subscriptions/x?api-version=2022-12-01")
	body := fmt.Sprintf(`{"error":{"code":%q,"message":%q}}`, code, message)
	resp := &http.Response{StatusCode: status, Header: http.Header{}, Body: io.NopCloser(bytes.NewBufferString(body)),
		Request: &http.Request{Method: http.MethodGet, URL: u}}
	return runtime.NewResponseError(resp)
}

func TestARMFailureParsesDocumentedMessages(t *testing.T) {
	tests := []struct {
		name, code, message string
		want                explain.ARMFailure
	}{
		{
			name: "AuthorizationFailed", code: "AuthorizationFailed",
			message: "The client 'app-1' with object id 'oid-1' does not have authorization to perform action 'Microsoft.Resources/deployments/write' over scope '/subscriptions/s1/resourceGroups/rg' or the scope is invalid. If access was recently granted, please refresh your credentials.",
			want:    explain.ARMFailure{Client: "app-1", ObjectID: "oid-1", Action: "Microsoft.Resources/deployments/write", Scope: "/subscriptions/s1/resourceGroups/rg"},
		},
		{
			name: "AuthorizationFailed, older message", code: "AuthorizationFailed",
			message: "The client 'a' with object id 'b' does not have authorization to perform action 'Microsoft.Resources/subscriptions/read' over scope '/subscriptions/s1'.",
			want:    explain.ARMFailure{Client: "a", ObjectID: "b", Action: "Microsoft.Resources/subscriptions/read", Scope: "/subscriptions/s1"},
		},
		{
			name: "LinkedAuthorizationFailed", code: "LinkedAuthorizationFailed",
			message: "The client 'c' with object id 'o' has permission to perform action 'Microsoft.Network/networkInterfaces/write' on scope '/subscriptions/s1/resourceGroups/app'; however, it does not have permission to perform action(s) 'Microsoft.Network/virtualNetworks/subnets/join/action' on the linked scope(s)'/subscriptions/s1/resourceGroups/net/providers/Microsoft.Network/virtualNetworks/v/subnets/s' or the linked scope(s)are invalid",
			// The denied action and the linked scope, never the permitted action (issue 13).
			want: explain.ARMFailure{Client: "c", ObjectID: "o",
				Action: "Microsoft.Network/virtualNetworks/subnets/join/action", Scope: "/subscriptions/s1/resourceGroups/net/providers/Microsoft.Network/virtualNetworks/v/subnets/s"},
		},
		{
			name: "InvalidAuthenticationTokenTenant", code: "InvalidAuthenticationTokenTenant",
			message: "The access token is from the wrong issuer 'https://sts.windows.net/t-token/'. It must match the tenant 'https://sts.windows.net/t-sub/' associated with this subscription. Please use the authority (URL) 'https://login.windows.net/t-sub' to get the token.",
			want:    explain.ARMFailure{TokenTenant: "t-token", SubscriptionTenant: "t-sub"},
		},
		{
			name: "MissingSubscriptionRegistration, quoted", code: "MissingSubscriptionRegistration",
			message: "The subscription is not registered to use namespace 'Microsoft.ContainerService'. See https://aka.ms/rps-not-found for how to register subscriptions.",
			want:    explain.ARMFailure{Namespace: "Microsoft.ContainerService"},
		},
		{
			name: "MissingSubscriptionRegistration, short form", code: "MissingSubscriptionRegistration",
			message: "The subscription is not registered to use namespace Microsoft.App.",
			want:    explain.ARMFailure{Namespace: "Microsoft.App"},
		},
		{
			name: "unknown message shape", code: "AuthorizationFailed", message: "Forbidden.",
			want: explain.ARMFailure{},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status := 403
			f, ok := asARMFailure(fmt.Errorf("wrapped: %w", armResponseError(status, tt.code, tt.message)))
			if !ok {
				t.Fatal("asARMFailure did not see the ResponseError")
			}
			tt.want.Code, tt.want.Status, tt.want.Message, tt.want.Host = tt.code, status, tt.message, "management.azure.com"
			if f != tt.want {
				t.Errorf("got  %+v\nwant %+v", f, tt.want)
			}
		})
	}
}

func TestFailedCall(t *testing.T) {
	t.Run("known code", func(t *testing.T) {
		err := armResponseError(401, "ExpiredAuthenticationToken", "The access token expiry UTC time '1/2/2026 3:04:05 PM' is earlier than current UTC time '1/2/2026 4:04:05 PM'.")
		r := failedCall("x", "X", "GET /subscriptions/s", "management.azure.com", err)
		if r.Status != diag.StatusFail || r.ErrorCode != "ExpiredAuthenticationToken" || r.Hint == "" {
			t.Errorf("got %+v", r)
		}
	})
	t.Run("unknown code", func(t *testing.T) {
		r := failedCall("x", "X", "GET /subscriptions/s", "management.azure.com", armResponseError(500, "InternalServerError", "boom"))
		if r.Status != diag.StatusFail || r.ErrorCode != "InternalServerError" || !strings.Contains(r.Summary, "HTTP 500") || r.Hint == "" {
			t.Errorf("got %+v", r)
		}
	})
	t.Run("deadline", func(t *testing.T) {
		r := failedCall("x", "X", "GET /subscriptions/s", "management.azure.com", fmt.Errorf("sending: %w", context.DeadlineExceeded))
		if r.Status != diag.StatusFail || !strings.Contains(r.Summary, "did not finish") || !strings.Contains(r.Summary, "management.azure.com") {
			t.Errorf("got %+v", r)
		}
	})
}

func TestClassifyScope(t *testing.T) {
	const sub = "0f3e8d2c-5a1b-4c7e-8f6d-b4a9e2c1d705"
	tests := []struct {
		scope     string
		kind      scopeKind
		label, rg string
	}{
		{"/", scopeRoot, "inherited from the tenant root", ""},
		{"/providers/Microsoft.Management/managementGroups/mg-x", scopeManagementGroup, "inherited from management group mg-x", ""},
		{"/subscriptions/" + sub, scopeSubscription, "this subscription", ""},
		{"/subscriptions/" + strings.ToUpper(sub) + "/", scopeSubscription, "this subscription", ""},
		{"/subscriptions/" + sub + "/resourceGroups/rg-app", scopeResourceGroup, "resource group only", "rg-app"},
		{"/subscriptions/" + sub + "/resourcegroups/rg-app/providers/Microsoft.Storage/storageAccounts/st", scopeResource, "one resource in resource group rg-app only", "rg-app"},
		{"/subscriptions/e4b7c1d9-2f6a-4e3b-9d8c-71a5f0e3b2c6", scopeElsewhere, "outside this subscription", ""},
		{"/subscriptions/" + sub + "0", scopeElsewhere, "outside this subscription", ""},
	}
	for _, tt := range tests {
		kind, label, rg := classifyScope(tt.scope, sub)
		if kind != tt.kind || label != tt.label || rg != tt.rg {
			t.Errorf("classifyScope(%q) = %v, %q, %q; want %v, %q, %q", tt.scope, kind, label, rg, tt.kind, tt.label, tt.rg)
		}
	}
}

func TestNeedsOf(t *testing.T) {
	tests := []struct {
		runType, scope    string
		write, applyLater bool
		role              string
	}{
		{"PROPOSED", "read", false, false, "Reader"},
		{"TRACKED", "write", true, false, "Contributor"},
		{"TRACKED", "read", false, true, "Contributor"},
		{"tracked", "READ", false, true, "Contributor"},
		{"TASK", "write", true, false, "Contributor"},
		{"DESTROY", "write", true, false, "Contributor"},
		{"TESTING", "read", true, false, "Contributor"},
		{"", "", true, false, "Contributor"},
		{"PARSE", "read", true, false, "Contributor"},
	}
	for _, tt := range tests {
		n := needsOf(tt.runType, tt.scope)
		if n.write != tt.write || n.applyLater != tt.applyLater || n.role() != tt.role || n.why == "" {
			t.Errorf("needsOf(%q, %q) = %+v (role %s); want write=%v applyLater=%v role %s", tt.runType, tt.scope, n, n.role(), tt.write, tt.applyLater, tt.role)
		}
	}
}
