package backend

// The live calls, all reads, run concurrently under the step's deadline:
//   - the storage account's properties through ARM (allowSharedKeyAccess,
//     the network rules), with armstorage, the Azure SDK's typed client for
//     that resource: it is the one ARM read of the account Terraform 1.11.0
//     makes, and its model carries allowSharedKeyAccess, which decides a
//     key lookup's fate (KeyBasedAuthenticationNotPermitted);
//   - the identity's effective permissions at the container (its data
//     actions: can it take the lock?) or at the account (may it list the
//     keys? asked of the permissions API; listKeys itself is never called,
//     since it returns secrets);
//   - with Entra ID on the data plane, a token for Azure Storage from the
//     same credential (so the same assertion) and ONE List Blobs on the
//     state container, maxresults=1, prefix the state key: the call init
//     makes first (https://learn.microsoft.com/rest/api/storageservices/list-blobs).

import (
	"bytes"
	"context"
	"encoding/xml"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"sync"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/arm"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/runtime"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/storage/armstorage"

	"github.com/oidc-doctor/oidc-doctor/check/explain"
	"github.com/oidc-doctor/oidc-doctor/check/roles"
	"github.com/oidc-doctor/oidc-doctor/check/transport"
)

const (
	module  = "github.com/oidc-doctor/oidc-doctor/check/backend"
	version = "v0.1.0"
	// storageScope is the data plane's token scope, the same in every cloud.
	storageScope = "https://storage.azure.com/.default"
	// storageVersion is the x-ms-version Terraform ≥ 1.11 sends.
	storageVersion = "2023-11-03"
	// lookupTimeout bounds the DNS lookup of the blob host.
	lookupTimeout = 3 * time.Second
)

// live is what the live calls found.
type live struct {
	p        plan // the plan whose settings the calls used
	account  accountOutcome
	perms    permsOutcome // at the container (Entra ID access)
	keyPerms permsOutcome // at the account (key lookup)
	blobs    blobsOutcome
}

type accountOutcome struct {
	ran     bool
	acct    armstorage.Account
	err     error
	elapsed time.Duration
}

type permsOutcome struct {
	ran     bool
	perms   []roles.Permission
	err     error
	elapsed time.Duration
}

type blobsOutcome struct {
	ran     bool
	host    string
	step    string
	status  int
	failure explain.StorageFailure
	names   []string
	err     error
	addrs   []string
	dnsErr  error
	elapsed time.Duration
}

// probe runs the live calls for the first line that reaches the state
// with the OIDC token.
func (in Input) probe(ctx context.Context, plans []plan) live {
	var out live
	for _, p := range plans {
		if (p.via == viaEntra || p.via == viaKeyLookup) && p.auth == authOIDC {
			out.p = p
			break
		}
	}
	v := out.p.v
	opts := in.ClientOptions
	opts.DisableRPRegistration = true // a diagnosis never writes
	sub, rg, account := diagText(v, "subscription_id"), diagText(v, "resource_group_name"), v["storage_account_name"].Text
	armOK := sub != "" && rg != ""
	entra, keys := false, false
	for _, p := range plans {
		entra = entra || p.via == viaEntra
		keys = keys || p.via == viaKeyLookup
	}
	var wg sync.WaitGroup
	if armOK {
		accountScope := "/subscriptions/" + sub + "/resourceGroups/" + rg + "/providers/Microsoft.Storage/storageAccounts/" + account
		wg.Go(func() { out.account = in.readAccount(ctx, &opts, sub, rg, account) })
		if entra {
			wg.Go(func() {
				out.perms = in.readPermissions(ctx, &opts, accountScope+"/blobServices/default/containers/"+v["container_name"].Text)
			})
		}
		if keys {
			wg.Go(func() { out.keyPerms = in.readPermissions(ctx, &opts, accountScope) })
		}
	}
	if entra {
		wg.Go(func() { out.blobs = in.listBlobs(ctx, out.p) })
	}
	wg.Wait()
	return out
}

// diagText is the literal value of a setting, "" when unset or an expression.
func diagText(v map[string]value, n string) string {
	if v[n].Expr || !v[n].Set {
		return ""
	}
	return v[n].Text
}

func (in Input) readAccount(ctx context.Context, opts *arm.ClientOptions, sub, rg, name string) accountOutcome {
	start := time.Now()
	out := accountOutcome{ran: true}
	c, err := armstorage.NewAccountsClient(sub, in.Cred, opts)
	if err == nil {
		var resp armstorage.AccountsClientGetPropertiesResponse
		resp, err = c.GetProperties(ctx, rg, name, nil)
		out.acct = resp.Account
	}
	out.err, out.elapsed = err, time.Since(start)
	return out
}

// readPermissions lists the caller's effective permissions at scope
// (Permissions - List For Resource), through the ARM pipeline.
func (in Input) readPermissions(ctx context.Context, opts *arm.ClientOptions, scope string) permsOutcome {
	start := time.Now()
	out := permsOutcome{ran: true}
	c, err := arm.NewClient(module, version, in.Cred, opts)
	if err != nil {
		out.err = err
		return out
	}
	out.perms, err = transport.Permissions(ctx, c, scope)
	out.err, out.elapsed = err, time.Since(start)
	return out
}

// listBlobs resolves the blob host and sends List Blobs with a storage token.
func (in Input) listBlobs(ctx context.Context, p plan) (out blobsOutcome) {
	start := time.Now()
	host := p.v["storage_account_name"].Text + ".blob." + storageSuffix(p.v["environment"].Text)
	q := url.Values{"restype": {"container"}, "comp": {"list"}, "prefix": {p.v["key"].Text}, "maxresults": {"1"}}
	u := "https://" + host + "/" + url.PathEscape(p.v["container_name"].Text) + "?" + q.Encode()
	out = blobsOutcome{ran: true, host: host, step: "GET " + u}
	var wg sync.WaitGroup
	wg.Go(func() {
		lctx, cancel := context.WithTimeout(ctx, lookupTimeout)
		defer cancel()
		lookup := in.LookupHost
		if lookup == nil {
			lookup = net.DefaultResolver.LookupHost
		}
		out.addrs, out.dnsErr = lookup(lctx, host)
	})
	defer func() { wg.Wait(); out.elapsed = time.Since(start) }()
	pl := runtime.NewPipeline(module, version, runtime.PipelineOptions{PerRetry: []policy.Policy{storageAuth{in}}}, &in.ClientOptions.ClientOptions)
	req, err := runtime.NewRequest(ctx, http.MethodGet, u)
	if err != nil {
		out.err = err
		return out
	}
	req.Raw().Header.Set("x-ms-version", storageVersion)
	resp, err := pl.Do(req)
	if err != nil {
		out.err = err
		return out
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	out.status = resp.StatusCode
	if err != nil {
		out.err = err
		return out
	}
	if resp.StatusCode != http.StatusOK {
		out.failure = explain.ParseStorage(resp.StatusCode, resp.Header.Get("x-ms-error-code"), host, body)
		return out
	}
	out.names = blobNames(body)
	return out
}

// StorageTokenOptions is how the storage token is asked of the exchange's
// credential: without CAE, so that azidentity serves it from the
// credential's second MSAL client, whose lock the ARM calls (CAE, as every
// azcore bearer policy asks) never wait on, and which can request it while
// the exchange is in flight.
var StorageTokenOptions = policy.TokenRequestOptions{Scopes: []string{storageScope}}

// storageAuth signs a data-plane request with the storage token.
type storageAuth struct{ in Input }

// Do implements policy.Policy.
func (a storageAuth) Do(req *policy.Request) (*http.Response, error) {
	get := a.in.StorageToken
	if get == nil {
		get = func(ctx context.Context) (azcore.AccessToken, error) { return RequestStorageToken(ctx, a.in.Cred) }
	}
	tk, err := get(req.Raw().Context())
	if err != nil {
		return nil, err
	}
	if req.Raw().URL.Scheme != "https" {
		return nil, fmt.Errorf("refusing to send a bearer token over %s", req.Raw().URL.Scheme)
	}
	req.Raw().Header.Set("Authorization", "Bearer "+tk.Token)
	return req.Next()
}

// blobNames reads the names of an EnumerationResults body.
func blobNames(body []byte) []string {
	var e struct {
		Blobs []struct {
			Name string `xml:"Name"`
		} `xml:"Blobs>Blob"`
	}
	if xml.Unmarshal(bytes.TrimPrefix(body, []byte("\xef\xbb\xbf")), &e) != nil {
		return nil
	}
	var out []string
	for _, b := range e.Blobs {
		out = append(out, b.Name)
	}
	return out
}
