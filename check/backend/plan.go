package backend

// What one release line of the backend will do at init, from its settings:
// how it reaches the blobs (a key, a SAS token, Entra ID, or a key looked
// up through ARM), how it signs in to Entra ID when it must, and the
// errors it will stop with. Sign-in orders:
//   - ≤ 1.10: client certificate, client secret, OIDC (use_oidc and a
//     token, token file or request URL and token), managed identity, Azure
//     CLI, always last (go-azure-helpers v0.43.0 authentication/builder.go).
//   - Terraform ≥ 1.11: client certificate, client secret, OIDC (use_oidc
//     or use_aks_workload_identity, with tenant, client and assertion),
//     GitHub-style request URL and token, managed identity, Azure CLI
//     (go-azure-sdk sdk/auth/auth.go, NewAuthorizerFromCredentials).
//   - OpenTofu ≥ 1.11: client certificate, client secret, OIDC, managed
//     identity, AKS workload identity, Azure CLI (internal/backend/remote-state/azure/auth/auth.go).

import (
	"strings"
)

// Ways the backend reaches the state blobs.
const (
	viaAccessKey = "access_key"
	viaSAS       = "sas_token"
	viaEntra     = "entra"     // use_azuread_auth: Entra ID on the data plane
	viaKeyLookup = "key"       // the account key, looked up through ARM (listKeys)
	viaUnknown   = "unknown"   // an expression decides
	viaNone      = "none"      // a configuration error
	authOIDC     = "oidc"      // sign-in methods
	authCLI      = "azure_cli" // the fallback
)

// plan is what one line does at init.
type plan struct {
	line Line
	// via is how the blobs are reached.
	via string
	// auth is the sign-in method when Entra ID is needed ("" when not);
	// authFrom says what selects it.
	auth, authFrom string
	// tokenFrom names the setting the OIDC token comes from; tokenPath its file.
	tokenFrom, tokenPath string
	// armRead: the line reads the storage account through ARM.
	armRead bool
	// errs are the configuration errors init stops with; authErrs the
	// sign-in errors, exactly as printed where known.
	errs     []initError
	authErrs []string
	// v holds the resolved settings the judgements read.
	v map[string]value
}

// planned settings, resolved for every line.
var planned = []string{"storage_account_name", "container_name", "key", "resource_group_name", "subscription_id",
	"tenant_id", "client_id", "environment", "metadata_host", "use_oidc", "oidc_token", "oidc_token_file_path",
	"oidc_request_url", "oidc_request_token", "use_azuread_auth", "use_msi", "use_cli", "use_aks_workload_identity",
	"access_key", "sas_token", "lookup_blob_endpoint", "client_secret", "client_secret_file_path",
	"client_certificate_path", "client_certificate"}

func (in Input) plans() []plan {
	var out []plan
	for _, l := range in.selected() {
		p := plan{line: l, v: map[string]value{}}
		for _, n := range planned {
			p.v[n] = in.resolve(n, l)
		}
		p.decideAccess(in)
		if p.via == viaEntra || p.via == viaKeyLookup {
			p.decideAuth()
		}
		out = append(out, p)
	}
	return out
}

// decideAccess sets how the line reaches the blobs, and the errors that
// choice meets.
func (p *plan) decideAccess(in Input) {
	v, l := p.v, p.line
	for _, n := range []string{"storage_account_name", "container_name", "key"} {
		if !v[n].Set {
			p.errs = append(p.errs, initError{n + " is not set", "The argument \"" + n + "\" is required, but no definition was found.", true})
		}
	}
	if a := in.Block["lookup_blob_endpoint"]; a.Kind != "" && !l.has("lookup_blob_endpoint") {
		p.errs = append(p.errs, initError{why: "lookup_blob_endpoint (" + a.Pos + ") is not an argument of this release (Terraform 1.11.2 added it)",
			text: "Unsupported argument: An argument named \"lookup_blob_endpoint\" is not expected here."})
	}
	switch {
	case v["access_key"].Expr || v["sas_token"].Expr || v["use_azuread_auth"].Expr:
		p.via = viaUnknown
	case v["access_key"].Set:
		p.via = viaAccessKey
	case v["sas_token"].Set:
		p.via = viaSAS
	case v["use_azuread_auth"].on():
		p.via = viaEntra
	case v["resource_group_name"].Set:
		p.via = viaKeyLookup
	default:
		p.via = viaNone
		p.errs = append(p.errs, initError{why: "the backend has no way to reach the state: none of access_key, sas_token, use_azuread_auth (ARM_USE_AZUREAD) and resource_group_name is set", text: noAccessError(l)})
	}
	lookup := l.has("lookup_blob_endpoint") && v["lookup_blob_endpoint"].on()
	p.armRead = p.via == viaKeyLookup || lookup ||
		(l.ID == "terraform-1.11.0" && (p.via == viaEntra || p.via == viaKeyLookup))
	if lookup && !v["resource_group_name"].Set {
		p.errs = append(p.errs, initError{why: "lookup_blob_endpoint needs resource_group_name", text: "`resource_group_name` is required when `lookup_blob_endpoint` is set"})
	}
	if l.ID == "terraform-1.11.0" && p.via == viaEntra && (!v["resource_group_name"].Set || !v["subscription_id"].Set) {
		p.errs = append(p.errs, initError{why: "this release reads the storage account through ARM even with use_azuread_auth, so it needs resource_group_name and subscription_id (hashicorp/terraform#36596)",
			text: "InvalidSubscriptionId: The provided subscription identifier 'resourceGroups' is malformed or invalid (with both empty)"})
	}
}

// initError is one configuration error: why, in the doctor's words, and
// what init prints; missingArg marks a required argument not given.
type initError struct {
	why, text  string
	missingArg bool
}

// noAccessError is the line's error for a backend with no key, no SAS
// token, no Entra ID data access and no resource group.
func noAccessError(l Line) string {
	switch {
	case l.legacy():
		return "Either an Access Key / SAS Token or the Resource Group for the Storage Account must be specified - or Azure AD Authentication must be enabled"
	case l.ID == "terraform-1.11.0":
		return "either an Access Key / SAS Token or the Resource Group for the Storage Account must be specified - or Azure AD Authentication must be enabled"
	case l.ID == "terraform-1.11.2":
		return "One of `access_key`, `sas_token`, `use_azuread_auth` and `resource_group_name` must be specifieid"
	case l.ID == "terraform-1.13":
		return "One of `access_key`, `sas_token`, `use_azuread_auth` and `resource_group_name` must be specified"
	}
	return "In order to obtain a Storage Account Access Key, a resource group is necessary (or set use_azuread_auth, access_key or sas_token)"
}

// decideAuth picks the sign-in method in the line's order.
func (p *plan) decideAuth() {
	v, l := p.v, p.line
	ids := v["client_id"].Set && v["tenant_id"].Set
	token := p.tokenSource()
	oidc := v["use_oidc"].on() || (!l.legacy() && !l.tofu() && v["use_aks_workload_identity"].on())
	switch {
	case v["use_oidc"].Expr:
		p.auth, p.authFrom = "unknown", "use_oidc is set by an expression ("+v["use_oidc"].From+")"
	case (v["client_certificate_path"].Set || v["client_certificate"].Set) && ids:
		p.auth, p.authFrom = "client_certificate", diag1(v["client_certificate_path"], v["client_certificate"])
	case (v["client_secret"].Set || v["client_secret_file_path"].Set) && ids:
		p.auth, p.authFrom = "client_secret", diag1(v["client_secret"], v["client_secret_file_path"])
	case oidc && token != "" && (ids || l.legacy()):
		if !ids {
			var missing []string
			for _, n := range []string{"tenant_id", "client_id"} {
				if !v[n].Set {
					missing = append(missing, "a "+map[string]string{"tenant_id": "Tenant", "client_id": "Client"}[n]+" ID must be configured when authenticating with OIDC")
				}
			}
			p.authErrs = append(p.authErrs, "Error building ARM Config: "+strings.Join(missing, "; "))
		}
		p.auth, p.authFrom = authOIDC, "use_oidc = true ("+v["use_oidc"].From+")"
	case v["use_msi"].on():
		p.auth, p.authFrom = "msi", "use_msi ("+v["use_msi"].From+")"
	default:
		p.auth, p.authFrom = authCLI, p.whyNoOIDC(oidc, token)
		p.authErrs = append(p.authErrs, p.cliError())
	}
}

// tokenSource names where the OIDC token comes from, and sets tokenPath.
func (p *plan) tokenSource() string {
	v := p.v
	switch {
	case v["oidc_token_file_path"].Expr:
		p.tokenFrom = "oidc_token_file_path, set by an expression (" + v["oidc_token_file_path"].From + ")"
	case v["oidc_token_file_path"].Set:
		p.tokenFrom, p.tokenPath = "oidc_token_file_path from "+v["oidc_token_file_path"].From, v["oidc_token_file_path"].Text
		if strings.HasPrefix(v["oidc_token_file_path"].From, "ARM_") || strings.HasPrefix(v["oidc_token_file_path"].From, "AZURE_") {
			p.tokenFrom = v["oidc_token_file_path"].From
		}
	case v["oidc_token"].Set:
		p.tokenFrom = "oidc_token from " + v["oidc_token"].From
	case v["oidc_request_url"].Set && v["oidc_request_token"].Set:
		p.tokenFrom = "a token requested from " + v["oidc_request_url"].From
	}
	return p.tokenFrom
}

// whyNoOIDC says why OIDC was passed over.
func (p *plan) whyNoOIDC(oidc bool, token string) string {
	switch {
	case !oidc:
		return "use_oidc is " + p.v["use_oidc"].describe()
	case token == "":
		return "use_oidc is true but no token is set (oidc_token_file_path, ARM_OIDC_TOKEN_FILE_PATH, oidc_token or ARM_OIDC_TOKEN)"
	}
	return "OIDC needs client_id and tenant_id"
}

// cliError is the error init prints when it falls back to a missing az.
func (p *plan) cliError() string {
	l := p.line
	switch {
	case l.legacy():
		return `Error building ARM Config: please ensure you have installed Azure CLI version 2.0.79 or newer. Error parsing json result from the Azure CLI: launching Azure CLI: exec: "az": executable file not found in $PATH.`
	case l.tofu():
		return "No valid azure auth methods found: OpenID Connect Auth is disabled when use_oidc or the environment variable ARM_USE_OIDC are unset or set explicitly to false; " +
			"Error looking for command az in your PATH. Make sure the Azure Command Line tool is installed and executable."
	case !p.v["use_cli"].on():
		return "no Authorizer could be configured, please check your configuration"
	}
	api := "Resource Manager"
	if p.via == viaEntra && l.ID != "terraform-1.11.0" {
		api = "Storage"
	}
	return "unable to build authorizer for " + api + ` API: could not configure AzureCli Authorizer: could not parse Azure CLI version: launching Azure CLI: exec: "az": executable file not found in $PATH`
}

// diag1 names the first set of vs' sources.
func diag1(vs ...value) string {
	for _, v := range vs {
		if v.Set {
			return v.From
		}
	}
	return ""
}

// TokenSource says where the backend reads the OIDC token, for the token
// step: the setting ("ARM_OIDC_TOKEN_FILE_PATH", "oidc_token_file_path from
// versions.tf:9"), the file it names, whether use_oidc is on, and whether an
// expression decides. The first selected release line answers.
func TokenSource(in Input) (source, path string, useOIDC, expression bool) {
	p := in.plans()[0]
	src := p.tokenSource()
	expr := p.v["oidc_token_file_path"].Expr || p.v["use_oidc"].Expr
	return src, p.tokenPath, p.v["use_oidc"].on() || p.v["use_oidc"].Expr, expr
}
