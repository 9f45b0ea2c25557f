package rbac

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/cloud"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"

	"github.com/oidc-doctor/oidc-doctor/check/diag"
	"github.com/oidc-doctor/oidc-doctor/check/emulator"
)

// rbacWorld is a running emulator and the Input production would build
// for it: a ClientAssertionCredential that has already exchanged the run's
// token (instance discovery on, real host names), tid/oid/appid read from the
// ARM token, runType/scope read from the Spacelift token.
type rbacWorld struct {
	e  *emulator.Emulator
	in Input
}

func startRBAC(t testing.TB, preset string, mutate func(*emulator.Scenario)) *rbacWorld {
	t.Helper()
	s, ok := emulator.Lookup(preset)
	if !ok {
		t.Fatalf("no emulator preset %q", preset)
	}
	if mutate != nil {
		mutate(&s)
	}
	e, err := emulator.Start(s, emulator.Options{})
	if err != nil {
		t.Fatalf("starting the emulator: %v", err)
	}
	t.Cleanup(e.Close)
	env := e.Env()
	tenant, client := diag.FirstNonEmpty(env["ARM_TENANT_ID"], emulator.TenantID), diag.FirstNonEmpty(env["ARM_CLIENT_ID"], emulator.ClientID)
	cred, err := azidentity.NewClientAssertionCredential(tenant, client,
		func(context.Context) (string, error) { return e.Token(), nil },
		&azidentity.ClientAssertionCredentialOptions{ClientOptions: azcore.ClientOptions{Transport: e.Client()}})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	// The scope and CAE setting the ARM pipeline uses, so the step finds the
	// token in the credential's cache as it does after check.Run's exchange.
	scope := cloud.AzurePublic.Services[cloud.ResourceManager].Audience + "/.default"
	tok, err := cred.GetToken(ctx, policy.TokenRequestOptions{Scopes: []string{scope}, EnableCAE: true})
	if err != nil {
		t.Fatalf("exchanging the token with the emulated Entra: %v", err)
	}
	arm := jwtClaims(t, tok.Token)
	sl := jwtClaims(t, e.Token())
	in := Input{
		Cred:           cred,
		SubscriptionID: diag.FirstNonEmpty(env["ARM_SUBSCRIPTION_ID"], emulator.SubscriptionID),
		TenantID:       arm["tid"], ObjectID: arm["oid"], ClientID: arm["appid"],
		RunType: sl["runType"], Scope: sl["scope"],
		Getenv: func(k string) string { return env[k] },
	}
	in.ClientOptions.Transport = e.Client()
	in.ClientOptions.Retry = policy.RetryOptions{MaxRetries: 1, RetryDelay: 10 * time.Millisecond, MaxRetryDelay: 50 * time.Millisecond}
	e.ResetRequests()
	return &rbacWorld{e: e, in: in}
}

// jwtClaims decodes a JWT's payload without verifying it (test helper).
func jwtClaims(t testing.TB, raw string) map[string]string {
	t.Helper()
	parts := strings.Split(raw, ".")
	if len(parts) != 3 {
		t.Fatalf("not a JWT: %d parts", len(parts))
	}
	b, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for k, v := range m {
		if s, ok := v.(string); ok {
			out[k] = s
		}
	}
	return out
}

func (w *rbacWorld) run(t testing.TB) map[string]diag.Result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	rs := Check(ctx, w.in)
	wantIDs := []string{idARMSubscription, idRBACPermissions, idRBACRoleAssignments, idRBACProviders}
	if len(rs) != len(wantIDs) {
		t.Fatalf("Check returned %d results, want %d", len(rs), len(wantIDs))
	}
	out := map[string]diag.Result{}
	for i, r := range rs {
		if r.ID != wantIDs[i] {
			t.Errorf("result %d has id %q, want %q", i, r.ID, wantIDs[i])
		}
		if (r.Status == diag.StatusWarn || r.Status == diag.StatusFail) && r.Hint == "" {
			t.Errorf("%s is %s without a hint", r.ID, r.Status)
		}
		out[r.ID] = r
		t.Log("\n" + dumpResult(r))
	}
	w.noRepeatsNoWrites(t)
	return out
}

// noRepeatsNoWrites asserts the step asked ARM for no URL twice, sent
// nothing but GETs, and did not go back to Entra: the exchange that came
// before it serves the whole run.
func (w *rbacWorld) noRepeatsNoWrites(t testing.TB) {
	t.Helper()
	seen := map[string]int{}
	for _, r := range w.e.Requests() {
		if r.Internal {
			continue
		}
		if r.Method != "GET" || r.Host != "management.azure.com" {
			t.Errorf("the RBAC step sent %s", r)
		}
		k := r.Method + " " + strings.ToLower(r.Host+r.Path) + "?" + r.Query.Encode()
		if seen[k]++; seen[k] == 2 {
			t.Errorf("requested twice: %s", r)
		}
	}
}

type expect struct {
	id      string
	status  diag.Status
	inText  []string // each must appear in the summary, hint or facts
	code    string
	anyFix  bool
	fixText string // must appear in some fix
}

func checkExpect(t *testing.T, got map[string]diag.Result, want ...expect) {
	t.Helper()
	for _, w := range want {
		r, ok := got[w.id]
		if !ok {
			t.Errorf("no result %s", w.id)
			continue
		}
		if r.Status != w.status {
			t.Errorf("%s: status %s, want %s\n%s", w.id, r.Status, w.status, dumpResult(r))
			continue
		}
		text := resultText(r)
		for _, s := range w.inText {
			if !strings.Contains(text, s) {
				t.Errorf("%s: %q not found in\n%s", w.id, s, dumpResult(r))
			}
		}
		if w.code != "" && r.ErrorCode != w.code {
			t.Errorf("%s: ErrorCode %q, want %q", w.id, r.ErrorCode, w.code)
		}
		if (w.anyFix || w.fixText != "") && len(r.Fixes) == 0 {
			t.Errorf("%s: no fixes\n%s", w.id, dumpResult(r))
		}
		if w.fixText != "" {
			found := false
			for _, f := range r.Fixes {
				found = found || strings.Contains(f.Text, w.fixText)
			}
			if !found {
				t.Errorf("%s: no fix contains %q\n%s", w.id, w.fixText, dumpResult(r))
			}
		}
	}
}

func resultText(r diag.Result) string {
	var b strings.Builder
	b.WriteString(r.Summary + "\n" + r.Hint + "\n")
	for _, f := range r.Facts {
		b.WriteString(f.Key + ": " + f.Value + "\n")
	}
	return b.String()
}

func dumpResult(r diag.Result) string {
	s := "  " + string(r.Status) + " " + r.ID + " [" + r.ErrorCode + "]: " + r.Summary + "\n  hint: " + r.Hint + "\n"
	for _, f := range r.Facts {
		s += "  - " + f.Key + ": " + f.Value + "\n"
	}
	for _, f := range r.Fixes {
		s += "  fix: " + f.Title + "\n"
	}
	return s
}

func TestRBACContributor(t *testing.T) {
	w := startRBAC(t, "ok", nil)
	got := w.run(t)
	checkExpect(t, got,
		expect{id: idARMSubscription, status: diag.StatusPass, inText: []string{emulator.TenantID, "Enabled"}},
		expect{id: idRBACPermissions, status: diag.StatusPass, inText: []string{"may not create role assignments", actDeploymentWrite + ": yes", actRoleAssignWrite + ": no"}},
		expect{id: idRBACRoleAssignments, status: diag.StatusPass, inText: []string{"Contributor on /subscriptions/" + emulator.SubscriptionID + " (this subscription)"}},
		expect{id: idRBACProviders, status: diag.StatusPass},
	)
	// Each distinct role definition is fetched once, and the assignment
	// filter went out unencoded and intact.
	var defs, filtered int
	for _, r := range w.e.Requests() {
		switch r.Endpoint {
		case "arm-role-definitions":
			defs++
		case "arm-role-assignments":
			if r.Query.Get("$filter") == "assignedTo('"+emulator.SPObjectID+"')" {
				filtered++
			}
		}
	}
	if defs != 1 || filtered != 1 {
		t.Errorf("role definition GETs = %d, filtered assignment lists = %d; want 1 and 1", defs, filtered)
	}
}

func TestRBACReaderOnWriteRun(t *testing.T) {
	w := startRBAC(t, "rbac-reader-on-write", nil)
	got := w.run(t)
	checkExpect(t, got,
		expect{id: idARMSubscription, status: diag.StatusPass},
		expect{id: idRBACPermissions, status: diag.StatusFail, inText: []string{"can read but not write", "Contributor", actDeploymentWrite + ": no"},
			fixText: "--role Contributor"},
		expect{id: idRBACRoleAssignments, status: diag.StatusWarn, inText: []string{"Reader on /subscriptions/"}},
	)
}

func TestRBACReaderOnProposedRun(t *testing.T) {
	w := startRBAC(t, "rbac-reader-on-write", nil)
	w.in.RunType, w.in.Scope = "PROPOSED", "read"
	got := w.run(t)
	checkExpect(t, got,
		expect{id: idRBACPermissions, status: diag.StatusPass, inText: []string{"PROPOSED", actDeploymentWrite + ": no (not needed by this run)"}},
		expect{id: idRBACRoleAssignments, status: diag.StatusPass},
	)
}

func TestRBACTrackedPlanningPhase(t *testing.T) {
	w := startRBAC(t, "rbac-reader-on-write", nil)
	w.in.RunType, w.in.Scope = "TRACKED", "read"
	got := w.run(t)
	checkExpect(t, got,
		expect{id: idRBACPermissions, status: diag.StatusWarn, inText: []string{"apply phase needs write"}, fixText: "--role Contributor"},
	)
}

func TestRBACNoRole(t *testing.T) {
	w := startRBAC(t, "rbac-none", nil)
	got := w.run(t)
	checkExpect(t, got,
		expect{id: idARMSubscription, status: diag.StatusFail, code: "AuthorizationFailed", inText: []string{"Microsoft.Resources/subscriptions/read", emulator.SPObjectID}, anyFix: true},
		expect{id: idRBACPermissions, status: diag.StatusFail, fixText: "--assignee-object-id " + emulator.SPObjectID},
		expect{id: idRBACRoleAssignments, status: diag.StatusFail, inText: []string{"no role"}, anyFix: true},
	)
}

// With a role on one resource group only, ARM denies every
// subscription-scope read, its own role assignments included: nothing can
// name the group, so the step says what it can see and how to look.
func TestRBACResourceGroupOnly(t *testing.T) {
	w := startRBAC(t, "rbac-rg-only", nil)
	got := w.run(t)
	checkExpect(t, got,
		expect{id: idARMSubscription, status: diag.StatusFail, code: "AuthorizationFailed"},
		expect{id: idRBACPermissions, status: diag.StatusFail},
		expect{id: idRBACRoleAssignments, status: diag.StatusFail, code: "AuthorizationFailed",
			inText: []string{"no role on this subscription or above", "az role assignment list --assignee " + emulator.SPObjectID + " --all"}, anyFix: true},
	)
}

// Reader on the subscription lets the step list the assignments, and then
// it names the resource group that has write.
func TestRBACWriteOnResourceGroupOnly(t *testing.T) {
	w := startRBAC(t, "rbac-rg-only", func(s *emulator.Scenario) {
		s.ARM.RoleAssignments = append(s.ARM.RoleAssignments, emulator.RoleAssignment{
			Scope: "/subscriptions/" + emulator.SubscriptionID, PrincipalID: emulator.SPObjectID, RoleDefinitionID: emulator.RoleReader})
	})
	got := w.run(t)
	checkExpect(t, got,
		expect{id: idARMSubscription, status: diag.StatusPass},
		expect{id: idRBACPermissions, status: diag.StatusWarn, inText: []string{"can read but not write", "resource group(s) " + emulator.ResourceGroup + " only"}, fixText: "--role Contributor"},
		expect{id: idRBACRoleAssignments, status: diag.StatusWarn,
			inText: []string{"write only on resource group(s) " + emulator.ResourceGroup, "Contributor on /subscriptions/" + emulator.SubscriptionID + "/resourceGroups/" + emulator.ResourceGroup + " (resource group only)"}},
	)
}

func TestRBACInheritedFromManagementGroup(t *testing.T) {
	w := startRBAC(t, "rbac-mg-inherited", nil)
	got := w.run(t)
	checkExpect(t, got,
		expect{id: idARMSubscription, status: diag.StatusPass},
		expect{id: idRBACRoleAssignments, status: diag.StatusPass,
			inText: []string{"/providers/Microsoft.Management/managementGroups/" + emulator.ManagementGroup + " (inherited from management group " + emulator.ManagementGroup + ")"}},
	)
	if r := got[idRBACPermissions]; r.Status == diag.StatusFail {
		t.Errorf("permissions failed for an inherited role:\n%s", dumpResult(r))
	}
}

func TestRBACSubscriptionInOtherTenant(t *testing.T) {
	w := startRBAC(t, "subscription-other-tenant", nil)
	got := w.run(t)
	checkExpect(t, got,
		expect{id: idARMSubscription, status: diag.StatusFail, code: "InvalidAuthenticationTokenTenant",
			inText: []string{"lives in tenant " + emulator.OtherTenantID, "ARM_TENANT_ID to " + emulator.OtherTenantID}},
		expect{id: idRBACPermissions, status: diag.StatusSkip},
		expect{id: idRBACRoleAssignments, status: diag.StatusSkip},
		expect{id: idRBACProviders, status: diag.StatusSkip},
	)
}

func TestRBACSubscriptionNotFound(t *testing.T) {
	w := startRBAC(t, "subscription-not-found", nil)
	got := w.run(t)
	checkExpect(t, got,
		expect{id: idARMSubscription, status: diag.StatusFail, code: "SubscriptionNotFound", inText: []string{"not found"}},
		expect{id: idRBACPermissions, status: diag.StatusSkip},
	)
}

func TestRBACSubscriptionDisabled(t *testing.T) {
	w := startRBAC(t, "subscription-disabled", nil)
	got := w.run(t)
	checkExpect(t, got,
		expect{id: idARMSubscription, status: diag.StatusFail, inText: []string{"Disabled", "read-only"}},
	)
}

func TestRBACProvidersUnregistered(t *testing.T) {
	for _, tt := range []struct {
		name, env, value string
		want             diag.Status
		inText           string
	}{
		{"unset", "", "", diag.StatusWarn, "depends on its version"},
		{"none", "ARM_RESOURCE_PROVIDER_REGISTRATIONS", "none", diag.StatusWarn, "azurerm will not try"},
		{"all", "ARM_RESOURCE_PROVIDER_REGISTRATIONS", "all", diag.StatusFail, "will try to register"},
		{"legacy", "ARM_RESOURCE_PROVIDER_REGISTRATIONS", "legacy", diag.StatusFail, "will try to register"},
		{"skip", "ARM_SKIP_PROVIDER_REGISTRATION", "true", diag.StatusWarn, "azurerm will not try"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			w := startRBAC(t, "providers-unregistered", nil)
			getenv := w.in.Getenv
			w.in.Getenv = func(k string) string {
				if k == tt.env {
					return tt.value
				}
				return getenv(k)
			}
			got := w.run(t)
			checkExpect(t, got, expect{id: idRBACProviders, status: tt.want, inText: []string{tt.inText, "identity may register them: no"}, anyFix: true})
		})
	}
}

func TestRBACPaged(t *testing.T) {
	w := startRBAC(t, "rbac-paged", nil)
	s := w.e.Scenario()
	got := w.run(t)
	var want int
	for _, ra := range s.ARM.RoleAssignments {
		if strings.EqualFold(ra.PrincipalID, w.in.ObjectID) {
			want++
		}
	}
	var roles int
	for _, f := range got[idRBACRoleAssignments].Facts {
		if f.Key == "role" {
			roles++
		}
	}
	if roles != want || want < 2 {
		t.Errorf("found %d role assignments, the scenario has %d\n%s", roles, want, dumpResult(got[idRBACRoleAssignments]))
	}
	var pages int
	for _, r := range w.e.Requests() {
		if r.Endpoint == "arm-role-assignments" {
			pages++
		}
	}
	if pages < 2 {
		t.Errorf("role assignments came in %d page(s); the preset should page", pages)
	}
}

func TestRBACHangEndsInFail(t *testing.T) {
	w := startRBAC(t, "arm-hang", nil)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	done := make(chan []diag.Result, 1)
	go func() { done <- Check(ctx, w.in) }()
	select {
	case rs := <-done:
		var failed bool
		for _, r := range rs {
			t.Log("\n" + dumpResult(r))
			if r.Status == diag.StatusFail {
				failed = true
				if !strings.Contains(r.Summary, "did not finish") || !strings.Contains(resultText(r), "management.azure.com") {
					t.Errorf("%s: the fail does not say which host or step did not finish:\n%s", r.ID, dumpResult(r))
				}
			}
		}
		if !failed {
			t.Errorf("a hanging ARM produced no fail: %v", rs)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("Check hung past its deadline")
	}
}

func BenchmarkRBAC(b *testing.B) {
	w := startRBAC(b, "ok", nil)
	ctx := context.Background()
	b.ReportAllocs()
	runs := 0
	for b.Loop() {
		runs++
		for _, r := range Check(ctx, w.in) {
			if r.Status == diag.StatusFail {
				b.Fatalf("%s failed: %s", r.ID, r.Summary)
			}
		}
	}
	b.StopTimer()
	var arm int
	for _, r := range w.e.Requests() {
		if strings.HasPrefix(r.Endpoint, "arm-") {
			arm++
		}
	}
	b.ReportMetric(float64(arm)/float64(runs), "requests/op")
}
