package emulator

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/arm"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/cloud"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/to"
	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/authorization/armauthorization/v2"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/resources/armsubscriptions"
)

const armScope = "https://management.core.windows.net//.default"

func start(t *testing.T, name string, o Options) *Emulator {
	t.Helper()
	s, ok := Lookup(name)
	if !ok {
		t.Fatalf("no preset %q", name)
	}
	e, err := Start(s, o)
	if err != nil {
		t.Fatalf("Start(%s): %v", name, err)
	}
	t.Cleanup(e.Close)
	return e
}

// credential builds the real azidentity credential the doctor uses, with
// default options except the transport.
func credential(t *testing.T, e *Emulator) *azidentity.ClientAssertionCredential {
	t.Helper()
	env := e.Env()
	opts := &azidentity.ClientAssertionCredentialOptions{ClientOptions: azcore.ClientOptions{Transport: e.Client()}}
	cred, err := azidentity.NewClientAssertionCredential(env["ARM_TENANT_ID"], env["ARM_CLIENT_ID"],
		func(context.Context) (string, error) { return e.Token(), nil }, opts)
	if err != nil {
		t.Fatalf("NewClientAssertionCredential: %v", err)
	}
	return cred
}

func ctxTimeout(t *testing.T, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}

func claimsOf(t *testing.T, jwt string) map[string]any {
	t.Helper()
	a, ok := decodeAssertion(jwt)
	if !ok {
		t.Fatalf("not a JWT")
	}
	return a.claims
}

func TestGetTokenOK(t *testing.T) {
	e := start(t, "ok", Options{})
	tok, err := credential(t, e).GetToken(ctxTimeout(t, 10*time.Second), policy.TokenRequestOptions{Scopes: []string{armScope}})
	if err != nil {
		t.Fatalf("GetToken: %v", err)
	}
	c := claimsOf(t, tok.Token)
	want := map[string]any{"aud": "https://management.core.windows.net/", "iss": "https://sts.windows.net/" + TenantID + "/",
		"tid": TenantID, "oid": SPObjectID, "appid": ClientID, "idtyp": "app", "ver": "1.0", "app_displayname": AppDisplayName}
	for k, v := range want {
		if c[k] != v {
			t.Errorf("access token %s = %v, want %v", k, c[k], v)
		}
	}
	// MSAL's flow: instance discovery, tenant discovery, token POST; while
	// answering the POST, Entra fetches the issuer's discovery and JWKS.
	var got []string
	for _, r := range e.Requests() {
		got = append(got, r.Endpoint)
	}
	wantFlow := "entra-instance entra-tenant entra-token issuer-discovery issuer-jwks"
	if strings.Join(got, " ") != wantFlow {
		t.Errorf("request flow = %q, want %q", strings.Join(got, " "), wantFlow)
	}
	for _, r := range e.Requests() {
		if strings.Contains(r.String(), "eyJ") {
			t.Errorf("Request.String leaks a JWT: %s", r)
		}
		if r.Endpoint == "entra-token" {
			if !r.AssertionPresent || r.Form.Get("client_id") != ClientID || !strings.Contains(r.Form.Get("scope"), armScope) {
				t.Errorf("token request recorded as %s", r)
			}
		}
		if strings.HasPrefix(r.Endpoint, "issuer-") && !r.Internal {
			t.Errorf("issuer request %s not marked internal", r)
		}
	}
}

func TestGetTokenFailures(t *testing.T) {
	tests := []struct {
		preset string
		code   int
		status int
		method string
	}{
		{"subject-scope", 700213, 401, "POST"},
		{"subject-run-type", 700213, 401, "POST"},
		{"subject-case", 7002138, 401, "POST"},
		{"audience-default", 700212, 401, "POST"},
		{"issuer-trailing-slash", 700211, 401, "POST"},
		{"object-id-as-client-id", 700016, 400, "POST"},
		{"wrong-tenant", 700016, 400, "POST"},
		{"tenant-not-found", 90002, 400, "GET"},
		{"tenant-malformed", 900023, 400, "GET"},
		{"expired-token", 700024, 401, "POST"},
		{"disabled-app", 7000112, 400, "POST"},
		{"no-service-principal", 7000229, 401, "POST"},
		{"no-fics", 70025, 401, "POST"},
		{"conditional-access", 53003, 400, "POST"},
		{"issuer-keys-unreachable", 50166, 401, "POST"},
		{"issuer-kid-rotated", 7000272, 401, "POST"},
		{"issuer-mismatch", 50166, 401, "POST"},
		{"tampered-signature", 700027, 401, "POST"},
		{"issuer-wrong-cert", 50166, 401, "POST"},
	}
	for _, tt := range tests {
		t.Run(tt.preset, func(t *testing.T) {
			t.Parallel()
			e := start(t, tt.preset, Options{})
			_, err := credential(t, e).GetToken(ctxTimeout(t, 10*time.Second), policy.TokenRequestOptions{Scopes: []string{armScope}})
			var afe *azidentity.AuthenticationFailedError
			if !errors.As(err, &afe) || afe.RawResponse == nil {
				t.Fatalf("GetToken error = %v, want AuthenticationFailedError with a response", err)
			}
			if afe.RawResponse.StatusCode != tt.status || afe.RawResponse.Request.Method != tt.method {
				t.Errorf("failed %s with %d, want %s with %d", afe.RawResponse.Request.Method, afe.RawResponse.StatusCode, tt.method, tt.status)
			}
			var body entraErrorBody
			b, _ := io.ReadAll(afe.RawResponse.Body)
			if err := json.Unmarshal(b, &body); err != nil {
				t.Fatalf("error body %q: %v", b, err)
			}
			if len(body.ErrorCodes) != 1 || body.ErrorCodes[0] != tt.code {
				t.Errorf("error_codes = %v, want [%d]; %s", body.ErrorCodes, tt.code, body.ErrorDescription)
			}
			// The layout of every real answer since 2024: spaces, not \r\n.
			for _, part := range []string{" Trace ID: " + body.TraceID + " Correlation ID: " + body.CorrelationID + " Timestamp: " + body.Timestamp} {
				if !strings.Contains(body.ErrorDescription, part) {
					t.Errorf("error_description lacks %q: %q", part, body.ErrorDescription)
				}
			}
		})
	}
}

func TestErrorTexts(t *testing.T) {
	e := start(t, "expired-token", Options{})
	res := postToken(t, e, TenantID, ClientID, e.Token(), armScope)
	desc := decodeEntra(t, res).ErrorDescription
	for _, want := range []string{"AADSTS700024: Client assertion is not within its valid time range. Current time: ", ", assertion valid from ", ", expiry time of assertion "} {
		if !strings.Contains(desc, want) {
			t.Errorf("description %q lacks %q", desc, want)
		}
	}
	e = start(t, "issuer-trailing-slash", Options{})
	desc = decodeEntra(t, postToken(t, e, TenantID, ClientID, e.Token(), armScope)).ErrorDescription
	if !strings.Contains(desc, "presented assertion issuer '"+IssuerURL+"'") {
		t.Errorf("700211 description does not quote the issuer: %q", desc)
	}
	e = start(t, "ok", Options{})
	for scope, code := range map[string]int{"https://management.azure.com/user_impersonation": 1002012, "https://nope.example.com/.default": 500011} {
		if got := decodeEntra(t, postToken(t, e, TenantID, ClientID, e.Token(), scope)).ErrorCodes; len(got) != 1 || got[0] != code {
			t.Errorf("scope %s: codes %v, want %d", scope, got, code)
		}
	}
	if got := decodeEntra(t, postToken(t, e, TenantID, ClientID, "not a jwt", armScope)).ErrorCodes; got[0] != 50027 {
		t.Errorf("malformed assertion: codes %v, want 50027", got)
	}
}

func postToken(t *testing.T, e *Emulator, tenant, client, assertion, scope string) *http.Response {
	t.Helper()
	form := "grant_type=client_credentials&client_assertion_type=urn%3Aietf%3Aparams%3Aoauth%3Aclient-assertion-type%3Ajwt-bearer" +
		"&client_id=" + client + "&scope=" + scope + "&client_assertion=" + assertion
	req, _ := http.NewRequestWithContext(ctxTimeout(t, 10*time.Second), http.MethodPost,
		"https://login.microsoftonline.com/"+tenant+"/oauth2/v2.0/token", strings.NewReader(form))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	res, err := e.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { res.Body.Close() })
	return res
}

func decodeEntra(t *testing.T, res *http.Response) entraErrorBody {
	t.Helper()
	var body entraErrorBody
	if err := json.NewDecoder(res.Body).Decode(&body); err != nil {
		t.Fatal(err)
	}
	return body
}

func armOptions(e *Emulator) *arm.ClientOptions {
	return &arm.ClientOptions{ClientOptions: azcore.ClientOptions{Transport: e.Client()}, DisableRPRegistration: true}
}

func TestSubscriptionGet(t *testing.T) {
	tests := []struct {
		preset, code string
		status       int
	}{
		{"ok", "", 200},
		{"rbac-mg-inherited", "", 200},
		{"subscription-disabled", "", 200},
		{"subscription-not-found", "SubscriptionNotFound", 404},
		{"subscription-other-tenant", "InvalidAuthenticationTokenTenant", 401},
		{"rbac-none", "AuthorizationFailed", 403},
		{"rbac-rg-only", "AuthorizationFailed", 403},
	}
	for _, tt := range tests {
		t.Run(tt.preset, func(t *testing.T) {
			t.Parallel()
			e := start(t, tt.preset, Options{})
			client, err := armsubscriptions.NewClient(credential(t, e), armOptions(e))
			if err != nil {
				t.Fatal(err)
			}
			res, err := client.Get(ctxTimeout(t, 10*time.Second), e.Env()["ARM_SUBSCRIPTION_ID"], nil)
			if tt.code == "" {
				if err != nil {
					t.Fatalf("Get: %v", err)
				}
				if *res.SubscriptionID != SubscriptionID || *res.TenantID != TenantID {
					t.Errorf("got subscription %s in %s", *res.SubscriptionID, *res.TenantID)
				}
				return
			}
			var re *azcore.ResponseError
			if !errors.As(err, &re) {
				t.Fatalf("Get error = %v, want *azcore.ResponseError", err)
			}
			if re.ErrorCode != tt.code || re.StatusCode != tt.status {
				t.Errorf("got %d %s, want %d %s", re.StatusCode, re.ErrorCode, tt.status, tt.code)
			}
			if tt.code == "InvalidAuthenticationTokenTenant" && !strings.Contains(err.Error(), "It must match the tenant 'https://sts.windows.net/"+OtherTenantID+"/'") {
				t.Errorf("message does not name the subscription's tenant: %v", err)
			}
			if tt.code == "AuthorizationFailed" && !strings.Contains(err.Error(), "The client '"+ClientID+"' with object id '"+SPObjectID+"' does not have authorization to perform action 'Microsoft.Resources/subscriptions/read' over scope '/subscriptions/"+SubscriptionID+"'") {
				t.Errorf("AuthorizationFailed message: %v", err)
			}
		})
	}
}

func TestRoleAssignmentsPaged(t *testing.T) {
	e := start(t, "rbac-paged", Options{})
	cred := credential(t, e)
	ctx := ctxTimeout(t, 10*time.Second)
	client, err := armauthorization.NewRoleAssignmentsClient(SubscriptionID, cred, armOptions(e))
	if err != nil {
		t.Fatal(err)
	}
	defs, err := armauthorization.NewRoleDefinitionsClient(cred, armOptions(e))
	if err != nil {
		t.Fatal(err)
	}
	pager := client.NewListForSubscriptionPager(&armauthorization.RoleAssignmentsClientListForSubscriptionOptions{Filter: to.Ptr("assignedTo('" + SPObjectID + "')")})
	var roles []string
	pages := 0
	for pager.More() {
		page, err := pager.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		pages++
		for _, ra := range page.Value {
			def, err := defs.GetByID(ctx, *ra.Properties.RoleDefinitionID, nil)
			if err != nil {
				t.Fatalf("GetByID(%s): %v", *ra.Properties.RoleDefinitionID, err)
			}
			roles = append(roles, *def.Properties.RoleName+"@"+*ra.Properties.Scope)
		}
	}
	if pages != 4 || len(roles) != 4 {
		t.Errorf("got %d pages, roles %v; want 4 pages of one assignment", pages, roles)
	}
	if !strings.HasPrefix(roles[0], "Reader@/providers/Microsoft.Management/managementGroups/") {
		t.Errorf("first assignment %s, want Reader inherited from the management group", roles[0])
	}
}

// armGet calls ARM with the access token cred obtains.
func armGet(t *testing.T, e *Emulator, token, path string) (*http.Response, []byte) {
	t.Helper()
	req, _ := http.NewRequestWithContext(ctxTimeout(t, 10*time.Second), http.MethodGet, "https://management.azure.com"+path, nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := e.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res, b
}

func TestARMDirect(t *testing.T) {
	var mu sync.Mutex
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	e := start(t, "providers-unregistered", Options{Now: clock})
	tok, err := credential(t, e).GetToken(ctxTimeout(t, 10*time.Second), policy.TokenRequestOptions{Scopes: []string{armScope}})
	if err != nil {
		t.Fatal(err)
	}
	res, b := armGet(t, e, tok.Token, "/subscriptions/"+SubscriptionID+"/providers/Microsoft.Authorization/permissions?api-version=2022-04-01")
	if res.StatusCode != 200 || !strings.Contains(string(b), `{"actions":["*/read"],"dataActions":[],"notActions":[],"notDataActions":[]}`) || !strings.Contains(string(b), `"*/register/action"`) {
		t.Errorf("permissions: %d %s", res.StatusCode, b)
	}
	res, b = armGet(t, e, tok.Token, "/subscriptions/"+SubscriptionID+"/providers?api-version=2021-04-01")
	if res.StatusCode != 200 || !strings.Contains(string(b), `"namespace":"Microsoft.ContainerService","registrationState":"NotRegistered"`) {
		t.Errorf("providers: %d %s", res.StatusCode, b)
	}
	if d := res.Header.Get("Date"); d != "Sun, 01 Mar 2026 12:00:00 GMT" {
		t.Errorf("Date = %q", d)
	}
	res, b = armGet(t, e, "", "/subscriptions/"+SubscriptionID+"?api-version=2022-12-01")
	if res.StatusCode != 401 || !strings.Contains(string(b), "AuthenticationFailed") {
		t.Errorf("no token: %d %s", res.StatusCode, b)
	}
	res, b = armGet(t, e, tok.Token+"x", "/subscriptions/"+SubscriptionID+"?api-version=2022-12-01")
	if res.StatusCode != 401 || !strings.Contains(string(b), `"InvalidAuthenticationToken"`) {
		t.Errorf("bad token: %d %s", res.StatusCode, b)
	}
	res, b = armGet(t, e, tok.Token, "/subscriptions/"+SubscriptionID+"/resourceGroups/"+ResourceGroup+"/providers/Microsoft.Compute/virtualMachines?api-version=2024-07-01")
	if res.StatusCode != 404 {
		t.Errorf("unknown path: %d %s", res.StatusCode, b)
	}
	mu.Lock()
	now = now.Add(2 * time.Hour)
	mu.Unlock()
	res, b = armGet(t, e, tok.Token, "/subscriptions/"+SubscriptionID+"?api-version=2022-12-01")
	if res.StatusCode != 401 || !strings.Contains(string(b), "ExpiredAuthenticationToken") || !strings.Contains(string(b), "is earlier than current UTC time '3/1/2026 2:00:00 PM'") {
		t.Errorf("expired token: %d %s", res.StatusCode, b)
	}
}

func TestAddFICFixesExchange(t *testing.T) {
	e := start(t, "subject-scope", Options{})
	if _, err := credential(t, e).GetToken(ctxTimeout(t, 10*time.Second), policy.TokenRequestOptions{Scopes: []string{armScope}}); err == nil {
		t.Fatal("exchange succeeded before the credential was added")
	}
	if err := e.AddFIC(ClientID, FIC{Name: "spacelift-azure-infra-tracked-write", Issuer: IssuerURL, Subject: DefaultSubject, Audiences: []string{Audience}}); err != nil {
		t.Fatal(err)
	}
	if err := e.AddFIC(ClientID, FIC{Name: "dup", Issuer: IssuerURL, Subject: DefaultSubject, Audiences: []string{Audience}}); err == nil {
		t.Error("duplicate issuer and subject accepted")
	}
	if _, err := credential(t, e).GetToken(ctxTimeout(t, 10*time.Second), policy.TokenRequestOptions{Scopes: []string{armScope}}); err != nil {
		t.Fatalf("exchange after AddFIC: %v", err)
	}
	e2 := start(t, "rbac-none", Options{})
	e2.AddRoleAssignment(RoleAssignment{Scope: "/subscriptions/" + SubscriptionID, PrincipalID: SPObjectID, RoleDefinitionID: RoleReader})
	client, _ := armsubscriptions.NewClient(credential(t, e2), armOptions(e2))
	if _, err := client.Get(ctxTimeout(t, 10*time.Second), SubscriptionID, nil); err != nil {
		t.Fatalf("Get after AddRoleAssignment: %v", err)
	}
}

func TestClockSkew(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	e := start(t, "clock-skew", Options{Now: func() time.Time { return now }})
	nbf := int64(claimsOf(t, e.Token())["nbf"].(float64))
	if time.Unix(nbf, 0).Sub(now) != 10*time.Minute {
		t.Errorf("nbf is %v after the worker clock, want 10m", time.Unix(nbf, 0).Sub(now))
	}
	if _, err := credential(t, e).GetToken(ctxTimeout(t, 10*time.Second), policy.TokenRequestOptions{Scopes: []string{armScope}}); err != nil {
		t.Fatalf("Entra should accept the token on its own clock: %v", err)
	}
	req, _ := http.NewRequest(http.MethodGet, IssuerURL+"/.well-known/openid-configuration", nil)
	res, err := e.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if d := res.Header.Get("Date"); d != "Sun, 01 Mar 2026 12:10:00 GMT" {
		t.Errorf("Date = %q, want the services' clock 10 minutes ahead", d)
	}
}

func TestToken(t *testing.T) {
	e := start(t, "ok", Options{})
	a, _ := decodeAssertion(e.Token())
	if a.header["alg"] != "RS256" || a.header["typ"] != "JWT" || a.header["kid"] == "" {
		t.Errorf("header %v", a.header)
	}
	c := a.claims
	if c["sub"] != DefaultSubject || c["iss"] != IssuerURL || c["aud"] != Audience || c["runId"] != RunID || c["nbf"] != c["iat"] ||
		c["exp"].(float64)-c["iat"].(float64) != 3600 || c["jti"] == nil || c["scope"] != "write" || c["runType"] != "TRACKED" {
		t.Errorf("claims %v", c)
	}
	s := Base()
	s.Token.Claims = map[string]any{"runType": "PROPOSED", "scope": "read", "jti": nil}
	e2, err := Start(s, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer e2.Close()
	c = claimsOf(t, e2.Token())
	if c["sub"] != SubjectProposedRead || c["jti"] != nil {
		t.Errorf("overridden claims %v", c)
	}
}

func TestPresets(t *testing.T) {
	required := strings.Fields(`ok subject-run-type subject-scope audience-default issuer-trailing-slash subject-case
		object-id-as-client-id wrong-tenant tenant-not-found tenant-malformed expired-token disabled-app no-service-principal
		no-fics conditional-access issuer-keys-unreachable issuer-kid-rotated issuer-mismatch tampered-signature
		issuer-wrong-cert clock-skew rbac-reader-on-write rbac-none rbac-rg-only rbac-mg-inherited subscription-other-tenant
		subscription-not-found subscription-disabled providers-unregistered rbac-paged entra-5xx entra-429 entra-hang arm-hang entra-html`)
	seen := map[string]bool{}
	for _, s := range Scenarios() {
		if seen[s.Name] || s.Description == "" || strings.Contains(s.Description, "\n") {
			t.Errorf("preset %q duplicated or without a one-line description", s.Name)
		}
		seen[s.Name] = true
	}
	for _, n := range required {
		if !seen[n] {
			t.Errorf("missing preset %q", n)
		}
	}
	for _, s := range Scenarios() {
		t.Run(s.Name, func(t *testing.T) {
			t.Parallel()
			e := start(t, s.Name, Options{})
			for _, u := range []string{IssuerURL + "/.well-known/openid-configuration", "https://login.microsoftonline.com/" + TenantID + "/v2.0/.well-known/openid-configuration"} {
				req, _ := http.NewRequestWithContext(ctxTimeout(t, 5*time.Second), http.MethodGet, u, nil)
				res, err := e.Client().Do(req)
				if s.Issuer.WrongCertificate && strings.HasPrefix(u, IssuerURL) {
					if err == nil || !strings.Contains(err.Error(), "certificate") {
						t.Errorf("wrong-certificate issuer: err = %v", err)
					}
					continue
				}
				if err != nil {
					t.Fatalf("GET %s: %v", u, err)
				}
				res.Body.Close()
				if res.StatusCode != 200 || res.Header.Get("Date") == "" {
					t.Errorf("GET %s: %d, Date %q", u, res.StatusCode, res.Header.Get("Date"))
				}
			}
		})
	}
}

func TestNationalCloud(t *testing.T) {
	e := start(t, "ok", Options{})
	opts := azcore.ClientOptions{Transport: e.Client(), Cloud: cloud.AzureGovernment}
	cred, err := azidentity.NewClientAssertionCredential(TenantID, ClientID,
		func(context.Context) (string, error) { return e.Token(), nil },
		&azidentity.ClientAssertionCredentialOptions{ClientOptions: opts})
	if err != nil {
		t.Fatal(err)
	}
	client, err := armsubscriptions.NewClient(cred, &arm.ClientOptions{ClientOptions: opts, DisableRPRegistration: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := client.Get(ctxTimeout(t, 10*time.Second), SubscriptionID, nil); err != nil {
		t.Fatalf("Get in US Government cloud: %v", err)
	}
	hosts := map[string]bool{}
	for _, r := range e.Requests() {
		hosts[r.Host] = true
	}
	if !hosts["login.microsoftonline.us"] || !hosts["management.usgovcloudapi.net"] || hosts["login.microsoftonline.com"] {
		t.Errorf("hosts used: %v", hosts)
	}
}
