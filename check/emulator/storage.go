package emulator

// The Azure Storage blob endpoint ({account}.blob.core.windows.net and its
// national-cloud twins) for the one call the doctor makes, List Blobs
// (https://learn.microsoft.com/rest/api/storageservices/list-blobs), with the
// answers Terraform's azurerm backend meets: a firewall
// (AuthorizationFailure), a missing data role
// (AuthorizationPermissionMismatch), a missing container
// (ContainerNotFound), shared keys turned off
// (KeyBasedAuthenticationNotPermitted). Error bodies are XML with a leading
// UTF-8 byte-order mark and the code repeated in x-ms-error-code, as the
// real service sends them
// (https://learn.microsoft.com/rest/api/storageservices/status-and-error-codes2).
//
// Name resolution is emulated too: an account that does not exist does not
// resolve, and one behind a private endpoint resolves to a private address
// that a public worker cannot connect to (the dial hangs until the
// request's deadline). See LookupHost and dialFault.

import (
	"context"
	"encoding/xml"
	"fmt"
	"net"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// Storage is the Azure Storage state: the accounts that hold Terraform state.
type Storage struct {
	Accounts []StorageAccount
}

// StorageAccount is one storage account.
type StorageAccount struct {
	// Name is the account name, the first label of its blob host.
	Name string
	// SubscriptionID and ResourceGroup place it in ARM.
	SubscriptionID, ResourceGroup string
	// SharedKeyDisabled sets allowSharedKeyAccess to false: requests signed
	// with the account key answer KeyBasedAuthenticationNotPermitted.
	SharedKeyDisabled bool
	// Firewall sets the network rules' default action to Deny with no rule
	// for the worker: the blob endpoint answers 403 AuthorizationFailure.
	Firewall bool
	// PrivateEndpoint disables public network access: the name resolves to
	// a private address, which a public worker cannot connect to.
	PrivateEndpoint bool
	// Containers are the blob containers.
	Containers []Container
}

// Container is one blob container and the names of its blobs.
type Container struct {
	Name  string
	Blobs []string
}

// dialDropped is how long a dial to an unreachable private address takes to
// fail with a timeout.
const dialDropped = time.Second

// Addresses the emulated DNS answers for blob hosts: a public one (from
// TEST-NET-3, RFC 5737) and a private one (RFC 1918).
const (
	PublicBlobAddress  = "203.0.113.10"
	PrivateBlobAddress = "10.20.0.5"
)

// Data actions and the storage audience.
const (
	dataBlobRead  = "Microsoft.Storage/storageAccounts/blobServices/containers/blobs/read"
	storageAud    = "https://storage.azure.com"
	storageMSVers = "2023-11-03"
)

// isStorageResource reports whether a scope's resource ("https://storage.azure.com/") is Azure Storage's.
func isStorageResource(resource string) bool {
	return strings.TrimSuffix(resource, "/") == storageAud
}

var blobSuffixes = []string{".blob.core.windows.net", ".blob.core.usgovcloudapi.net", ".blob.core.chinacloudapi.cn"}

// blobAccountName returns the account name of a blob host, if host is one.
func blobAccountName(host string) (string, bool) {
	for _, s := range blobSuffixes {
		if name, ok := strings.CutSuffix(host, s); ok && name != "" && !strings.Contains(name, ".") {
			return name, true
		}
	}
	return "", false
}

// storageAccount finds the live account called name.
func (e *Emulator) storageAccount(name string) (StorageAccount, bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, a := range e.scn.Storage.Accounts {
		if strings.EqualFold(a.Name, name) {
			return a, true
		}
	}
	return StorageAccount{}, false
}

// LookupHost resolves host as the emulated world's DNS does: a blob host
// of an account that does not exist fails with "no such host", one behind
// a private endpoint resolves to PrivateBlobAddress, any other blob host to
// PublicBlobAddress; every other host to the listener's address. It has the
// signature of net.Resolver.LookupHost.
func (e *Emulator) LookupHost(_ context.Context, host string) ([]string, error) {
	name, ok := blobAccountName(strings.ToLower(host))
	if !ok {
		h, _, _ := net.SplitHostPort(e.Addr())
		return []string{h}, nil
	}
	a, ok := e.storageAccount(name)
	switch {
	case !ok:
		return nil, &net.DNSError{Err: "no such host", Name: host, IsNotFound: true}
	case a.PrivateEndpoint:
		return []string{PrivateBlobAddress}, nil
	}
	return []string{PublicBlobAddress}, nil
}

// dialFault is what dialling hostport does before the connection is made
// to the listener: a DNS failure for an account that does not exist, a
// connection that never completes for a private endpoint.
func (e *Emulator) dialFault(ctx context.Context, hostport string) error {
	host, _, err := net.SplitHostPort(hostport)
	if err != nil {
		return nil
	}
	name, ok := blobAccountName(strings.ToLower(host))
	if !ok {
		return nil
	}
	a, ok := e.storageAccount(name)
	switch {
	case !ok:
		return &net.OpError{Op: "dial", Net: "tcp", Err: &net.DNSError{Err: "no such host", Name: host, IsNotFound: true}}
	case a.PrivateEndpoint:
		// A SYN to a private address from outside its network is dropped:
		// nothing answers until the dialer's connect timeout (5 s in the
		// doctor's production client), shortened here to dialDropped.
		t := time.NewTimer(dialDropped)
		defer t.Stop()
		select {
		case <-ctx.Done():
		case <-e.done:
		case <-t.C:
		}
		addr := &net.TCPAddr{IP: net.ParseIP(PrivateBlobAddress), Port: 443}
		if ctx.Err() == context.Canceled {
			return &net.OpError{Op: "dial", Net: "tcp", Addr: addr, Err: context.Canceled}
		}
		return &net.OpError{Op: "dial", Net: "tcp", Addr: addr, Err: os.ErrDeadlineExceeded}
	}
	return nil
}

// storageRoute serves the blob endpoint. Only List Blobs is emulated.
func (e *Emulator) storageRoute(r *http.Request, host string) (string, handlerFunc) {
	name, _ := blobAccountName(host)
	q := r.URL.Query()
	container := strings.Trim(r.URL.Path, "/")
	if r.Method == http.MethodGet && q.Get("restype") == "container" && q.Get("comp") == "list" && container != "" && !strings.Contains(container, "/") {
		return "storage-list-blobs", func(r *http.Request) response { return e.listBlobs(r, name, container) }
	}
	return "", func(r *http.Request) response {
		// UNCONFIRMED: the exact code for an operation the emulator does not implement.
		return storageError(http.StatusBadRequest, "UnsupportedHttpVerb", "The resource doesn't support specified Http Verb.", e.serviceNow())
	}
}

// listBlobs checks, in this order: the network rules, the Authorization
// header (shared key, then the bearer token's signature, lifetime,
// audience and tenant), the data role, the container. UNCONFIRMED: whether
// the real service checks the data role before the container's existence.
func (e *Emulator) listBlobs(r *http.Request, account, container string) response {
	now := e.serviceNow()
	a, ok := e.storageAccount(account)
	if !ok {
		return storageError(http.StatusNotFound, "ResourceNotFound", "The specified resource does not exist.", now)
	}
	if a.Firewall || a.PrivateEndpoint {
		return storageError(http.StatusForbidden, "AuthorizationFailure", "This request is not authorized to perform this operation.", now)
	}
	c, fail := e.storageCaller(r, a)
	if fail != nil {
		return *fail
	}
	scope := containerScope(a, container)
	if !e.allowedData(c.oid, dataBlobRead, scope, e.subscriptionTenant(a.SubscriptionID)) {
		return storageError(http.StatusForbidden, "AuthorizationPermissionMismatch", "This request is not authorized to perform this operation using this permission.", now)
	}
	var blobs []string
	found := false
	for _, ct := range a.Containers {
		if ct.Name == container {
			found, blobs = true, ct.Blobs
		}
	}
	if !found {
		return storageError(http.StatusNotFound, "ContainerNotFound", "The specified container does not exist.", now)
	}
	return enumerationResults(r, container, blobs, now)
}

// storageCaller authenticates a data-plane request.
func (e *Emulator) storageCaller(r *http.Request, a StorageAccount) (caller, *response) {
	now := e.serviceNow()
	h := r.Header.Get("Authorization")
	fail := func(status int, code, msg string) (caller, *response) {
		res := storageError(status, code, msg, now)
		return caller{}, &res
	}
	switch {
	case h == "":
		// UNCONFIRMED: the answer to an anonymous list of a private container.
		return fail(http.StatusUnauthorized, "NoAuthenticationInformation", "Server failed to authenticate the request. Please refer to the information in the www-authenticate header.")
	case strings.HasPrefix(h, "SharedKey "):
		if a.SharedKeyDisabled {
			return fail(http.StatusForbidden, "KeyBasedAuthenticationNotPermitted", "Key based authentication is not permitted on this storage account.")
		}
		// UNCONFIRMED: the emulator holds no keys, so no signature verifies.
		return fail(http.StatusForbidden, "AuthenticationFailed", "Server failed to authenticate the request. Make sure the value of Authorization header is formed correctly including the signature.")
	case r.Header.Get("x-ms-version") == "":
		// UNCONFIRMED: status and code; the message is the service's.
		return fail(http.StatusBadRequest, "AuthenticationFailed", "Authentication scheme Bearer is not supported in this version.")
	}
	raw, _ := strings.CutPrefix(h, "Bearer ")
	invalid := func(detail string) (caller, *response) {
		res := storageError(http.StatusUnauthorized, "InvalidAuthenticationInfo", "Server failed to authenticate the request. Please refer to the information in the www-authenticate header.", now)
		res.body = []byte(strings.Replace(string(res.body), "</Message>", "</Message><AuthenticationErrorDetail>"+detail+"</AuthenticationErrorDetail>", 1))
		res.header.Set("WWW-Authenticate", "Bearer authorization_uri=https://login.microsoftonline.com/"+e.subscriptionTenant(a.SubscriptionID)+"/oauth2/authorize resource_id=https://storage.azure.com")
		return caller{}, &res
	}
	claims := jwt.MapClaims{}
	if _, err := jwt.ParseWithClaims(raw, claims, func(*jwt.Token) (any, error) { return &entraKey.PublicKey, nil },
		jwt.WithValidMethods([]string{"RS256"}), jwt.WithoutClaimsValidation()); err != nil {
		return invalid("Signature validation failed. Signature is invalid.")
	}
	str := func(k string) string { s, _ := claims[k].(string); return s }
	if exp, _ := claims.GetExpirationTime(); exp == nil || !now.Before(exp.Time) {
		return invalid("Lifetime validation failed. The token is expired.")
	}
	if strings.TrimSuffix(str("aud"), "/") != storageAud {
		return invalid("Audience validation failed. Audience did not match.")
	}
	if !strings.EqualFold(str("tid"), e.subscriptionTenant(a.SubscriptionID)) {
		return invalid("Issuer validation failed. Issuer did not match.")
	}
	return caller{oid: str("oid"), appid: str("appid"), tid: str("tid")}, nil
}

// subscriptionTenant is the tenant of the subscription id, "" when unknown.
func (e *Emulator) subscriptionTenant(id string) string {
	if s, ok := e.subscription(id); ok {
		return s.TenantID
	}
	return ""
}

func accountScope(a StorageAccount) string {
	return "/subscriptions/" + a.SubscriptionID + "/resourceGroups/" + a.ResourceGroup + "/providers/Microsoft.Storage/storageAccounts/" + a.Name
}

func containerScope(a StorageAccount, container string) string {
	return accountScope(a) + "/blobServices/default/containers/" + container
}

// storageTime is the Time line of a Storage error message (seven digits of
// fraction, as the service writes it).
func storageTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.0000000Z") }

// storageError is Storage's XML error body, BOM first, with the code in
// x-ms-error-code.
func storageError(status int, code, msg string, now time.Time) response {
	id := newUUID()
	var b strings.Builder
	b.WriteString("\xef\xbb\xbf<?xml version=\"1.0\" encoding=\"utf-8\"?><Error><Code>")
	_ = xml.EscapeText(&b, []byte(code))
	b.WriteString("</Code><Message>")
	_ = xml.EscapeText(&b, []byte(msg))
	b.WriteString("\nRequestId:" + id + "\nTime:" + storageTime(now) + "</Message></Error>")
	h := http.Header{}
	h.Set("Content-Type", "application/xml")
	h.Set("x-ms-error-code", code)
	h.Set("x-ms-request-id", id)
	return response{status: status, header: h, body: []byte(b.String())}
}

// enumerationResults is List Blobs' 200 body: the blobs under prefix, at
// most maxresults of them.
func enumerationResults(r *http.Request, container string, blobs []string, now time.Time) response {
	q := r.URL.Query()
	prefix := q.Get("prefix")
	limit := 5000
	if n, err := fmt.Sscanf(q.Get("maxresults"), "%d", &limit); n != 1 || err != nil || limit <= 0 {
		limit = 5000
	}
	var b strings.Builder
	fmt.Fprintf(&b, `<?xml version="1.0" encoding="utf-8"?><EnumerationResults ServiceEndpoint="https://%s/" ContainerName="%s">`, r.Host, xmlAttr(container))
	if prefix != "" {
		b.WriteString("<Prefix>" + xmlAttr(prefix) + "</Prefix>")
	}
	if q.Has("maxresults") {
		fmt.Fprintf(&b, "<MaxResults>%d</MaxResults>", limit)
	}
	b.WriteString("<Blobs>")
	n := 0
	for _, name := range blobs {
		if !strings.HasPrefix(name, prefix) || n == limit {
			continue
		}
		n++
		fmt.Fprintf(&b, "<Blob><Name>%s</Name><Properties><Last-Modified>%s</Last-Modified><BlobType>BlockBlob</BlobType><LeaseStatus>unlocked</LeaseStatus><LeaseState>available</LeaseState></Properties></Blob>",
			xmlAttr(name), now.UTC().Format(http.TimeFormat))
	}
	b.WriteString("</Blobs><NextMarker /></EnumerationResults>")
	h := http.Header{}
	h.Set("Content-Type", "application/xml")
	h.Set("x-ms-request-id", newUUID())
	return response{status: http.StatusOK, header: h, body: []byte(b.String())}
}

// storageErrorForStatus is the body Storage sends for a bare failure status.
func storageErrorForStatus(status int, now time.Time) response {
	switch {
	case status < 400:
		h := http.Header{}
		h.Set("Content-Type", "application/xml")
		h.Set("x-ms-request-id", newUUID())
		return response{status: status, header: h}
	case status == http.StatusServiceUnavailable, status == http.StatusTooManyRequests:
		return storageError(status, "ServerBusy", "The server is currently unable to receive requests. Please retry your request.", now)
	case status >= 500:
		return storageError(status, "InternalError", "The server encountered an internal error. Please retry the request.", now)
	case status == http.StatusForbidden:
		return storageError(status, "AuthorizationFailure", "This request is not authorized to perform this operation.", now)
	case status == http.StatusNotFound:
		return storageError(status, "ResourceNotFound", "The specified resource does not exist.", now)
	}
	return storageError(status, "InvalidInput", "One of the request inputs is not valid.", now)
}

// setStorageErrorCode makes x-ms-error-code agree with the body's <Code>,
// as the service always sends them (a fault's Body replaces the body).
func setStorageErrorCode(resp response) {
	var e struct {
		Code string `xml:"Code"`
	}
	if xml.Unmarshal([]byte(strings.TrimPrefix(string(resp.body), "\xef\xbb\xbf")), &e) == nil && e.Code != "" {
		resp.header.Set("x-ms-error-code", e.Code)
	}
}

func xmlAttr(s string) string {
	var b strings.Builder
	_ = xml.EscapeText(&b, []byte(s))
	return b.String()
}
