package backend_test

import (
	"context"
	"net"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/arm"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"

	"github.com/oidc-doctor/oidc-doctor/check/backend"
	"github.com/oidc-doctor/oidc-doctor/check/diag"
	"github.com/oidc-doctor/oidc-doctor/check/emulator"
	"github.com/oidc-doctor/oidc-doctor/check/transport"
)

// start runs the backend-ok world with faults.
func start(t *testing.T, faults map[string]emulator.Fault) *emulator.Emulator {
	t.Helper()
	sc, _ := emulator.Lookup("backend-ok")
	sc.Faults = faults
	e, err := emulator.Start(sc, emulator.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(e.Close)
	return e
}

// liveInput is the step's input as package check builds it after an
// exchange: the real ClientAssertionCredential against the emulator over
// TLS, through the run's transport.Observer.
func liveInput(t testing.TB, e *emulator.Emulator) backend.Input {
	t.Helper()
	_, client := transport.NewObserver(e.Client(), time.Now)
	co := azcore.ClientOptions{Transport: transport.SDK(client), Retry: transport.RetryOptions}
	cred, err := azidentity.NewClientAssertionCredential(emulator.TenantID, emulator.ClientID,
		func(context.Context) (string, error) { return e.Token(), nil }, &azidentity.ClientAssertionCredentialOptions{ClientOptions: co})
	if err != nil {
		t.Fatal(err)
	}
	lit := func(v string) backend.Attr { return backend.Attr{Kind: backend.Literal, Text: v, Pos: "versions.tf:1"} }
	env := map[string]string{"ARM_USE_OIDC": "true", "ARM_OIDC_TOKEN_FILE_PATH": "/mnt/workspace/spacelift.oidc",
		"ARM_CLIENT_ID": emulator.ClientID, "ARM_TENANT_ID": emulator.TenantID, "ARM_SUBSCRIPTION_ID": emulator.SubscriptionID}
	return backend.Input{
		Block: map[string]backend.Attr{"storage_account_name": lit(emulator.StateAccount), "container_name": lit(emulator.StateContainer),
			"key": lit(emulator.StateKey), "resource_group_name": lit(emulator.StateResourceGroup), "use_azuread_auth": lit("true")},
		Getenv: func(k string) string { return env[k] }, Complete: true, Lines: []string{"terraform-1.13"},
		Cred: cred, ClientOptions: arm.ClientOptions{ClientOptions: co},
		ClientID: emulator.ClientID, TenantID: emulator.TenantID, ObjectID: emulator.SPObjectID, LookupHost: e.LookupHost,
	}
}

func find(rs []diag.Result, id string) diag.Result {
	for _, r := range rs {
		if r.ID == id {
			return r
		}
	}
	return diag.Result{}
}

// TestRecordedStorageAnswers serves the real Storage bodies (sources in
// testdata/storage/SOURCES.md), BOM first for errors as the service sends
// them, over TLS to the step's real pipeline, and checks what it reads.
func TestRecordedStorageAnswers(t *testing.T) {
	tests := []struct {
		file   string
		status int
		want   diag.Status
		cause  diag.Cause
		inText string
	}{
		{"storage-AuthorizationPermissionMismatch.xml", 403, diag.StatusFail, diag.CauseStorageAccessDenied, "Storage Blob Data Contributor"},
		{"storage-AuthorizationFailure.xml", 403, diag.StatusFail, diag.CauseStorageAccessDenied, "firewall"},
		{"storage-ContainerNotFound.xml", 404, diag.StatusFail, diag.CauseAzureResourceNotFound, "does not exist"},
		{"storage-KeyBasedAuthenticationNotPermitted.xml", 403, diag.StatusFail, diag.CauseStorageAccessDenied, "shared-key"},
		{"storage-ListBlobs200-prefix.xml", 200, diag.StatusPass, "", "no blob named " + emulator.StateKey},
		{"storage-ListBlobs200-empty.xml", 200, diag.StatusPass, "", "init creates it"},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			t.Parallel()
			body, err := os.ReadFile("testdata/storage/" + tt.file)
			if err != nil {
				t.Fatal(err)
			}
			if tt.status >= 400 {
				body = append([]byte("\xef\xbb\xbf"), body...)
			}
			e := start(t, map[string]emulator.Fault{"storage-list-blobs": {Status: tt.status, ContentType: "application/xml", Body: string(body)}})
			r := find(backend.Check(t.Context(), liveInput(t, e)), "backend-data")
			text := r.Summary + " " + r.Hint
			for _, f := range r.Facts {
				text += " " + f.Value
			}
			if r.Status != tt.want || r.Cause != tt.cause || !strings.Contains(text, tt.inText) {
				t.Errorf("%s %q: %s", r.Status, r.Cause, text)
			}
			if tt.status >= 400 && r.ErrorCode != strings.TrimSuffix(strings.TrimPrefix(tt.file, "storage-"), ".xml") {
				t.Errorf("error code %q", r.ErrorCode)
			}
		})
	}
}

// TestFaultsAreInconclusive: a blob endpoint that resets, hangs or whose
// resolver fails is a fault (exit 4), never a misconfiguration.
func TestFaultsAreInconclusive(t *testing.T) {
	tests := []struct {
		name   string
		fault  emulator.Fault
		lookup func(context.Context, string) ([]string, error)
	}{
		{"reset", emulator.Fault{Reset: true}, nil},
		{"503", emulator.Fault{Status: 503}, nil},
		{"resolver timed out", emulator.Fault{Reset: true}, func(context.Context, string) ([]string, error) {
			return nil, &net.DNSError{Err: "i/o timeout", Name: "x", IsTimeout: true}
		}},
		{"hang", emulator.Fault{Hang: true}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := start(t, map[string]emulator.Fault{"storage-list-blobs": tt.fault})
			in := liveInput(t, e)
			if tt.lookup != nil {
				in.LookupHost = tt.lookup
			}
			ctx, cancel := context.WithTimeout(t.Context(), 3*time.Second)
			defer cancel()
			start := time.Now()
			r := find(backend.Check(ctx, in), "backend-data")
			if r.Status != diag.StatusFail || !r.Cause.Fault() {
				t.Errorf("%s %q: %s", r.Status, r.Cause, r.Summary)
			}
			// Generous slack: this checks that the deadline cuts a hang, not speed.
			if el := time.Since(start); el > 3*time.Second+5*time.Second {
				t.Errorf("took %s", el)
			}
		})
	}
}

// TestStorageTokenFailures: when the token request for Azure Storage fails
// (the one List Blobs needs, asked of the real ClientAssertionCredential,
// as package check prefetches it), backend-data says why: a service or
// network fault, a deadline included, is inconclusive; Entra's real refusal
// is read through explain and stays a misconfiguration.
func TestStorageTokenFailures(t *testing.T) {
	refusal := `{"error":"invalid_grant","error_description":"AADSTS53003: Access has been blocked by Conditional Access policies. ` +
		`The access policy does not allow token issuance. Trace ID: 0 Correlation ID: 0 Timestamp: 2025-01-01 00:00:00Z","error_codes":[53003]}`
	tests := []struct {
		name  string
		fault emulator.Fault
		cause diag.Cause
		code  string
	}{
		{"hang past the request's deadline", emulator.Fault{Hang: true}, diag.CauseTimeout, ""},
		{"503", emulator.Fault{Status: 503}, diag.CauseServiceFault, "AADSTS90033"},
		{"429", emulator.Fault{Status: 429, RetryAfter: "30"}, diag.CauseServiceFault, "AADSTS90055"},
		{"reset", emulator.Fault{Reset: true}, diag.CauseNetworkFault, ""},
		{"truncate", emulator.Fault{Truncate: true}, diag.CauseNetworkFault, ""},
		{"a proxy's page", emulator.Fault{ContentType: "text/html", Body: "<html>sign in to the proxy</html>"}, diag.CauseOther, ""},
		{"Conditional Access", emulator.Fault{Status: 400, ContentType: "application/json; charset=utf-8", Body: refusal}, diag.CauseConditionalAccess, "AADSTS53003"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := start(t, map[string]emulator.Fault{"entra-token-storage": tt.fault})
			in := liveInput(t, e)
			// The request's own deadline, far shorter than the step's:
			// only it may end a hang. Long enough for the retries otherwise.
			d := 10 * time.Second
			if tt.fault.Hang {
				d = time.Second
			}
			ctx, cancel := context.WithTimeout(t.Context(), d)
			tk, err := backend.RequestStorageToken(ctx, in.Cred)
			cancel()
			if err == nil {
				t.Fatal("the token request succeeded")
			}
			in.StorageToken = func(context.Context) (azcore.AccessToken, error) { return tk, err }
			rs := backend.Check(t.Context(), in)
			r := find(rs, "backend-data")
			if r.Status != diag.StatusFail || r.Cause != tt.cause || r.ErrorCode != tt.code {
				t.Errorf("backend-data: %s %q %q: %s (hint %s)", r.Status, r.Cause, r.ErrorCode, r.Summary, r.Hint)
			}
			if !strings.Contains(r.Summary, "Azure Storage") {
				t.Errorf("the summary does not name the token request: %s", r.Summary)
			}
			// The fault was the storage token request's alone.
			if a := find(rs, "backend-account"); a.Status != diag.StatusPass {
				t.Errorf("backend-account: %s %s", a.Status, a.Summary)
			}
		})
	}
}

// TestNoKeysAsked: the key-lookup path asks the permissions API whether
// listKeys is allowed, and never calls it.
func TestNoKeysAsked(t *testing.T) {
	e := start(t, nil)
	in := liveInput(t, e)
	delete(in.Block, "use_azuread_auth")
	rs := backend.Check(t.Context(), in)
	if r := find(rs, "backend-data"); r.Status != diag.StatusPass || !strings.Contains(r.Summary, "never calls listKeys") {
		t.Errorf("backend-data: %s %s", r.Status, r.Summary)
	}
	for _, r := range e.Requests() {
		if strings.Contains(strings.ToLower(r.Path), "listkeys") || r.Endpoint == "storage-list-blobs" {
			t.Errorf("unexpected request %s", r)
		}
	}
}

// BenchmarkBackend is the live part of the step as a run meets it: the
// exchange has cached the ARM token (untimed), so the step pays a storage
// token, List Blobs, the account read and the container's permissions.
// Compare with BenchmarkRBAC (check/rbac), which it runs beside.
func BenchmarkBackend(b *testing.B) {
	sc, _ := emulator.Lookup("backend-ok")
	e, err := emulator.Start(sc, emulator.Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(e.Close)
	b.ReportAllocs()
	e.ResetRequests()
	runs := 0
	for b.Loop() {
		b.StopTimer()
		in := liveInput(b, e)
		if _, err := in.Cred.GetToken(context.Background(), policy.TokenRequestOptions{Scopes: []string{"https://management.core.windows.net//.default"}, EnableCAE: true}); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		runs++
		for _, r := range backend.Check(context.Background(), in) {
			if r.Status == diag.StatusFail {
				b.Fatalf("%s failed: %s", r.ID, r.Summary)
			}
		}
	}
	b.StopTimer()
	n := 0
	for _, r := range e.Requests() {
		if !r.Internal {
			n++
		}
	}
	b.ReportMetric(float64(n)/float64(runs), "requests/op")
}
