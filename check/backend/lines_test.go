package backend

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/oidc-doctor/oidc-doctor/check/diag"
)

func envOf(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func line(id string) Line {
	for _, l := range lines {
		if l.ID == id {
			return l
		}
	}
	panic("no line " + id)
}

// TestResolve: -backend-config beats the block, which beats the
// environment; only ≥ 1.13 lets an empty literal fall through.
func TestResolve(t *testing.T) {
	in := Input{
		Block: map[string]Attr{
			"key": {Kind: Literal, Text: "block.tfstate", Pos: "versions.tf:5"}, "client_id": {Kind: Literal, Text: "", Pos: "versions.tf:6"},
			"use_oidc": {Kind: Expression, Pos: "versions.tf:7"}, "access_key": {Kind: Literal, Pos: "versions.tf:8"},
		},
		Overrides: map[string]Attr{"key": {Kind: Literal, Text: "cli.tfstate", Pos: "-backend-config in TF_CLI_ARGS_init"}},
		Getenv:    envOf(map[string]string{"ARM_CLIENT_ID": "from-env", "ARM_USE_CLI": "false", "ARM_SAS_TOKEN": "sv=secret", "AZURE_FEDERATED_TOKEN_FILE": "/var/run/token"}),
	}
	tests := []struct {
		line, name string
		want       value
	}{
		{"terraform-1.10", "key", value{Text: "cli.tfstate", Set: true, From: "-backend-config in TF_CLI_ARGS_init"}},
		{"terraform-1.11.2", "client_id", value{Text: "", Set: true, From: "versions.tf:6"}},
		{"terraform-1.13", "client_id", value{Text: "from-env", Set: true, From: "ARM_CLIENT_ID"}},
		{"terraform-1.10", "use_oidc", value{Set: true, Expr: true, From: "versions.tf:7"}},
		{"terraform-1.10", "access_key", value{Set: true, From: "versions.tf:8"}},
		{"terraform-1.10", "sas_token", value{Set: true, From: "ARM_SAS_TOKEN"}},
		{"terraform-1.11.2", "use_cli", value{Text: "true", From: "default"}},
		{"terraform-1.13", "use_cli", value{Text: "false", Set: true, From: "ARM_USE_CLI"}},
		{"opentofu-1.11", "use_cli", value{Text: "false", Set: true, From: "ARM_USE_CLI"}},
		{"opentofu-1.11", "oidc_token_file_path", value{From: "default"}},
		{"opentofu-1.12", "oidc_token_file_path", value{Text: "/var/run/token", Set: true, From: "AZURE_FEDERATED_TOKEN_FILE"}},
		{"terraform-1.10", "lookup_blob_endpoint", value{Text: "false", From: "default"}},
	}
	for _, tt := range tests {
		if diff := cmp.Diff(tt.want, in.resolve(tt.name, line(tt.line)), cmp.AllowUnexported(value{})); diff != "" {
			t.Errorf("%s %s (-want +got):\n%s", tt.line, tt.name, diff)
		}
	}
}

// backendIn is a backend block with the three required arguments and extra ones.
func backendIn(env map[string]string, extra map[string]string) Input {
	b := map[string]Attr{
		"storage_account_name": {Kind: Literal, Text: "sttfstate", Pos: "v.tf:2"},
		"container_name":       {Kind: Literal, Text: "tfstate", Pos: "v.tf:3"},
		"key":                  {Kind: Literal, Text: "a.tfstate", Pos: "v.tf:4"},
	}
	for k, v := range extra {
		b[k] = Attr{Kind: Literal, Text: v, Pos: "v.tf:9"}
	}
	return Input{Block: b, Getenv: envOf(env), Complete: true}
}

var oidcEnv = map[string]string{"ARM_USE_OIDC": "true", "ARM_OIDC_TOKEN_FILE_PATH": "/mnt/workspace/spacelift.oidc",
	"ARM_CLIENT_ID": "c", "ARM_TENANT_ID": "t", "ARM_SUBSCRIPTION_ID": "s"}

func with(m map[string]string, kv ...string) map[string]string {
	out := map[string]string{}
	for k, v := range m {
		out[k] = v
	}
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] == "" {
			delete(out, kv[i])
		} else {
			out[kv[i]] = kv[i+1]
		}
	}
	return out
}

// TestPlans: how each release line reaches the state and signs in.
func TestPlans(t *testing.T) {
	aad := map[string]string{"use_azuread_auth": "true"}
	tests := []struct {
		name      string
		in        Input
		line      string
		via, auth string
		err       string // in errs or authErrs
	}{
		{"oidc from the environment", backendIn(oidcEnv, aad), "terraform-1.13", viaEntra, authOIDC, ""},
		{"use_oidc only in the provider: CLI, <= 1.10 text", backendIn(with(oidcEnv, "ARM_USE_OIDC", "", "ARM_OIDC_TOKEN_FILE_PATH", ""), aad), "terraform-1.10", viaEntra, authCLI,
			`Error building ARM Config: please ensure you have installed Azure CLI version 2.0.79 or newer.`},
		{"CLI, 1.11.2 text names the Storage API", backendIn(with(oidcEnv, "ARM_USE_OIDC", ""), aad), "terraform-1.11.2", viaEntra, authCLI,
			"unable to build authorizer for Storage API"},
		{"CLI, 1.11.0 builds the ARM authorizer first", backendIn(with(oidcEnv, "ARM_USE_OIDC", ""), map[string]string{"use_azuread_auth": "true", "resource_group_name": "rg"}), "terraform-1.11.0", viaEntra, authCLI,
			"unable to build authorizer for Resource Manager API"},
		{"CLI, OpenTofu 1.11", backendIn(with(oidcEnv, "ARM_USE_OIDC", ""), aad), "opentofu-1.11", viaEntra, authCLI, "No valid azure auth methods found"},
		{"use_cli = false on 1.13", backendIn(with(oidcEnv, "ARM_USE_OIDC", "", "ARM_USE_CLI", "false"), aad), "terraform-1.13", viaEntra, authCLI,
			"no Authorizer could be configured"},
		{"a client secret comes before OIDC", backendIn(with(oidcEnv, "ARM_CLIENT_SECRET", "x"), aad), "terraform-1.13", viaEntra, "client_secret", ""},
		{"OIDC without ids, <= 1.10 errors", backendIn(with(oidcEnv, "ARM_CLIENT_ID", "", "ARM_TENANT_ID", ""), aad), "terraform-1.10", viaEntra, authOIDC,
			"a Tenant ID must be configured when authenticating with OIDC"},
		{"OIDC without ids, 1.13 falls back to the CLI", backendIn(with(oidcEnv, "ARM_CLIENT_ID", ""), aad), "terraform-1.13", viaEntra, authCLI, "unable to build authorizer"},
		{"key lookup", backendIn(oidcEnv, map[string]string{"resource_group_name": "rg"}), "terraform-1.13", viaKeyLookup, authOIDC, ""},
		{"access key: no sign-in", backendIn(with(oidcEnv, "ARM_ACCESS_KEY", "k"), nil), "terraform-1.13", viaAccessKey, "", ""},
		{"nothing, <= 1.10 text", backendIn(oidcEnv, nil), "terraform-1.10", viaNone, "", "Either an Access Key / SAS Token or the Resource Group"},
		{"nothing, 1.11.2 typo kept", backendIn(oidcEnv, nil), "terraform-1.11.2", viaNone, "", "must be specifieid"},
		{"ARM_STORAGE_USE_AZUREAD is not read", backendIn(with(oidcEnv, "ARM_STORAGE_USE_AZUREAD", "true"), nil), "terraform-1.13", viaNone, "", "must be specified"},
		{"ARM_USE_AZUREAD is", backendIn(with(oidcEnv, "ARM_USE_AZUREAD", "true"), nil), "terraform-1.13", viaEntra, authOIDC, ""},
		{"lookup_blob_endpoint before 1.11.2", backendIn(oidcEnv, map[string]string{"use_azuread_auth": "true", "lookup_blob_endpoint": "true"}), "terraform-1.10", viaEntra, authOIDC,
			`An argument named "lookup_blob_endpoint" is not expected here`},
		{"lookup_blob_endpoint needs a resource group", backendIn(oidcEnv, map[string]string{"use_azuread_auth": "true", "lookup_blob_endpoint": "true"}), "terraform-1.13", viaEntra, authOIDC,
			"`resource_group_name` is required when `lookup_blob_endpoint` is set"},
		{"1.11.0 reads the account even with Entra ID", backendIn(oidcEnv, aad), "terraform-1.11.0", viaEntra, authOIDC, "InvalidSubscriptionId"},
		{"a missing required argument", backendIn(oidcEnv, map[string]string{"use_azuread_auth": "true"}), "terraform-1.13", viaEntra, authOIDC, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := tt.in
			in.Lines = []string{tt.line}
			p := in.plans()[0]
			var errs []string
			for _, e := range p.errs {
				errs = append(errs, e.text)
			}
			errs = append(errs, p.authErrs...)
			all := strings.Join(errs, "\n")
			if p.via != tt.via || p.auth != tt.auth || (tt.err == "") != (all == "") || !strings.Contains(all, tt.err) {
				t.Errorf("via %q auth %q errors %q; want %q %q %q", p.via, p.auth, all, tt.via, tt.auth, tt.err)
			}
		})
	}
	// The 1.11.0 line reads the account even with Entra ID; 1.11.2 does not.
	in := backendIn(oidcEnv, map[string]string{"use_azuread_auth": "true", "resource_group_name": "rg"})
	in.Lines = []string{"terraform-1.11.0", "terraform-1.11.2"}
	ps := in.plans()
	if !ps[0].armRead || ps[1].armRead {
		t.Errorf("armRead: 1.11.0 %v, 1.11.2 %v", ps[0].armRead, ps[1].armRead)
	}
}

// TestOfflineVerdicts: the offline results, merged across release lines.
func TestOfflineVerdicts(t *testing.T) {
	providerOnly := backendIn(with(oidcEnv, "ARM_USE_OIDC", "", "ARM_OIDC_TOKEN_FILE_PATH", ""), map[string]string{"use_azuread_auth": "true"})
	providerOnly.ProviderUseOIDC = `provider "azurerm" (providers.tf:3)`
	rs := Check(t.Context(), providerOnly)
	auth := rs[1]
	if auth.ID != idAuth || auth.Status != diag.StatusFail || auth.Cause != diag.CauseNoCredential ||
		!strings.Contains(auth.Summary, `set only in provider "azurerm" (providers.tf:3)`) || len(auth.Fixes) != 2 {
		t.Errorf("provider-only: %+v", auth)
	}
	// Every line's exact error is a fact, named by the lines it applies to.
	n := 0
	for _, f := range auth.Facts {
		if strings.HasPrefix(f.Key, "init fails with (") {
			n++
		}
	}
	if n != 4 {
		t.Errorf("want the four distinct CLI errors as facts, got %d: %v", n, auth.Facts)
	}
	for _, r := range rs[2:] {
		if r.Status != diag.StatusSkip {
			t.Errorf("%s ran without Cred: %s", r.ID, r.Summary)
		}
	}

	// A failure only some lines meet is a warning naming them.
	in := backendIn(oidcEnv, map[string]string{"use_azuread_auth": "true", "lookup_blob_endpoint": "true", "resource_group_name": "rg"})
	in.Lines = []string{"terraform-1.10", "terraform-1.13"}
	r := Check(t.Context(), in)[0]
	if r.Status != diag.StatusWarn || !strings.Contains(r.Summary, "depends on the release: Terraform <= 1.10: terraform init will stop") || !strings.Contains(r.Hint, "Pin the release") {
		t.Errorf("version-dependent: %s %q %q", r.Status, r.Summary, r.Hint)
	}
	in.Lines = []string{"terraform-1.10"}
	if r := Check(t.Context(), in)[0]; r.Status != diag.StatusFail {
		t.Errorf("one line: %s %q", r.Status, r.Summary)
	}
	// A missing argument a CUSTOM workflow's init command may pass warns.
	in = backendIn(oidcEnv, map[string]string{"use_azuread_auth": "true"})
	delete(in.Block, "key")
	if r := Check(t.Context(), in)[0]; r.Status != diag.StatusFail || !strings.Contains(r.Summary, "key is not set") {
		t.Errorf("missing key: %s %q", r.Status, r.Summary)
	}
	in.ArgsElsewhere = ".spacelift/workflow.yml"
	if r := Check(t.Context(), in)[0]; r.Status != diag.StatusWarn || !strings.Contains(r.Summary, "unless the init command of .spacelift/workflow.yml") {
		t.Errorf("missing key with a workflow: %s %q", r.Status, r.Summary)
	}
	// Expressions are not judged.
	in = backendIn(oidcEnv, nil)
	in.Block["use_azuread_auth"] = Attr{Kind: Expression, Text: "var.aad", Pos: "v.tf:9"}
	if r := Check(t.Context(), in)[0]; r.Status != diag.StatusPass || !strings.Contains(r.Summary, "not judged") {
		t.Errorf("expression: %s %q", r.Status, r.Summary)
	}
	// No secret value is ever in a result.
	in = backendIn(with(oidcEnv, "ARM_ACCESS_KEY", "s3cr3t-key", "ARM_CLIENT_SECRET", "s3cr3t-secret"), nil)
	for _, r := range Check(t.Context(), in) {
		text := r.Summary + r.Hint
		for _, f := range r.Facts {
			text += f.Value
		}
		if strings.Contains(text, "s3cr3t") {
			t.Errorf("%s shows a secret: %s", r.ID, text)
		}
	}
}
