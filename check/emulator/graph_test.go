package emulator

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

const (
	graphScope = "https://graph.microsoft.com/.default"
	ficListURL = "https://graph.microsoft.com/v1.0/applications(appId='" + ClientID + "')/federatedIdentityCredentials"
)

// accessToken asks the scenario's token endpoint for scope and returns the
// access token, failing the test on an error answer.
func accessToken(t *testing.T, e *Emulator, scope string) string {
	t.Helper()
	res := postToken(t, e, TenantID, ClientID, e.Token(), scope)
	var body struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.NewDecoder(res.Body).Decode(&body); err != nil || res.StatusCode != 200 {
		t.Fatalf("token for %s: %d %v", scope, res.StatusCode, err)
	}
	return body.AccessToken
}

func graphGet(t *testing.T, e *Emulator, token, url string) (*http.Response, []byte) {
	t.Helper()
	req, _ := http.NewRequestWithContext(ctxTimeout(t, 10*time.Second), http.MethodGet, url, nil)
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

func TestGraphTokenClaims(t *testing.T) {
	e := start(t, "graph-azuread-ok", Options{})
	c := claimsOf(t, accessToken(t, e, graphScope))
	if c["aud"] != "https://graph.microsoft.com" || c["ver"] != "1.0" || c["idtyp"] != "app" {
		t.Errorf("claims %v", c)
	}
	if diff := cmp.Diff([]any{"Application.ReadWrite.OwnedBy", "Application.Read.All", "Group.Read.All"}, c["roles"]); diff != "" {
		t.Errorf("roles (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]any{appOnlyWid}, c["wids"]); diff != "" {
		t.Errorf("wids (-want +got):\n%s", diff)
	}
	// ARM tokens carry neither.
	if c := claimsOf(t, accessToken(t, e, armScope)); c["roles"] != nil || c["wids"] != nil {
		t.Errorf("ARM token: %v", c)
	}
	var got []string
	for _, r := range e.Requests() {
		if !r.Internal {
			got = append(got, r.Endpoint)
		}
	}
	if strings.Join(got, " ") != "entra-token-graph entra-token" {
		t.Errorf("endpoints %v", got)
	}
}

func TestGraphListsCredentials(t *testing.T) {
	e := start(t, "graph-azuread-ok", Options{})
	res, b := graphGet(t, e, accessToken(t, e, graphScope), ficListURL)
	var list struct {
		Context string `json:"@odata.context"`
		Value   []struct {
			Name, Issuer, Subject string
			Audiences             []string
		} `json:"value"`
	}
	if err := json.Unmarshal(b, &list); err != nil || res.StatusCode != 200 || len(list.Value) != 5 {
		t.Fatalf("%d %v %s", res.StatusCode, err, b)
	}
	if v := list.Value[1]; v.Subject != SubjectTrackedWrite || v.Issuer != IssuerURL || len(v.Audiences) != 1 || !strings.Contains(list.Context, AppObjectID) {
		t.Errorf("credential %+v in %s", v, list.Context)
	}
	// The object id form reaches the same list.
	if res, _ := graphGet(t, e, accessToken(t, e, graphScope), "https://graph.microsoft.com/v1.0/applications/"+AppObjectID+"/federatedIdentityCredentials"); res.StatusCode != 200 {
		t.Errorf("object id form: %d", res.StatusCode)
	}
}

func TestGraphRefusals(t *testing.T) {
	e := start(t, "graph-credentials-unreadable", Options{})
	res, b := graphGet(t, e, accessToken(t, e, graphScope), ficListURL)
	var ge struct {
		Error struct {
			Code, Message string
			InnerError    map[string]string
		}
	}
	if err := json.Unmarshal(b, &ge); err != nil || res.StatusCode != 403 || ge.Error.Code != "Authorization_RequestDenied" ||
		ge.Error.Message != "Insufficient privileges to complete the operation." || ge.Error.InnerError["request-id"] != res.Header.Get("request-id") {
		t.Errorf("OwnedBy on an app it does not own: %d %s", res.StatusCode, b)
	}
	for _, tt := range []struct{ token, url, want string }{
		{"", ficListURL, "Access token is empty."},
		{accessToken(t, e, armScope), ficListURL, "Invalid audience."},
		{accessToken(t, e, graphScope), "https://graph.microsoft.com/v1.0/applications(appId='" + OtherSubscriptionID + "')/federatedIdentityCredentials", "does not exist"},
	} {
		if _, b := graphGet(t, e, tt.token, tt.url); !strings.Contains(string(b), tt.want) {
			t.Errorf("%s: %s", tt.want, b)
		}
	}
	// Without any Graph permission the list is refused.
	e = start(t, "ok", Options{})
	if res, _ := graphGet(t, e, accessToken(t, e, graphScope), ficListURL); res.StatusCode != 403 {
		t.Errorf("no Graph permission: %d", res.StatusCode)
	}
}

func TestGraphBlockedResourceOnly(t *testing.T) {
	e := start(t, "graph-refused", Options{})
	accessToken(t, e, armScope) // excluded from the policy
	res := postToken(t, e, TenantID, ClientID, e.Token(), graphScope)
	if body := decodeEntra(t, res); res.StatusCode != 400 || len(body.ErrorCodes) == 0 || body.ErrorCodes[0] != 53003 {
		t.Errorf("Graph token: %d %+v", res.StatusCode, body)
	}
	e = start(t, "graph-5xx", Options{})
	accessToken(t, e, armScope)
	if res := postToken(t, e, TenantID, ClientID, e.Token(), graphScope); res.StatusCode != 503 {
		t.Errorf("graph-5xx: %d", res.StatusCode)
	}
}

func TestAliasTenantApp(t *testing.T) {
	e := start(t, "alias-other-tenant", Options{})
	res := postToken(t, e, OtherTenantID, ClientID, e.Token(), armScope)
	var body struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.NewDecoder(res.Body).Decode(&body); err != nil || res.StatusCode != 200 {
		t.Fatalf("%d %v", res.StatusCode, err)
	}
	if c := claimsOf(t, body.AccessToken); c["tid"] != OtherTenantID || c["oid"] != OtherSPObjectID {
		t.Errorf("claims %v", c)
	}
}

func TestGraphPermissionConsent(t *testing.T) {
	e := start(t, "graph-azuread-missing", Options{})
	if err := e.AddGraphPermissions(TenantID, ClientID, "00000003-0000-0000-c000-000000000000", []string{"5b567255-7703-4780-807c-7be8301ae99b=Role"}); err != nil {
		t.Fatal(err)
	}
	if c := claimsOf(t, accessToken(t, e, graphScope)); c["roles"] != nil {
		t.Errorf("a permission without consent is in the token: %v", c["roles"])
	}
	if err := e.GrantAdminConsent(TenantID, AppObjectID); err != nil {
		t.Fatal(err)
	}
	if c := claimsOf(t, accessToken(t, e, graphScope)); fmt.Sprint(c["roles"]) != "[Group.Read.All]" {
		t.Errorf("roles after consent: %v", c["roles"])
	}
	for _, bad := range []string{"5b567255-7703-4780-807c-7be8301ae99b=Scope", "00000000-0000-0000-0000-000000000000=Role"} {
		if err := e.AddGraphPermissions(TenantID, ClientID, "00000003-0000-0000-c000-000000000000", []string{bad}); err == nil {
			t.Errorf("%s accepted", bad)
		}
	}
}
