package emulator

import (
	"context"
	"errors"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
)

func get(ctx context.Context, e *Emulator, method, url string) (*http.Response, []byte, error) {
	req, _ := http.NewRequestWithContext(ctx, method, url, nil)
	res, err := e.Client().Do(req)
	if err != nil {
		return nil, nil, err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	return res, b, err
}

const tokenURL = "https://login.microsoftonline.com/" + TenantID + "/oauth2/v2.0/token"

func TestHangIsCutByDeadline(t *testing.T) {
	for _, tt := range []struct{ preset, url, method string }{
		{"entra-hang", tokenURL, http.MethodPost},
		{"arm-hang", "https://management.azure.com/subscriptions/" + SubscriptionID + "?api-version=2022-12-01", http.MethodGet},
	} {
		e := start(t, tt.preset, Options{})
		ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
		begin := time.Now()
		_, _, err := get(ctx, e, tt.method, tt.url)
		cancel()
		if !errors.Is(err, context.DeadlineExceeded) || time.Since(begin) > 2*time.Second {
			t.Errorf("%s: err = %v after %v, want a deadline error after ~200ms", tt.preset, err, time.Since(begin))
		}
	}
	// Close releases a hung request.
	e := start(t, "entra-hang", Options{})
	done := make(chan error, 1)
	go func() { _, _, err := get(context.Background(), e, http.MethodPost, tokenURL); done <- err }()
	time.Sleep(100 * time.Millisecond)
	e.Close()
	select {
	case err := <-done:
		if err == nil {
			t.Error("hung request succeeded after Close")
		}
	case <-time.After(3 * time.Second):
		t.Error("Close did not release the hung request")
	}
}

func TestStatusFaults(t *testing.T) {
	ctx := ctxTimeout(t, 5*time.Second)
	e := start(t, "entra-429", Options{})
	res, b, err := get(ctx, e, http.MethodPost, tokenURL)
	if err != nil || res.StatusCode != 429 || res.Header.Get("Retry-After") != "30" || !strings.Contains(string(b), `"error_codes":[`) {
		t.Errorf("entra-429: %v %v %s", err, res, b)
	}
	e = start(t, "entra-5xx", Options{})
	if res, _, _ = get(ctx, e, http.MethodPost, tokenURL); res.StatusCode != 500 {
		t.Errorf("entra-5xx: status %d", res.StatusCode)
	}
	e = start(t, "entra-html", Options{})
	res, b, _ = get(ctx, e, http.MethodPost, tokenURL)
	if !strings.HasPrefix(res.Header.Get("Content-Type"), "text/html") || !strings.Contains(string(b), "<html>") {
		t.Errorf("entra-html: %s %s", res.Header.Get("Content-Type"), b)
	}
}

func TestTransportFaults(t *testing.T) {
	ctx := ctxTimeout(t, 5*time.Second)
	s := Base()
	s.Faults = map[string]Fault{
		"issuer-discovery": {Reset: true},
		"issuer-jwks":      {Truncate: true},
		"entra-instance":   {Delay: 50 * time.Millisecond, Status: 503, Times: 1},
	}
	e, err := Start(s, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	if _, _, err := get(ctx, e, http.MethodGet, IssuerURL+"/.well-known/openid-configuration"); err == nil {
		t.Error("reset: request succeeded")
	}
	if _, _, err := get(ctx, e, http.MethodGet, IssuerURL+"/.well-known/jwks"); !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Errorf("truncate: err = %v, want unexpected EOF", err)
	}
	u := "https://login.microsoftonline.com/common/discovery/instance?api-version=1.1&authorization_endpoint=https%3A%2F%2Flogin.microsoftonline.com%2F" + TenantID + "%2Foauth2%2Fv2.0%2Fauthorize"
	begin := time.Now()
	res, _, err := get(ctx, e, http.MethodGet, u)
	if err != nil || res.StatusCode != 503 || time.Since(begin) < 50*time.Millisecond {
		t.Errorf("delayed 503: %v %v after %v", err, res, time.Since(begin))
	}
	res, b, err := get(ctx, e, http.MethodGet, u)
	if err != nil || res.StatusCode != 200 || !strings.Contains(string(b), `"tenant_discovery_endpoint":"https://login.microsoftonline.com/`+TenantID+`/v2.0/.well-known/openid-configuration"`) {
		t.Errorf("second request should pass (Times: 1): %v %v %s", err, res, b)
	}
	var faults []string
	for _, r := range e.Requests() {
		faults = append(faults, r.Fault)
	}
	if strings.Join(faults, ",") != "issuer-discovery,issuer-jwks,entra-instance," {
		t.Errorf("recorded faults %q", faults)
	}
	e.ResetRequests()
	if len(e.Requests()) != 0 {
		t.Error("ResetRequests kept requests")
	}
}

func TestUnknownPathsAndHosts(t *testing.T) {
	ctx := ctxTimeout(t, 5*time.Second)
	e := start(t, "ok", Options{})
	for _, tt := range []struct {
		url, want string
		status    int
	}{
		{IssuerURL + "/nope", "404 page not found", 404},
		{"https://login.microsoftonline.us/nope", `"error":"invalid_request"`, 404},
		{"https://management.chinacloudapi.cn/nope?api-version=1", `"code":"NotFound"`, 404},
		{"https://login.chinacloudapi.cn/" + TenantDomain + "/v2.0/.well-known/openid-configuration", `"issuer":"https://login.chinacloudapi.cn/` + TenantID + `/v2.0"`, 200},
		{"https://login.microsoftonline.com/" + TenantID + "/oauth2/v2.0/token", "AADSTS900561", 400},
	} {
		res, b, err := get(ctx, e, http.MethodGet, tt.url)
		if err != nil || res.StatusCode != tt.status || !strings.Contains(string(b), tt.want) {
			t.Errorf("GET %s: %v %d %s", tt.url, err, res.StatusCode, b)
		}
	}
	res, _, err := get(ctx, e, http.MethodDelete, "https://management.azure.com/subscriptions/"+SubscriptionID+"?api-version=2022-12-01")
	if err != nil || res.StatusCode != 405 {
		t.Errorf("DELETE: %v %v", err, res)
	}
}

func TestActionMatches(t *testing.T) {
	for _, tt := range []struct {
		pattern, action string
		want            bool
	}{
		{"*", "Microsoft.Resources/subscriptions/read", true},
		{"*/read", "Microsoft.Resources/subscriptions/read", true},
		{"*/read", "Microsoft.Resources/subscriptions/write", false},
		{"Microsoft.Authorization/*/Write", "microsoft.authorization/roleAssignments/write", true},
		{"Microsoft.Authorization/*", "Microsoft.Authorization/roleAssignments/read", true},
		{"Microsoft.Compute/*/write", "Microsoft.Network/virtualNetworks/write", false},
		{"*/register/action", "Microsoft.Compute/register/action", true},
	} {
		if got := actionMatches(tt.pattern, tt.action); got != tt.want {
			t.Errorf("actionMatches(%q, %q) = %v, want %v", tt.pattern, tt.action, got, tt.want)
		}
	}
	contributor, _ := (&Emulator{}).roleByIDBuiltin(RoleContributor)
	if contributor.allows("Microsoft.Authorization/roleAssignments/write") || !contributor.allows("Microsoft.Authorization/roleAssignments/read") {
		t.Error("Contributor evaluated wrongly")
	}
}

// TestTokenEndpointsByScope: a token request for Microsoft Graph or for
// Azure Storage has a fault endpoint of its own, so a fault can hit it
// alone; without one, entra-token's faults apply to it too.
func TestTokenEndpointsByScope(t *testing.T) {
	const storageScope = "https://storage.azure.com/.default"
	tests := []struct {
		faults map[string]Fault
		// fails lists the scopes whose token request fails.
		fails []string
	}{
		{map[string]Fault{"entra-token-storage": {Status: 403}}, []string{storageScope}},
		{map[string]Fault{"entra-token-graph": {Status: 403}}, []string{graphScope}},
		{map[string]Fault{"entra-token": {Status: 403}}, []string{armScope, graphScope, storageScope}},
		{map[string]Fault{"entra-token": {Status: 403}, "entra-token-storage": {Delay: time.Millisecond}}, []string{armScope, graphScope}},
	}
	for _, tt := range tests {
		s, _ := Lookup("backend-ok")
		s.Faults = tt.faults
		e, err := Start(s, Options{})
		if err != nil {
			t.Fatal(err)
		}
		for _, scope := range []string{armScope, graphScope, storageScope} {
			// A credential per scope, so none serves another's cached
			// token; azcore does not retry a 403.
			_, err := credential(t, e).GetToken(ctxTimeout(t, 10*time.Second), policy.TokenRequestOptions{Scopes: []string{scope}})
			if failed, want := err != nil, slices.Contains(tt.fails, scope); failed != want {
				t.Errorf("faults %v: %s failed = %v, want %v (%v)", tt.faults, scope, failed, want, err)
			}
		}
		want := map[string]string{armScope: "entra-token", graphScope: "entra-token-graph", storageScope: "entra-token-storage"}
		posts := 0
		for _, r := range e.Requests() {
			if r.Method != http.MethodPost {
				continue
			}
			posts++
			if scope := e.resourceScope(r.Form.Get("scope")); r.Endpoint != want[scope] {
				t.Errorf("%s: endpoint %q, want %q", scope, r.Endpoint, want[scope])
			}
		}
		if posts != 3 {
			t.Errorf("faults %v: %d token requests, want 3", tt.faults, posts)
		}
		e.Close()
	}
}
