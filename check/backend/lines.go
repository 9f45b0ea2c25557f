package backend

// The azurerm backend's release lines, and where each reads a setting from.
//
// Terraform (https://github.com/hashicorp/terraform, internal/backend/remote-state/azure):
//   - ≤ 1.10: go-azure-helpers' authentication.Builder and giovanni; a
//     literal in the block always wins (legacy helper/schema fills a
//     default only for an absent attribute); the token file is not trimmed
//     (v1.10.5 backend.go and arm_client.go).
//   - 1.11.0–1.11.1: rewritten on go-azure-sdk; it reads the storage account
//     through ARM whenever no key or SAS token is given, use_azuread_auth
//     included (v1.11.0 api_client.go; hashicorp/terraform#36595, #36596).
//   - 1.11.2–1.12: the ARM read only for a key lookup or
//     lookup_blob_endpoint, which is new (#36623); ARM_USE_CLI is ignored,
//     since use_cli has Default: true beside its DefaultFunc.
//   - ≥ 1.13: backendbase.SDKLikeDefaults: an empty string in the block
//     falls back to the environment too, and ARM_USE_CLI works
//     (v1.15.9 internal/backend/backendbase/sdklike.go).
//
// OpenTofu (https://github.com/opentofu/opentofu, same path):
//   - ≤ 1.10: Terraform 1.5's backend.
//   - 1.11: rewritten on azidentity; use_cli reads ARM_USE_CLI.
//   - ≥ 1.12: oidc_token_file_path falls back to AZURE_FEDERATED_TOKEN_FILE (#3820).
//
// Every line: -backend-config beats the block, which beats the environment
// (internal/command/meta_backend.go, configs.MergeBodies); the backend never
// reads a provider block; nothing reads ARM_STORAGE_USE_AZUREAD (the
// provider's storage_use_azuread) or SPACELIFT_OIDC_TOKEN.

import (
	"strconv"
	"strings"
)

// Line is one release line of the backend's implementation.
type Line struct {
	// ID is stable: "terraform-1.10", "opentofu-1.12".
	ID string
	// Name is for reading: "Terraform <= 1.10".
	Name string
	// Tool is "terraform" or "opentofu".
	Tool string
	// From and Before bound the line's versions; Before is "" for the newest.
	From, Before string
}

var lines = []Line{
	{"terraform-1.10", "Terraform <= 1.10", "terraform", "0.0.0", "1.11.0"},
	{"terraform-1.11.0", "Terraform 1.11.0-1.11.1", "terraform", "1.11.0", "1.11.2"},
	{"terraform-1.11.2", "Terraform 1.11.2-1.12", "terraform", "1.11.2", "1.13.0"},
	{"terraform-1.13", "Terraform >= 1.13", "terraform", "1.13.0", ""},
	{"opentofu-1.10", "OpenTofu <= 1.10", "opentofu", "0.0.0", "1.11.0"},
	{"opentofu-1.11", "OpenTofu 1.11", "opentofu", "1.11.0", "1.12.0"},
	{"opentofu-1.12", "OpenTofu >= 1.12", "opentofu", "1.12.0", ""},
}

// Lines lists the release lines, oldest Terraform first.
func Lines() []Line { return append([]Line(nil), lines...) }

// selected returns the lines of in.Lines, in order; all of them when empty.
func (in Input) selected() []Line {
	if len(in.Lines) == 0 {
		return Lines()
	}
	var out []Line
	for _, l := range lines {
		for _, id := range in.Lines {
			if l.ID == id {
				out = append(out, l)
			}
		}
	}
	if len(out) == 0 {
		return Lines()
	}
	return out
}

// legacy: go-azure-helpers' builder (Terraform and OpenTofu ≤ 1.10).
func (l Line) legacy() bool { return strings.HasSuffix(l.ID, "-1.10") }

func (l Line) tofu() bool { return l.Tool == "opentofu" }

// has reports whether the line's schema has the argument.
func (l Line) has(name string) bool {
	switch name {
	case "lookup_blob_endpoint":
		return l.ID == "terraform-1.11.2" || l.ID == "terraform-1.13"
	case "use_cli", "use_aks_workload_identity", "client_id_file_path", "client_secret_file_path", "client_certificate":
		return !l.legacy()
	}
	return true
}

// envFor lists the variables the line reads for name, in order.
func (l Line) envFor(name string) []string {
	switch name {
	case "resource_group_name", "storage_account_name", "container_name", "key":
		return nil
	case "use_cli":
		if l.ID == "terraform-1.11.0" || l.ID == "terraform-1.11.2" || l.legacy() {
			return nil // ≤ 1.10 has no use_cli; 1.11–1.12 ignore ARM_USE_CLI
		}
	case "oidc_token_file_path":
		if l.ID == "opentofu-1.12" {
			return []string{"ARM_OIDC_TOKEN_FILE_PATH", "AZURE_FEDERATED_TOKEN_FILE"}
		}
	case "oidc_request_url", "oidc_request_token":
		vars := map[string][]string{
			"oidc_request_url":   {"ARM_OIDC_REQUEST_URL", "ACTIONS_ID_TOKEN_REQUEST_URL", "SYSTEM_OIDCREQUESTURI"},
			"oidc_request_token": {"ARM_OIDC_REQUEST_TOKEN", "ACTIONS_ID_TOKEN_REQUEST_TOKEN", "SYSTEM_ACCESSTOKEN"},
		}[name]
		if l.legacy() || l.ID == "terraform-1.11.0" || l.ID == "opentofu-1.11" {
			vars = vars[:2]
		}
		return vars
	case "metadata_host":
		if l.tofu() || l.legacy() {
			return []string{"ARM_METADATA_HOST"}
		}
		return []string{"ARM_METADATA_HOSTNAME", "ARM_METADATA_HOST"}
	case "lookup_blob_endpoint":
		if l.has(name) {
			return []string{"ARM_USE_DNS_ZONE_ENDPOINT"}
		}
		return nil
	}
	if !l.has(name) {
		return nil
	}
	return backendEnv[name]
}

var backendEnv = map[string][]string{
	"subscription_id": {"ARM_SUBSCRIPTION_ID"}, "tenant_id": {"ARM_TENANT_ID"}, "client_id": {"ARM_CLIENT_ID"},
	"client_id_file_path": {"ARM_CLIENT_ID_FILE_PATH"}, "environment": {"ARM_ENVIRONMENT"},
	"use_oidc": {"ARM_USE_OIDC"}, "oidc_token": {"ARM_OIDC_TOKEN"}, "oidc_token_file_path": {"ARM_OIDC_TOKEN_FILE_PATH"},
	"use_azuread_auth": {"ARM_USE_AZUREAD"}, "use_msi": {"ARM_USE_MSI"}, "use_cli": {"ARM_USE_CLI"},
	"use_aks_workload_identity": {"ARM_USE_AKS_WORKLOAD_IDENTITY"},
	"access_key":                {"ARM_ACCESS_KEY"}, "sas_token": {"ARM_SAS_TOKEN"},
	"client_secret": {"ARM_CLIENT_SECRET"}, "client_secret_file_path": {"ARM_CLIENT_SECRET_FILE_PATH"},
	"client_certificate_path": {"ARM_CLIENT_CERTIFICATE_PATH"}, "client_certificate": {"ARM_CLIENT_CERTIFICATE"},
}

// defaults are the values a setting takes when nothing sets it.
var defaults = map[string]string{"environment": "public", "use_oidc": "false", "use_azuread_auth": "false",
	"use_msi": "false", "use_cli": "true", "use_aks_workload_identity": "false", "lookup_blob_endpoint": "false"}

// sensitive settings: their values are never kept, only that they are set.
var sensitive = map[string]bool{"access_key": true, "sas_token": true, "oidc_token": true, "oidc_request_token": true,
	"client_secret": true, "client_certificate": true, "client_certificate_password": true}

// value is one setting as a line resolves it.
type value struct {
	Text string
	// Set: the block, -backend-config or a variable sets it.
	Set bool
	// Expr: an expression sets it: not judged.
	Expr bool
	// From: "versions.tf:9", "-backend-config in TF_CLI_ARGS_init", "ARM_USE_OIDC", "default".
	From string
}

// on reports a boolean setting that resolves to true.
func (v value) on() bool { b, err := strconv.ParseBool(v.Text); return err == nil && b }

// describe renders v for a fact.
func (v value) describe() string {
	switch {
	case v.Expr:
		return "set by an expression (" + v.From + "): not judged"
	case v.Set && v.Text == "":
		return "set (" + v.From + ")"
	case v.Set:
		return v.Text + " (" + v.From + ")"
	case v.Text != "":
		return v.Text + " (default)"
	}
	return "(not set)"
}

// resolve says what line l uses for name: -backend-config, then the block,
// then the first non-empty variable, then the default. On ≥ 1.13 an empty
// literal falls through to the variables as well.
func (in Input) resolve(name string, l Line) value {
	a := in.Overrides[name]
	if a.Kind == "" {
		a = in.Block[name]
	}
	switch {
	case a.Kind == Expression:
		return value{Set: true, Expr: true, From: a.Pos}
	case a.Kind == Literal && a.Text == "" && l.ID == "terraform-1.13" && !sensitive[name]:
	case a.Kind == Literal:
		return value{Text: a.Text, Set: true, From: a.Pos}
	}
	for _, k := range l.envFor(name) {
		if v := in.env(k); v != "" {
			if sensitive[name] {
				v = ""
			}
			return value{Text: v, Set: true, From: k}
		}
	}
	return value{Text: defaults[name], From: "default"}
}
