package explain

import (
	"os"
	"strings"
	"testing"

	"github.com/oidc-doctor/oidc-doctor/check/diag"
)

// TestStorageRecorded reads the real Storage error bodies (sources in
// check/backend/testdata/storage/SOURCES.md), with the byte-order mark the
// service sends, and names each one's cause.
func TestStorageRecorded(t *testing.T) {
	q := StorageRequest{Step: "GET https://sttfstate.blob.core.windows.net/tfstate?comp=list", Account: "sttfstate", Container: "tfstate",
		ObjectID: "c6e1f7a2-8b4d-4d5c-a3e9-9b2f6c0d7e15", ContainerScope: "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/sttfstate/blobServices/default/containers/tfstate"}
	tests := []struct {
		file   string
		status int
		cause  diag.Cause
		inText string
	}{
		{"storage-AuthorizationPermissionMismatch.xml", 403, diag.CauseStorageAccessDenied, "Storage Blob Data Contributor"},
		{"storage-AuthorizationFailure.xml", 403, diag.CauseStorageAccessDenied, "cannot be allow-listed by IP"},
		{"storage-ContainerNotFound.xml", 404, diag.CauseAzureResourceNotFound, "does not exist"},
		{"storage-KeyBasedAuthenticationNotPermitted.xml", 403, diag.CauseStorageAccessDenied, "use_azuread_auth"},
	}
	for _, tt := range tests {
		body, err := os.ReadFile("../backend/testdata/storage/" + tt.file)
		if err != nil {
			t.Fatal(err)
		}
		code := strings.TrimSuffix(strings.TrimPrefix(tt.file, "storage-"), ".xml")
		for _, header := range []string{code, ""} {
			f := ParseStorage(tt.status, header, "sttfstate.blob.core.windows.net", append([]byte("\xef\xbb\xbf"), body...))
			if f.Code != code || f.Message == "" || strings.Contains(f.Message, "RequestId") {
				t.Errorf("%s (header %q): parsed %+v", tt.file, header, f)
			}
			v := Storage(f, q)
			text := v.Summary + " " + v.Hint
			for _, fx := range v.Fixes {
				text += " " + fx.Text
			}
			if v.Cause != tt.cause || v.ErrorCode != code || !strings.Contains(text, tt.inText) {
				t.Errorf("%s: %s %s %q", tt.file, v.Cause, v.ErrorCode, text)
			}
		}
	}
	// The header wins over the body; a 5xx is a fault.
	if f := ParseStorage(403, "AuthorizationFailure", "h", []byte("<Error><Code>Other</Code></Error>")); f.Code != "AuthorizationFailure" {
		t.Errorf("header not preferred: %+v", f)
	}
	if v := Storage(ParseStorage(503, "ServerBusy", "h", nil), q); v.Cause != diag.CauseServiceFault {
		t.Errorf("503: %s", v.Cause)
	}
}
