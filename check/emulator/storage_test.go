package emulator

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/arm"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/storage/armstorage"
)

const stateURL = "https://" + StateAccount + ".blob.core.windows.net/" + StateContainer + "?restype=container&comp=list&maxresults=1&prefix=" + StateKey

// listBlobs sends List Blobs with the given Authorization and x-ms-version.
func listBlobs(t *testing.T, e *Emulator, auth, version string) (*http.Response, string) {
	t.Helper()
	req, _ := http.NewRequestWithContext(ctxTimeout(t, 5*time.Second), http.MethodGet, stateURL, nil)
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	if version != "" {
		req.Header.Set("x-ms-version", version)
	}
	res, err := e.Client().Do(req)
	if err != nil {
		t.Fatalf("List Blobs: %v", err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res, string(b)
}

func bearer(t *testing.T, e *Emulator, scope string) string {
	t.Helper()
	tk, err := credential(t, e).GetToken(ctxTimeout(t, 5*time.Second), policy.TokenRequestOptions{Scopes: []string{scope}})
	if err != nil {
		t.Fatalf("GetToken(%s): %v", scope, err)
	}
	return "Bearer " + tk.Token
}

// TestListBlobs drives the blob endpoint with real Entra tokens: the
// storage audience, the data role, the version header, keys.
func TestListBlobs(t *testing.T) {
	e := start(t, "backend-ok", Options{})
	storage := bearer(t, e, "https://storage.azure.com/.default")
	res, body := listBlobs(t, e, storage, "2023-11-03")
	if res.StatusCode != 200 || !strings.Contains(body, "<Prefix>"+StateKey+"</Prefix>") || !strings.Contains(body, "<Name>"+StateKey+"</Name>") ||
		!strings.Contains(body, "<MaxResults>1</MaxResults>") || res.Header.Get("x-ms-error-code") != "" {
		t.Errorf("200: %d %q %s", res.StatusCode, res.Header.Get("x-ms-error-code"), body)
	}
	tests := []struct {
		name, preset, auth, version string
		status                      int
		code, inBody                string
	}{
		{"no x-ms-version", "backend-ok", storage, "", 400, "AuthenticationFailed", "Bearer is not supported in this version"},
		{"an ARM token", "backend-ok", bearer(t, e, armScope), "2023-11-03", 401, "InvalidAuthenticationInfo", "Audience validation failed"},
		{"no data role", "backend-no-data-role", "", "2023-11-03", 403, "AuthorizationPermissionMismatch", "using this permission"},
		{"firewall", "backend-firewall", "", "2023-11-03", 403, "AuthorizationFailure", "not authorized to perform this operation"},
		{"no container", "backend-container-missing", "", "2023-11-03", 404, "ContainerNotFound", "container does not exist"},
		{"shared key off", "backend-shared-key-disabled", "SharedKey " + StateAccount + ":c2ln", "2023-11-03", 403, "KeyBasedAuthenticationNotPermitted", "Key based authentication is not permitted"},
		{"anonymous", "backend-ok", "-", "2023-11-03", 401, "NoAuthenticationInformation", "Server failed to authenticate"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ee := e
			if tt.preset != "backend-ok" {
				ee = start(t, tt.preset, Options{})
			}
			auth := tt.auth
			switch auth {
			case "":
				auth = bearer(t, ee, "https://storage.azure.com/.default")
			case "-":
				auth = ""
			}
			res, body := listBlobs(t, ee, auth, tt.version)
			if res.StatusCode != tt.status || res.Header.Get("x-ms-error-code") != tt.code || !strings.HasPrefix(body, "\xef\xbb\xbf<?xml") ||
				!strings.Contains(body, "<Code>"+tt.code+"</Code>") || !strings.Contains(body, tt.inBody) || !strings.Contains(body, "\nRequestId:") {
				t.Errorf("%d %q %q", res.StatusCode, res.Header.Get("x-ms-error-code"), body)
			}
		})
	}
}

// TestStorageNames: an account that does not exist does not resolve; one
// behind a private endpoint resolves to a private address that a public
// worker's dial cannot reach.
func TestStorageNames(t *testing.T) {
	for _, tt := range []struct {
		preset, want string
		notFound     bool
	}{
		{"backend-ok", PublicBlobAddress, false},
		{"backend-private-endpoint", PrivateBlobAddress, false},
		{"backend-account-missing", "", true},
	} {
		e := start(t, tt.preset, Options{})
		addrs, err := e.LookupHost(context.Background(), StateAccount+".blob.core.windows.net")
		var de *net.DNSError
		if tt.notFound != (errors.As(err, &de) && de.IsNotFound) || (!tt.notFound && (len(addrs) != 1 || addrs[0] != tt.want)) {
			t.Errorf("%s: %v %v", tt.preset, addrs, err)
		}
	}
	e := start(t, "backend-private-endpoint", Options{})
	req, _ := http.NewRequestWithContext(ctxTimeout(t, 10*time.Second), http.MethodGet, stateURL, nil)
	started := time.Now()
	_, err := e.Client().Do(req)
	var ne net.Error
	if !errors.As(err, &ne) || !ne.Timeout() || time.Since(started) < dialDropped {
		t.Errorf("private endpoint: %v after %s", err, time.Since(started))
	}
	e = start(t, "backend-account-missing", Options{})
	req, _ = http.NewRequestWithContext(ctxTimeout(t, 5*time.Second), http.MethodGet, stateURL, nil)
	var de *net.DNSError
	if _, err := e.Client().Do(req); !errors.As(err, &de) || !de.IsNotFound {
		t.Errorf("missing account: %v", err)
	}
}

// TestStorageAccountARM reads the account with armstorage, lists the
// identity's permissions at the container, and finds listKeys refused.
func TestStorageAccountARM(t *testing.T) {
	e := start(t, "backend-shared-key-disabled", Options{})
	opts := &arm.ClientOptions{ClientOptions: azcore.ClientOptions{Transport: e.Client()}, DisableRPRegistration: true}
	c, err := armstorage.NewAccountsClient(SubscriptionID, credential(t, e), opts)
	if err != nil {
		t.Fatal(err)
	}
	got, err := c.GetProperties(ctxTimeout(t, 5*time.Second), StateResourceGroup, StateAccount, nil)
	if err != nil {
		t.Fatal(err)
	}
	if p := got.Properties; p == nil || p.AllowSharedKeyAccess == nil || *p.AllowSharedKeyAccess || *p.PrimaryEndpoints.Blob != "https://"+StateAccount+".blob.core.windows.net/" {
		t.Errorf("account %+v", got.Properties)
	}
	var re *azcore.ResponseError
	if _, err := c.GetProperties(ctxTimeout(t, 5*time.Second), "rg-nope", StateAccount, nil); !errors.As(err, &re) || re.ErrorCode != "ResourceGroupNotFound" {
		t.Errorf("missing group: %v", err)
	}
	if _, err := c.GetProperties(ctxTimeout(t, 5*time.Second), StateResourceGroup, "stnope", nil); !errors.As(err, &re) || re.ErrorCode != "ResourceNotFound" {
		t.Errorf("missing account: %v", err)
	}
	tok := bearer(t, e, armScope)
	get := func(method, path string) (int, string) {
		req, _ := http.NewRequestWithContext(ctxTimeout(t, 5*time.Second), method, "https://management.azure.com/subscriptions/"+SubscriptionID+path+"?api-version=2022-04-01", nil)
		req.Header.Set("Authorization", tok)
		res, err := e.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res.StatusCode, string(b)
	}
	account := "/resourceGroups/" + StateResourceGroup + "/providers/Microsoft.Storage/storageAccounts/" + StateAccount
	st, body := get(http.MethodGet, account+"/blobServices/default/containers/"+StateContainer+"/providers/Microsoft.Authorization/permissions")
	if st != 200 || !strings.Contains(body, `"dataActions":["Microsoft.Storage/storageAccounts/blobServices/containers/blobs/delete"`) || !strings.Contains(body, `"actions":["*"]`) {
		t.Errorf("permissions: %d %s", st, body)
	}
	if st, _ := get(http.MethodPost, account+"/listKeys"); st != http.StatusMethodNotAllowed {
		t.Errorf("listKeys answered %d", st)
	}
}
