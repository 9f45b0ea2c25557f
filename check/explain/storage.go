package explain

// Reading Azure Storage's answers to the state backend's first call, List
// Blobs on the state container
// (https://learn.microsoft.com/rest/api/storageservices/list-blobs). Error
// answers are XML, <Error><Code>…</Code><Message>…</Message></Error>, and
// real ones start with a UTF-8 byte-order mark; the code is also in the
// x-ms-error-code header, which is preferred
// (https://learn.microsoft.com/rest/api/storageservices/status-and-error-codes2).

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"net/http"
	"strings"

	"github.com/oidc-doctor/oidc-doctor/check/diag"
	"github.com/oidc-doctor/oidc-doctor/check/fixes"
)

// The Storage error codes the backend's first call can meet.
const (
	StoragePermissionMismatch = "AuthorizationPermissionMismatch"
	StorageAuthorizationFail  = "AuthorizationFailure"
	StorageContainerNotFound  = "ContainerNotFound"
	StorageKeyBasedNotAllowed = "KeyBasedAuthenticationNotPermitted"
)

// StorageFailure is what a Storage error answer says.
type StorageFailure struct {
	Status        int
	Code, Message string
	Host          string
}

// ParseStorage decodes a Storage error answer: its status, the
// x-ms-error-code header (empty to take the body's), the host that
// answered and the body, BOM or not.
func ParseStorage(status int, headerCode, host string, body []byte) StorageFailure {
	f := StorageFailure{Status: status, Code: headerCode, Host: host}
	var e struct {
		Code    string `xml:"Code"`
		Message string `xml:"Message"`
	}
	body = bytes.TrimPrefix(body, []byte("\xef\xbb\xbf"))
	if xml.Unmarshal(body, &e) == nil {
		if f.Code == "" {
			f.Code = e.Code
		}
		// The message's second and third lines are RequestId and Time.
		msg, _, _ := strings.Cut(strings.TrimSpace(e.Message), "\n")
		f.Message = diag.Truncate(msg, 500)
	}
	return f
}

// StorageRequest is what the doctor asked Storage, for the explanation.
type StorageRequest struct {
	// Step names the request: "GET https://st.blob.core.windows.net/tfstate?comp=list…".
	Step string
	// Account and Container are the backend's storage_account_name and container_name.
	Account, Container string
	// ObjectID is the signed-in identity's object id; ContainerScope the
	// container's ARM scope (with placeholders for what is not known).
	ObjectID, ContainerScope string
	// ResourceGroup is the backend's resource_group_name; "" when not set.
	// AccountID is the account's ARM id, with placeholders for what is not known.
	ResourceGroup, AccountID string
	// Network is the account's network access, when ARM was asked for the account.
	Network fixes.StorageNetwork
}

// Storage says what a Storage error answer to the backend's List Blobs means.
func Storage(f StorageFailure, q StorageRequest) Verdict {
	v := Verdict{ErrorCode: f.Code, Cause: diag.CauseOther, Facts: []diag.Fact{
		diag.F("request", q.Step), diag.F("storage error", fmt.Sprintf("%s (HTTP %d)", diag.Absent(f.Code), f.Status)),
	}}
	if f.Message != "" {
		v.Facts = append(v.Facts, diag.F("storage message", f.Message))
	}
	host := diag.FirstNonEmpty(f.Host, q.Account+".blob.core.windows.net")
	switch {
	case f.Code == StoragePermissionMismatch:
		v.Summary = host + " answered " + f.Code + ": the identity has no data role on container " + q.Container + ", so terraform init cannot read the state"
		v.Hint = "Owner and Contributor manage the account but grant no access to blob data. With use_azuread_auth the backend needs " +
			"Storage Blob Data Contributor on the container (or the account): reading takes blobs/read, and the state lock writes. " + rbacDelay
		v.Fixes = fixes.RoleAssignment(q.ObjectID, "Storage Blob Data Contributor", q.ContainerScope)
	case f.Code == StorageAuthorizationFail:
		v.Summary = host + " answered " + f.Code + ": the account's firewall (network rules) or a disabled public endpoint refuses this worker"
		v.Hint = "Spacelift's public workers cannot be allow-listed by IP address in the account's firewall. " +
			"Run the stack on a private worker pool inside a network the account allows (a virtual network rule or a private endpoint), " +
			"or set the account's public network access to all networks. Check with: az storage account show -n " + fixes.Shell(q.Account) + " --query '{default:networkRuleSet.defaultAction, public:publicNetworkAccess}'"
		v.Fixes = fixes.StorageOpenNetwork(q.Account, q.ResourceGroup, q.AccountID, q.Network)
	case f.Code == StorageContainerNotFound || (f.Status == http.StatusNotFound && f.Code == ""):
		v.Cause = diag.CauseAzureResourceNotFound
		v.Summary = host + " answered " + diag.FirstNonEmpty(f.Code, "HTTP 404") + ": the container " + q.Container + " does not exist in account " + q.Account
		v.Hint = "Check container_name in the backend block, or create the container: " +
			"az storage container create --account-name " + fixes.Shell(q.Account) + " --name " + fixes.Shell(q.Container) + " --auth-mode login"
		v.Fixes = []diag.Fix{{Title: "create the container (az CLI)", Lang: "sh",
			Text: "az storage container create --account-name " + fixes.Shell(q.Account) + " --name " + fixes.Shell(q.Container) + " --auth-mode login\n"}}
	case f.Code == StorageKeyBasedNotAllowed:
		v.Summary = host + " answered " + f.Code + ": the account does not allow shared-key access"
		v.Hint = sharedKeyHint
	case f.Status == http.StatusTooManyRequests || f.Status >= 500:
		v.Cause = diag.CauseServiceFault
		v.Summary = fmt.Sprintf("%s answered HTTP %d %s: Azure Storage did not serve the request", host, f.Status, f.Code)
		v.Hint = "This is a fault of the service, not of the configuration: retry the run; see https://azure.status.microsoft"
	default:
		v.Summary = fmt.Sprintf("%s answered HTTP %d %s to List Blobs on %s", host, f.Status, diag.Absent(f.Code), q.Container)
		v.Hint = "Azure Storage refused the state backend's first call; the storage message fact has its reason."
	}
	// The catalogue decides the cause of a code it knows (storage_access_denied
	// for a missing data role, a firewall or refused keys), as for a paste.
	if ci, ok := LookupARM(f.Code); ok && v.Cause != diag.CauseServiceFault {
		v.Cause = ci.Cause
	}
	return v
}

// sharedKeyHint is the repair for an account that refuses keys.
const sharedKeyHint = "With shared-key access disabled, the backend must sign in to the data plane with Entra ID: set use_azuread_auth = true " +
	"in the backend block (or ARM_USE_AZUREAD=true; ARM_STORAGE_USE_AZUREAD is the provider's setting and the backend never reads it), " +
	"and grant the identity Storage Blob Data Contributor on the container."

// SharedKeyHint is the hint for a key lookup on an account that refuses keys.
func SharedKeyHint() string { return sharedKeyHint }
