package check_test

import (
	"context"
	"fmt"
	"maps"
	"strings"
	"testing"
	"time"

	"github.com/oidc-doctor/oidc-doctor/check"
	"github.com/oidc-doctor/oidc-doctor/check/diag"
	"github.com/oidc-doctor/oidc-doctor/check/emulator"
)

// runScenario runs the full diagnosis against a fresh emulator, as the demo does.
func runScenario(t testing.TB, sc emulator.Scenario, timeout time.Duration) (diag.Report, *emulator.Emulator) {
	t.Helper()
	e, err := emulator.Start(sc, emulator.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(e.Close)
	return runOn(t, e, timeout), e
}

func runOn(t testing.TB, e *emulator.Emulator, timeout time.Duration) diag.Report {
	t.Helper()
	cfg := runConfig(t, e)
	cfg.Timeout = timeout
	return check.Run(context.Background(), cfg)
}

// runConfig is the Config a run on e sees: a temporary workspace holding the
// token, the scenario's environment, the emulator's client.
func runConfig(t testing.TB, e *emulator.Emulator) check.Config {
	t.Helper()
	ws := t.TempDir()
	env, path, err := e.RunEnv(ws)
	if err != nil {
		t.Fatal(err)
	}
	dir, err := e.TerraformDir(ws)
	if err != nil {
		t.Fatal(err)
	}
	return check.Config{Getenv: func(k string) string { return env[k] }, HTTPClient: e.Client(), DefaultTokenPath: path,
		Dir: dir, LookupHost: e.LookupHost}
}

// startScenario starts the named scenario's emulator for a benchmark or test.
func startScenario(t testing.TB, name string) *emulator.Emulator {
	t.Helper()
	e, err := emulator.Start(lookup(t, name), emulator.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(e.Close)
	return e
}

func lookup(t testing.TB, name string) emulator.Scenario {
	t.Helper()
	sc, ok := emulator.Lookup(name)
	if !ok {
		t.Fatalf("no scenario %q", name)
	}
	return sc
}

// TestScenarios drives every emulated misconfiguration through the real
// azidentity and ARM clients over TLS and checks the report names the cause,
// and the exit code it gives (issue 12's table: a healthy set-up passes or
// warns, a fault is inconclusive, a misconfiguration fails).
func TestScenarios(t *testing.T) {
	tests := []struct {
		scenario string
		want     diag.Status // overall
		id       string      // the check that carries the cause
		status   diag.Status
		code     string
		inText   string // in that check's summary, facts or hint
		exit     int
	}{
		{"ok", diag.StatusPass, "entra-exchange", diag.StatusPass, "", "spacelift-azure-infra", 0},
		{"subject-run-type", diag.StatusFail, "entra-exchange", diag.StatusFail, "AADSTS700213", "run_type:TRACKED", 3},
		{"subject-scope", diag.StatusFail, "entra-exchange", diag.StatusFail, "AADSTS700213", "scope:write", 3},
		{"audience-default", diag.StatusFail, "entra-exchange", diag.StatusFail, "AADSTS700212", "api://AzureADTokenExchange", 3},
		{"issuer-trailing-slash", diag.StatusFail, "entra-exchange", diag.StatusFail, "AADSTS700211", "trailing slash", 3},
		{"subject-case", diag.StatusFail, "entra-exchange", diag.StatusFail, "AADSTS7002138", "case", 3},
		{"object-id-as-client-id", diag.StatusFail, "entra-exchange", diag.StatusFail, "AADSTS700016", "Application (client) ID", 3},
		{"wrong-tenant", diag.StatusFail, "entra-exchange", diag.StatusFail, "AADSTS700016", "ARM_TENANT_ID=", 3},
		{"tenant-not-found", diag.StatusFail, "entra-exchange", diag.StatusFail, "AADSTS90002", "tenant discovery", 3},
		{"tenant-malformed", diag.StatusFail, "azure-settings", diag.StatusFail, "", "neither a GUID nor a domain", 3},
		{"expired-token", diag.StatusFail, "entra-exchange", diag.StatusFail, "AADSTS700024", "token expires", 3},
		{"disabled-app", diag.StatusFail, "entra-exchange", diag.StatusFail, "AADSTS7000112", "disabled", 3},
		{"no-service-principal", diag.StatusFail, "entra-exchange", diag.StatusFail, "AADSTS7000229", "az ad sp create", 3},
		{"no-fics", diag.StatusFail, "entra-exchange", diag.StatusFail, "AADSTS70025", "az ad app federated-credential create", 3},
		{"conditional-access", diag.StatusFail, "entra-exchange", diag.StatusFail, "AADSTS53003", "Conditional Access", 3},
		// Issue 12: an issuer neither oidc-doctor nor Entra reached stays exit 3 (AADSTS50166 is
		// the answer Terraform gets too); one that answered 5xx or 429 is a fault (TestFaultSweep).
		{"issuer-keys-unreachable", diag.StatusFail, "entra-exchange", diag.StatusFail, "AADSTS50166", "issuer", 3},
		{"issuer-kid-rotated", diag.StatusFail, "issuer-signature", diag.StatusFail, "", "not in the issuer's JWKS", 3},
		{"issuer-mismatch", diag.StatusFail, "issuer-discovery", diag.StatusFail, "", "issuer differs", 3},
		{"tampered-signature", diag.StatusFail, "issuer-signature", diag.StatusFail, "", "does not verify", 3},
		{"issuer-wrong-cert", diag.StatusFail, "issuer-discovery", diag.StatusFail, "", "authority", 3},
		{"clock-skew", diag.StatusWarn, "clock-skew", diag.StatusWarn, "", "behind", 0},
		{"rbac-reader-on-write", diag.StatusFail, "rbac-permissions", diag.StatusFail, "", "Contributor", 3},
		{"rbac-none", diag.StatusFail, "arm-subscription", diag.StatusFail, "AuthorizationFailed", "az role assignment create", 3},
		// Issue 12: a role on one resource group is a normal set-up (was fail, exit 3).
		{"rbac-rg-only", diag.StatusWarn, "rbac-role-assignments", diag.StatusWarn, "AuthorizationFailed", "rg-azure-infra", 0},
		{"rbac-mg-inherited", diag.StatusPass, "rbac-role-assignments", diag.StatusPass, "", "management group", 0},
		{"subscription-other-tenant", diag.StatusFail, "arm-subscription", diag.StatusFail, "InvalidAuthenticationTokenTenant", emulator.OtherTenantID, 3},
		{"subscription-not-found", diag.StatusFail, "arm-subscription", diag.StatusFail, "SubscriptionNotFound", "not found", 3},
		{"subscription-disabled", diag.StatusFail, "arm-subscription", diag.StatusFail, "", "Disabled", 3},
		// Issue 12: the custom role deploys but may not create resource
		// groups, which only some stacks do, and whether azurerm registers
		// the two namespaces depends on its release (was fail, exit 3).
		{"providers-unregistered", diag.StatusWarn, "rbac-providers", diag.StatusWarn, "", "not registered", 0},
		{"rbac-paged", diag.StatusPass, "rbac-role-assignments", diag.StatusPass, "", "Contributor", 0},
		{"entra-5xx", diag.StatusFail, "entra-exchange", diag.StatusFail, "AADSTS90033", "HTTP 500", 4},
		{"entra-429", diag.StatusFail, "entra-exchange", diag.StatusFail, "AADSTS90055", "HTTP 429", 4},
		{"entra-hang", diag.StatusFail, "entra-exchange", diag.StatusFail, "", "login.microsoftonline.com", 4},
		{"arm-hang", diag.StatusFail, "arm-subscription", diag.StatusFail, "", "management.azure.com", 4},
		{"entra-html", diag.StatusFail, "entra-exchange", diag.StatusFail, "", "HTML", 3},
		// Issue 12's new scenarios: healthy set-ups that must not fail.
		{"providers-third-party-legacy", diag.StatusPass, "rbac-providers", diag.StatusPass, "", "Dynatrace.Ruxit", 0},
		{"providers-third-party-core", diag.StatusPass, "rbac-providers", diag.StatusPass, "", "its core set", 0},
		{"providers-third-party-none", diag.StatusPass, "rbac-providers", diag.StatusPass, "", "registers none", 0},
		{"rbac-rg-only-sub-readable", diag.StatusWarn, "rbac-permissions", diag.StatusWarn, "", "azurerm needs at subscription scope", 0},
		{"lighthouse-delegated", diag.StatusPass, "arm-subscription", diag.StatusPass, "", "Azure Lighthouse", 0},
		{"entra-429-once", diag.StatusPass, "entra-exchange", diag.StatusPass, "", "Entra accepted the token", 0},
		// Real shapes (issue 13).
		{"fic-legacy-70021", diag.StatusFail, "entra-exchange", diag.StatusFail, "AADSTS70021", "credential needed", 3},
		{"issuer-jwks-malformed", diag.StatusFail, "entra-exchange", diag.StatusFail, "AADSTS900612", "signing keys", 3},
		{"no-display-name", diag.StatusPass, "entra-exchange", diag.StatusPass, "", "signed in as app " + emulator.ClientID, 0},
		{"rbac-linked-denied", diag.StatusFail, "arm-subscription", diag.StatusFail, "LinkedAuthorizationFailed", "denied scope /subscriptions/" + emulator.SubscriptionID + "/resourceGroups/rg-network", 3},
		// The Terraform configuration and the state backend.
		{"backend-ok", diag.StatusPass, "backend-data", diag.StatusPass, "", "answered 200", 0},
		{"backend-provider-oidc-only", diag.StatusFail, "backend-auth", diag.StatusFail, "", "set only in provider \"azurerm\" (providers.tf:3)", 3},
		{"backend-no-data-role", diag.StatusFail, "backend-data", diag.StatusFail, "AuthorizationPermissionMismatch", "--role 'Storage Blob Data Contributor' --scope /subscriptions/" + emulator.SubscriptionID + "/resourceGroups/rg-tfstate/providers/Microsoft.Storage/storageAccounts/stoidcdoctorstate/blobServices/default/containers/tfstate", 3},
		{"backend-firewall", diag.StatusFail, "backend-data", diag.StatusFail, "AuthorizationFailure", "cannot be allow-listed by IP", 3},
		{"backend-container-missing", diag.StatusFail, "backend-data", diag.StatusFail, "ContainerNotFound", "az storage container create", 3},
		{"backend-private-endpoint", diag.StatusFail, "backend-data", diag.StatusFail, "", "private address (10.20.0.5)", 3},
		{"backend-account-missing", diag.StatusFail, "backend-data", diag.StatusFail, "", "storage_account_name is wrong", 3},
		{"backend-blob-hang", diag.StatusFail, "backend-data", diag.StatusFail, "", "did not finish", 4},
		{"backend-reader-only", diag.StatusFail, "backend-lock", diag.StatusFail, "", "does not allow blob write", 3},
		{"backend-lock-unchecked", diag.StatusWarn, "backend-lock", diag.StatusWarn, "AuthorizationFailed", "reads checked, the lock not checked", 0},
		{"backend-shared-key-disabled", diag.StatusFail, "backend-data", diag.StatusFail, "KeyBasedAuthenticationNotPermitted", "use_azuread_auth = true", 3},
		{"backend-listkeys-denied", diag.StatusFail, "backend-data", diag.StatusFail, "", "Storage Account Key Operator Service Role", 3},
		{"backend-storage-use-azuread", diag.StatusFail, "backend-settings", diag.StatusFail, "", "ARM_USE_AZUREAD=true", 3},
		{"backend-tf-1.11.0", diag.StatusWarn, "backend-account", diag.StatusWarn, "AuthorizationFailed", "Upgrade to Terraform 1.11.2", 0},
		{"token-spacelift-env-only", diag.StatusFail, "token-source", diag.StatusFail, "", "SPACELIFT_OIDC_TOKEN, which Terraform never reads", 3},
		// Issue 17: Graph, provider aliases, a subject holding the run id.
		{"graph-azuread-ok", diag.StatusPass, "graph-permissions", diag.StatusPass, "", "resource azuread_application", 0},
		{"graph-azuread-missing", diag.StatusFail, "graph-permissions", diag.StatusFail, "", "Group.Read.All or Directory.Read.All", 3},
		{"graph-refused", diag.StatusFail, "graph-token", diag.StatusFail, "AADSTS53003", "building account: could not acquire access token to parse claims", 3},
		{"graph-5xx", diag.StatusFail, "graph-token", diag.StatusFail, "AADSTS90033", "HTTP 503", 4},
		{"graph-credentials-apply-missing", diag.StatusWarn, "graph-credentials", diag.StatusWarn, "", "the apply phase's write subject " + emulator.SubjectTrackedWrite, 0},
		{"graph-credentials-unreadable", diag.StatusPass, "graph-credentials", diag.StatusSkip, "Authorization_RequestDenied", "not read: Microsoft Graph answered HTTP 403", 0},
		{"alias-other-tenant", diag.StatusPass, "arm-subscription@other", diag.StatusPass, "", "Other Tenant Production", 0},
		{"alias-other-tenant-no-sp", diag.StatusFail, "entra-exchange@other", diag.StatusFail, "AADSTS700016", `provider "azurerm" (alias "other")`, 3},
		{"subject-run-id", diag.StatusFail, "claim-sub", diag.StatusFail, "", "run's runId " + emulator.RunID, 3},
	}
	covered := map[string]bool{}
	for _, tt := range tests {
		covered[tt.scenario] = true
		t.Run(tt.scenario, func(t *testing.T) {
			t.Parallel()
			timeout := 20 * time.Second
			if strings.HasSuffix(tt.scenario, "-hang") {
				timeout = 3 * time.Second // the run's deadline cuts the hang
			}
			rep, _ := runScenario(t, lookup(t, tt.scenario), timeout)
			if got := rep.Status(); got != tt.want {
				t.Errorf("overall = %s, want %s\n%s", got, tt.want, dump(rep))
			}
			if got := exitOf(rep); got != tt.exit {
				t.Errorf("exit = %d (%s), want %d\n%s", got, rep.Outcome(), tt.exit, dump(rep))
			}
			r := rep.Find(tt.id)
			if r == nil {
				t.Fatalf("no %s result", tt.id)
			}
			if r.Status != tt.status || r.ErrorCode != tt.code {
				t.Errorf("%s = %s %q, want %s %q: %s", tt.id, r.Status, r.ErrorCode, tt.status, tt.code, r.Summary)
			}
			if text := resultText(*r); !strings.Contains(strings.ToLower(text), strings.ToLower(tt.inText)) {
				t.Errorf("%s lacks %q:\n%s", tt.id, tt.inText, text)
			}
			if tt.status == diag.StatusFail && r.Hint == "" {
				t.Errorf("%s fails without a hint", tt.id)
			}
		})
	}
	for _, sc := range emulator.Scenarios() {
		if !covered[sc.Name] {
			t.Errorf("scenario %s has no expectation here", sc.Name)
		}
	}
}

// exitOf is main's exit code for a report with the default --fail-on fail
// (README, Exit codes): 3 for a misconfiguration, 4 when every failure is a
// fault, else 0.
func exitOf(rep diag.Report) int {
	switch rep.Outcome() {
	case diag.OutcomeFail:
		return 3
	case diag.OutcomeInconclusive:
		return 4
	}
	return 0
}

func resultText(r diag.Result) string {
	var b strings.Builder
	fmt.Fprintln(&b, r.Summary, r.Hint)
	for _, f := range r.Facts {
		fmt.Fprintln(&b, f.Key, f.Value)
	}
	for _, f := range r.Fixes {
		fmt.Fprintln(&b, f.Title, f.Text)
	}
	return b.String()
}

func dump(rep diag.Report) string {
	var b strings.Builder
	for _, r := range rep.Results {
		fmt.Fprintf(&b, "  %s %s %s %s\n", r.Status, r.ID, r.ErrorCode, r.Summary)
	}
	return b.String()
}

// TestNoRequestTwice: a full passing run asks each URL once, and the
// exchange happens once per tenant and client for the whole run. The one
// request azidentity repeats is the tenant's discovery (GET
// /{tenant}/v2.0/.well-known/openid-configuration): each MSAL client reads
// it once for itself, and a ClientAssertionCredential holds two, one for
// CAE tokens and one without
// (https://github.com/Azure/azure-sdk-for-go/blob/sdk/azidentity/v1.15.0/sdk/azidentity/confidential_client.go).
// Each client holds its lock for the whole token request, so tokens asked
// for side by side cannot share a client without waiting for each other;
// the other clients' discoveries run beside the exchange's, and each is
// counted here.
func TestNoRequestTwice(t *testing.T) {
	home, other := emulator.TenantID, emulator.OtherTenantID
	tests := []struct {
		scenario string
		// discoveries per tenant, and why each is there.
		discoveries map[string]int
		why         string
		tokens      int
	}{
		{"ok", map[string]int{home: 2}, "the exchange's CAE client (ARM), the Graph token's credential", 2},
		{"graph-azuread-ok", map[string]int{home: 2}, "as ok: the azuread checks read Graph with the token already held", 2},
		{"backend-ok", map[string]int{home: 3}, "as ok, and the exchange's non-CAE client (Azure Storage, asked beside ARM)", 3},
		{"alias-other-tenant", map[string]int{home: 2, other: 2}, "as ok in each tenant: the block signs in to its own (ARM and Graph)", 4},
	}
	for _, tt := range tests {
		t.Run(tt.scenario, func(t *testing.T) {
			rep, e := runScenario(t, lookup(t, tt.scenario), 20*time.Second)
			if rep.Status() != diag.StatusPass {
				t.Fatalf("%s: %s\n%s", tt.scenario, rep.Status(), dump(rep))
			}
			seen := map[string]int{}
			discoveries := map[string]int{}
			tokens, total := 0, 0
			for _, r := range e.Requests() {
				if r.Internal {
					continue // Entra's own fetch of the issuer's keys
				}
				total++
				k := r.Method + " " + r.Host + r.Path + "?" + r.Query.Encode()
				if tenant, ok := strings.CutSuffix(r.Path, "/v2.0/.well-known/openid-configuration"); ok && r.Host == "login.microsoftonline.com" {
					discoveries[strings.TrimPrefix(tenant, "/")]++
					continue
				}
				if r.Method == "POST" {
					k += " scope=" + r.Form.Get("scope")
					tokens++
				}
				seen[k]++
			}
			for k, n := range seen {
				if n > 1 {
					t.Errorf("%s requested %d times", k, n)
				}
			}
			if !maps.Equal(discoveries, tt.discoveries) {
				t.Errorf("tenant discoveries %v, want %v (%s)", discoveries, tt.discoveries, tt.why)
			}
			if tokens != tt.tokens {
				t.Errorf("token requests = %d, want %d (%s)", tokens, tt.tokens, tt.why)
			}
			t.Logf("a full run makes %d requests", total)
		})
	}
}

// TestNetworkStepsRecordElapsed: every step that made a request says how long it took.
func TestNetworkStepsRecordElapsed(t *testing.T) {
	rep, _ := runScenario(t, lookup(t, "ok"), 20*time.Second)
	for _, id := range []string{"issuer-discovery", "issuer-signature", "entra-exchange", "arm-subscription", "rbac-permissions", "rbac-role-assignments", "rbac-providers"} {
		r := rep.Find(id)
		if r == nil {
			t.Errorf("%s: no result", id)
			continue
		}
		if r.Elapsed <= 0 {
			t.Errorf("%s: Elapsed = %v, want the time its requests took", id, r.Elapsed)
		}
	}
}

// TestHangingEndpointsEndWithinTimeout: with Entra's token endpoint or all of
// ARM hanging (TestFaultSweep hangs each endpoint alone), the run still ends,
// reports which step did not finish, and renders.
func TestHangingEndpointsEndWithinTimeout(t *testing.T) {
	for _, name := range []string{"entra-hang", "arm-hang"} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			const timeout = 2 * time.Second
			start := time.Now()
			rep, _ := runScenario(t, lookup(t, name), timeout)
			// Generous slack: this checks that the deadline cuts the hang, not speed.
			if el := time.Since(start); el > timeout+5*time.Second {
				t.Errorf("run took %s with --timeout %s", el, timeout)
			}
			var failed *diag.Result
			for i, r := range rep.Results {
				if r.Status == diag.StatusFail {
					failed = &rep.Results[i]
					break
				}
			}
			if failed == nil || !strings.Contains(failed.Summary, "management.azure.com") && !strings.Contains(failed.Summary, "login.microsoftonline.com") {
				t.Fatalf("no failure naming the hanging host:\n%s", dump(rep))
			}
		})
	}
}

func TestOfflineMakesNoRequest(t *testing.T) {
	e := startScenario(t, "ok")
	cfg := runConfig(t, e)
	cfg.Offline = true
	rep := check.Run(context.Background(), cfg)
	if n := len(e.Requests()); n != 0 {
		t.Errorf("--offline made %d requests", n)
	}
	if r := rep.Find("entra-exchange"); r == nil || r.Status != diag.StatusSkip {
		t.Errorf("exchange not skipped offline")
	}
}

// TestBackendRequests: with an azurerm backend, the run adds one token
// request for Azure Storage (with the same assertion as the exchange, sent
// beside it through the credential's second MSAL client, which reads the
// tenant's metadata once more, as the Graph token's credential does), ONE
// List Blobs as init's first call, the account and the container's
// permissions through ARM, and never asks for the keys.
func TestBackendRequests(t *testing.T) {
	sc := lookup(t, "backend-ok")
	// A slow token endpoint, so that "beside the exchange" is not a race.
	sc.Faults = map[string]emulator.Fault{"entra-token": {Delay: 200 * time.Millisecond}}
	rep, e := runScenario(t, sc, 20*time.Second)
	if rep.Status() != diag.StatusPass {
		t.Fatalf("backend-ok: %s\n%s", rep.Status(), dump(rep))
	}
	seen := map[string]int{}
	var scopes, assertions []string
	lists := 0
	for _, r := range e.Requests() {
		if r.Internal {
			continue
		}
		if r.Method != "POST" { // the two token requests share a URL
			seen[r.Method+" "+r.Host+r.Path+"?"+r.Query.Encode()]++
		}
		if r.Method == "POST" {
			scopes = append(scopes, r.Form.Get("scope"))
			assertions = append(assertions, r.AssertionFingerprint)
		}
		if strings.Contains(strings.ToLower(r.Path), "listkeys") {
			t.Errorf("asked for the keys: %s", r)
		}
		if r.Endpoint == "storage-list-blobs" {
			lists++
			if r.Query.Get("maxresults") != "1" || r.Query.Get("prefix") != emulator.StateKey || !r.Bearer {
				t.Errorf("List Blobs: %s", r)
			}
		}
	}
	for k, n := range seen {
		if n > 1 && !(n == 3 && strings.HasSuffix(k, "/v2.0/.well-known/openid-configuration?")) {
			t.Errorf("%s requested %d times", k, n)
		}
	}
	if len(scopes) != 3 || !strings.Contains(strings.Join(scopes, " "), "https://storage.azure.com/.default") || assertions[0] != assertions[1] || assertions[1] != assertions[2] {
		t.Errorf("token requests: scopes %q, assertions %q", scopes, assertions)
	}
	if lists != 1 {
		t.Errorf("List Blobs sent %d times", lists)
	}
	// The storage token is asked beside the exchange, not after it: both
	// token requests come before the first ARM call.
	posts := 0
	for _, r := range e.Requests() {
		if r.Method == "POST" && !r.Internal {
			posts++
		}
		if strings.HasPrefix(r.Host, "management.azure.com") && posts < 3 {
			t.Errorf("ARM was called (%s) before the storage token was asked for", r)
			break
		}
	}
	for _, id := range []string{"backend-account", "backend-data", "backend-lock"} {
		if r := rep.Find(id); r == nil || r.Elapsed <= 0 {
			t.Errorf("%s: no elapsed time: %+v", id, r)
		}
	}
}

// TestBackendOffline: offline, the backend's settings and sign-in are
// still judged, and nothing is sent.
func TestBackendOffline(t *testing.T) {
	e := startScenario(t, "backend-provider-oidc-only")
	cfg := runConfig(t, e)
	cfg.Offline = true
	rep := check.Run(context.Background(), cfg)
	if n := len(e.Requests()); n != 0 {
		t.Errorf("--offline made %d requests", n)
	}
	if r := rep.Find("backend-auth"); r == nil || r.Status != diag.StatusFail || r.Cause != diag.CauseNoCredential {
		t.Errorf("backend-auth offline: %+v", r)
	}
	if r := rep.Find("backend-data"); r == nil || r.Status != diag.StatusSkip || !strings.Contains(r.Summary, "--offline") {
		t.Errorf("backend-data offline: %+v", r)
	}
}

// TestBackendHangIsAFault: a blob endpoint that never answers ends within
// the step's deadline as a fault, and the report is inconclusive (exit 4).
func TestBackendHangIsAFault(t *testing.T) {
	const timeout = 4 * time.Second
	start := time.Now()
	rep, _ := runScenario(t, lookup(t, "backend-blob-hang"), timeout)
	// Generous slack: this checks that the deadline cuts the hang, not speed.
	if el := time.Since(start); el > timeout+5*time.Second {
		t.Errorf("run took %s with a %s timeout", el, timeout)
	}
	if r := rep.Find("backend-data"); r == nil || r.Status != diag.StatusFail || !r.Cause.Fault() || !strings.Contains(r.Summary, emulator.StateAccount+".blob.core.windows.net") {
		t.Errorf("backend-data: %+v", r)
	}
	if rep.Outcome() != diag.OutcomeInconclusive {
		t.Errorf("outcome %s\n%s", rep.Outcome(), dump(rep))
	}
}

// BenchmarkFullRun is the whole diagnosis against the in-process emulator:
// the ok and subject-scope scenarios as fast as the loopback allows, then
// the healthy path with 100 ms added to every request (latency=100ms/doctor)
// beside a minimal azidentity + ARM client doing the exchange and three
// parallel ARM reads (latency=100ms/baseline, with azidentity's defaults;
// baseline-no-discovery sets DisableInstanceDiscovery as the doctor does).
// rounds/op is the critical path in round trips. Target: doctor at most
// 1.1x baseline.
func BenchmarkFullRun(b *testing.B) {
	b.Run("latency=100ms/doctor", benchDoctorSlow)
	b.Run("latency=100ms/doctor-backend", func(b *testing.B) { benchDoctorSlowOn(b, "backend-ok") })
	// Issue 17: the Graph token, azuread's needs and the credentials read
	// through Graph; an aliased block with its own exchange in another tenant.
	b.Run("latency=100ms/doctor-graph", func(b *testing.B) { benchDoctorSlowOn(b, "graph-azuread-ok") })
	b.Run("latency=100ms/doctor-alias", func(b *testing.B) { benchDoctorSlowOn(b, "alias-other-tenant") })
	b.Run("latency=100ms/baseline", func(b *testing.B) { benchBaselineSlow(b, true) })
	b.Run("latency=100ms/baseline-no-discovery", func(b *testing.B) { benchBaselineSlow(b, false) })
	for _, name := range []string{"ok", "backend-ok", "subject-scope"} {
		b.Run(name, func(b *testing.B) {
			e := startScenario(b, name)
			cfg := runConfig(b, e)
			b.ReportAllocs()
			e.ResetRequests()
			for b.Loop() {
				// Warm connections: e.Client() shares one transport, so the
				// handshakes are paid once (BenchmarkFullRunColdConn pays them each run).
				check.Run(context.Background(), cfg)
			}
			n := 0
			for _, r := range e.Requests() {
				if !r.Internal {
					n++
				}
			}
			b.ReportMetric(float64(n)/float64(b.N), "requests/op")
		})
	}
}

// TestHugeEntraBodyIsBounded: a multi-megabyte answer is cut off at the
// bound and reported, not read whole.
func TestHugeEntraBodyIsBounded(t *testing.T) {
	sc := lookup(t, "ok")
	sc.Faults = map[string]emulator.Fault{"entra-token": {Status: 200, ContentType: "application/json", Body: `{"x":"` + strings.Repeat("a", 9<<20) + `"}`}}
	rep, _ := runScenario(t, sc, 20*time.Second)
	r := rep.Find("entra-exchange")
	if r == nil || r.Status != diag.StatusFail || !strings.Contains(r.Summary, "larger than 8 MiB") {
		t.Fatalf("got %+v", r)
	}
}

// TestSubscriptionNotFoundTypoVsNoRole: ARM answers SubscriptionNotFound for
// both; the subscriptions the identity can see tell them apart.
func TestSubscriptionNotFoundTypoVsNoRole(t *testing.T) {
	typo, _ := runScenario(t, lookup(t, "subscription-not-found"), 20*time.Second)
	if r := typo.Find("arm-subscription"); !strings.Contains(r.Summary, "probably wrong") {
		t.Errorf("typo: %s", r.Summary)
	}
	sc := lookup(t, "subscription-not-found")
	sc.ARM.RoleAssignments = nil
	none, _ := runScenario(t, sc, 20*time.Second)
	r := none.Find("arm-subscription")
	if !strings.Contains(r.Summary, "can see no subscription at all") || len(r.Fixes) == 0 {
		t.Errorf("no role: %s (%d fixes)", r.Summary, len(r.Fixes))
	}
}

// TestFixesNotRepeated: one missing role fails several RBAC checks; its
// commands appear once, and the later checks point back to them.
func TestFixesNotRepeated(t *testing.T) {
	rep, _ := runScenario(t, lookup(t, "rbac-none"), 20*time.Second)
	seen := map[string]string{}
	for _, r := range rep.Results {
		for _, f := range r.Fixes {
			if id, ok := seen[f.Text]; ok {
				t.Errorf("fix %q printed under %s and %s", f.Title, id, r.ID)
			}
			seen[f.Text] = r.ID
		}
	}
	if !strings.Contains(resultText(*rep.Find("rbac-permissions")), "the same as under arm-subscription") {
		t.Errorf("rbac-permissions does not point to the fix:\n%s", resultText(*rep.Find("rbac-permissions")))
	}
}

// TestOneTitlePerID: a check id carries the same title whether it ran,
// failed or was skipped, in every mode (titles live with the step that owns
// the id, and its skip list uses them).
func TestOneTitlePerID(t *testing.T) {
	seen := map[string]string{}
	add := func(mode string, rep diag.Report) {
		for _, r := range rep.Results {
			if r.Title == "" {
				t.Errorf("%s: %s has no title", mode, r.ID)
			}
			if old, ok := seen[r.ID]; ok && old != r.Title {
				t.Errorf("%s: %s is titled %q here and %q elsewhere", mode, r.ID, r.Title, old)
			}
			seen[r.ID] = r.Title
		}
	}
	for _, name := range []string{"ok", "subject-scope", "rbac-none", "tenant-malformed"} {
		rep, _ := runScenario(t, lookup(t, name), 20*time.Second)
		add(name, rep)
	}
	e := startScenario(t, "ok")
	cfg := runConfig(t, e)
	cfg.Offline = true
	add("offline", check.Run(context.Background(), cfg))
	cfg.TokenFile = t.TempDir() + "/missing"
	add("no token", check.Run(context.Background(), cfg))
	cfg.Offline, cfg.TokenFile = false, ""
	env := cfg.Getenv
	cfg.Getenv = func(k string) string {
		if k == "ARM_SUBSCRIPTION_ID" {
			return ""
		}
		return env(k)
	}
	add("no subscription", check.Run(context.Background(), cfg))
	if len(seen) < 20 {
		t.Errorf("only %d ids seen", len(seen))
	}
}

// TestHealthyPathRequests pins what a healthy run asks, in every
// well-known cloud: the issuer's two documents, Entra's tenant discovery and
// token (no instance discovery: entra.newCredential says why), the Graph
// token beside it (its own credential, so tenant discovery twice), and the
// four ARM reads of one round, each once.
func TestHealthyPathRequests(t *testing.T) {
	for _, env := range []string{"", "usgovernment", "china"} {
		t.Run("cloud "+env, func(t *testing.T) {
			sc := lookup(t, "ok")
			if env != "" {
				sc.Env["ARM_ENVIRONMENT"] = env
			}
			rep, e := runScenario(t, sc, 20*time.Second)
			if rep.Status() != diag.StatusPass {
				t.Fatalf("the ok scenario does not pass:\n%s", dump(rep))
			}
			got := map[string]int{}
			for _, r := range e.Requests() {
				if !r.Internal {
					got[r.Endpoint]++
				}
			}
			want := map[string]int{"issuer-discovery": 1, "issuer-jwks": 1, "entra-tenant": 2, "entra-token": 1, "entra-token-graph": 1,
				"arm-subscription": 1, "arm-permissions": 1, "arm-role-assignments": 1, "arm-providers": 1}
			if fmt.Sprint(got) != fmt.Sprint(want) {
				t.Errorf("requests by endpoint:\n got %v\nwant %v", got, want)
			}
		})
	}
}
