package check_test

import (
	"strings"
	"testing"
	"time"

	"github.com/oidc-doctor/oidc-doctor/check/diag"
	"github.com/oidc-doctor/oidc-doctor/check/emulator"
)

// TestRecordedGraphAnswersLive serves every real recorded Graph API answer
// in place of the emulated Graph's list of the app's credentials: the read
// is best effort, so the run still passes, and graph-credentials says in
// one line what Graph answered, with its code and the values it names.
func TestRecordedGraphAnswersLive(t *testing.T) {
	for name, rec := range loadRecordedAnswers(t, "graph") {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			sc := emulator.Base()
			sc.Entra.Tenants[0].Apps[0].GraphRoles = []string{"Application.Read.All"}
			sc.Faults = map[string]emulator.Fault{rec.Live: {Status: rec.LiveStatus, ContentType: rec.ContentType, Body: rec.Body}}
			rep, _ := runScenario(t, sc, 20*time.Second)
			if rep.Status() != diag.StatusPass {
				t.Errorf("a refused best-effort read fails the run:\n%s", dump(rep))
			}
			r := rep.Find("graph-credentials")
			if r == nil || r.Status != diag.StatusSkip || r.ErrorCode != rec.Expect.Code || !strings.HasPrefix(r.Summary, "not read: Microsoft Graph answered HTTP 403") {
				t.Fatalf("graph-credentials: %+v", r)
			}
			text := resultText(*r)
			for k, v := range rec.Expect.Fields {
				if !strings.Contains(text, v) {
					t.Errorf("does not show %s %q:\n%s", k, v, text)
				}
			}
		})
	}
}

// TestGraphTokenBesideExchange: the Graph token is asked for with the same
// assertion as the ARM token, before the exchange has an answer (the token
// endpoint is slow here, so that "beside" is not a race), and a Graph
// token that never comes holds up neither the exchange nor RBAC.
func TestGraphTokenBesideExchange(t *testing.T) {
	sc := lookup(t, "ok")
	sc.Faults = map[string]emulator.Fault{"entra-token": {Delay: 200 * time.Millisecond}}
	rep, e := runScenario(t, sc, 20*time.Second)
	if rep.Status() != diag.StatusPass {
		t.Fatalf("ok: %s\n%s", rep.Status(), dump(rep))
	}
	var scopes, assertions []string
	for _, r := range e.Requests() {
		if r.Method == "POST" && !r.Internal {
			scopes = append(scopes, r.Form.Get("scope"))
			assertions = append(assertions, r.AssertionFingerprint)
		}
		if strings.HasPrefix(r.Host, "management.azure.com") && len(scopes) < 2 {
			t.Errorf("ARM was called (%s) before the Graph token was asked for", r)
			break
		}
	}
	if len(scopes) != 2 || !strings.Contains(strings.Join(scopes, " "), "https://graph.microsoft.com/.default") || assertions[0] != assertions[1] {
		t.Errorf("token requests: scopes %q, assertions %q", scopes, assertions)
	}

	sc = lookup(t, "ok")
	sc.Faults = map[string]emulator.Fault{"entra-token-graph": {Hang: true}}
	rep, _ = runScenario(t, sc, 3*time.Second)
	for _, id := range []string{"entra-exchange", "arm-subscription", "rbac-permissions"} {
		if r := rep.Find(id); r == nil || r.Status != diag.StatusPass {
			t.Errorf("%s waited for the hanging Graph token: %+v", id, r)
		}
	}
	r := rep.Find("graph-token")
	if r == nil || r.Status != diag.StatusFail || !r.Cause.Fault() || exitOf(rep) != 4 {
		t.Errorf("graph-token: %+v (exit %d)", r, exitOf(rep))
	}
}

// TestGraphNationalClouds: the Graph token is the cloud's.
func TestGraphNationalClouds(t *testing.T) {
	for env, want := range map[string]string{"usgovernment": "https://graph.microsoft.us/.default", "usgovernmentl5": "https://dod-graph.microsoft.us/.default", "china": "https://microsoftgraph.chinacloudapi.cn/.default"} {
		t.Run(env, func(t *testing.T) {
			t.Parallel()
			sc := lookup(t, "ok")
			sc.Env["ARM_ENVIRONMENT"] = env
			rep, e := runScenario(t, sc, 20*time.Second)
			if r := rep.Find("graph-token"); r == nil || r.Status != diag.StatusPass {
				t.Fatalf("graph-token: %+v", r)
			}
			found := false
			for _, r := range e.Requests() {
				found = found || (r.Endpoint == "entra-token-graph" && strings.HasPrefix(r.Form.Get("scope"), want))
			}
			if !found {
				t.Errorf("no token request for %s", want)
			}
		})
	}
}

// TestGraphPermissionsJudgement: directory roles count, another identity
// is not judged, and an unknown azuread type is named.
func TestGraphPermissionsJudgement(t *testing.T) {
	sc := lookup(t, "graph-azuread-missing")
	sc.Entra.Tenants[0].Apps[0].DirectoryRoles = []string{emulator.RoleGlobalAdministrator}
	rep, _ := runScenario(t, sc, 20*time.Second)
	if r := rep.Find("graph-permissions"); r == nil || r.Status != diag.StatusPass || !strings.Contains(resultText(*r), "directory role Global Administrator") {
		t.Errorf("Global Administrator: %+v", r)
	}
	if r := rep.Find("graph-token"); r == nil || !strings.Contains(r.Summary, "directory roles Global Administrator") {
		t.Errorf("graph-token: %+v", r)
	}

	sc = lookup(t, "graph-azuread-missing")
	sc.Terraform["providers.tf"] = strings.Replace(sc.Terraform["providers.tf"], `provider "azuread" {}`, "provider \"azuread\" {\n  client_id = \"11111111-2222-3333-4444-555555555555\"\n}", 1)
	sc.Terraform["main.tf"] += "\nresource \"azuread_named_location\" \"office\" {\n  display_name = \"office\"\n}\n"
	rep, _ = runScenario(t, sc, 20*time.Second)
	if r := rep.Find("graph-permissions"); r == nil || r.Status != diag.StatusSkip || !strings.Contains(r.Summary, "signs in as another identity") {
		t.Errorf("another identity: %+v", r)
	}

	sc = lookup(t, "graph-azuread-ok")
	sc.Terraform["main.tf"] += "\nresource \"azuread_named_location\" \"office\" {\n  display_name = \"office\"\n}\n"
	rep, _ = runScenario(t, sc, 20*time.Second)
	if r := rep.Find("graph-permissions"); r == nil || r.Status != diag.StatusPass || !strings.Contains(resultText(*r), "resource azuread_named_location") {
		t.Errorf("unknown type: %+v", r)
	}
}

// TestGraphRefusedWithoutAzurerm: with only azapi configured nothing asks
// for the Graph token, so its refusal warns.
func TestGraphRefusedWithoutAzurerm(t *testing.T) {
	sc := lookup(t, "graph-refused")
	sc.Terraform = map[string]string{"main.tf": "provider \"azapi\" {}\n\nresource \"azapi_resource\" \"rg\" {\n  type = \"Microsoft.Resources/resourceGroups@2022-09-01\"\n  name = \"rg\"\n}\n"}
	rep, _ := runScenario(t, sc, 20*time.Second)
	if r := rep.Find("graph-token"); r == nil || r.Status != diag.StatusWarn || r.ErrorCode != "AADSTS53003" || !strings.Contains(r.Summary, "azapi asks for ARM tokens only") {
		t.Errorf("graph-token: %+v", r)
	}
	if exitOf(rep) != 0 {
		t.Errorf("exit %d\n%s", exitOf(rep), dump(rep))
	}
}
