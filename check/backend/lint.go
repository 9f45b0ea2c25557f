package backend

// The offline checks: backend-settings (what the backend block, with
// -backend-config and the environment, configures) and backend-auth (how
// the backend will sign in, and whether OIDC reaches it at all).

import (
	"strings"

	"github.com/oidc-doctor/oidc-doctor/check/diag"
	"github.com/oidc-doctor/oidc-doctor/check/spacelift"
)

// blobURL is where the line reads the state.
func (p plan) blobURL() string {
	return "https://" + p.v["storage_account_name"].Text + ".blob." + storageSuffix(p.v["environment"].Text) + "/" +
		p.v["container_name"].Text + "/" + p.v["key"].Text
}

// storageSuffix is the storage DNS suffix of an ARM_ENVIRONMENT name
// (go-azure-sdk environments.FromName).
func storageSuffix(env string) string {
	switch strings.ToLower(env) {
	case "usgovernment", "usgovernmentl4", "usgovernmentl5", "dod":
		return "core.usgovcloudapi.net"
	case "china":
		return "core.chinacloudapi.cn"
	}
	return "core.windows.net"
}

func judgeSettings(in Input, plans []plan) diag.Result {
	var per []perLine
	for _, p := range plans {
		per = append(per, perLine{p.line, settingsVerdict(in, p)})
	}
	r := merge(idSettings, per)
	head := []diag.Fact{diag.F("backend block", diag.FirstNonEmpty(in.BlockPos, "(none: -backend-config only)"))}
	if in.Runtime != "" {
		head = append(head, diag.F("releases judged", in.Runtime))
	}
	r.Facts = append(head, r.Facts...)
	return r
}

func settingsVerdict(in Input, p plan) verdict {
	v := verdict{status: diag.StatusPass}
	for _, n := range []string{"storage_account_name", "container_name", "key", "resource_group_name", "subscription_id", "use_azuread_auth", "environment"} {
		v.facts = append(v.facts, diag.F(n, p.v[n].describe()))
	}
	if p.line.has("lookup_blob_endpoint") && p.v["lookup_blob_endpoint"].Set {
		v.facts = append(v.facts, diag.F("lookup_blob_endpoint", p.v["lookup_blob_endpoint"].describe()))
	}
	storageAAD := in.env("ARM_STORAGE_USE_AZUREAD")
	misnamed := storageAAD != "" && p.via != viaEntra && !p.v["use_azuread_auth"].Expr
	if misnamed {
		v.facts = append(v.facts, diag.F("ARM_STORAGE_USE_AZUREAD", storageAAD+": the azurerm provider's storage_use_azuread; the backend never reads it"))
	}
	switch {
	case len(p.errs) > 0:
		v.status, v.cause = diag.StatusFail, diag.CauseOther
		var whys []string
		for _, e := range p.errs {
			whys = append(whys, e.why)
			v.facts = append(v.facts, diag.F("init fails with", e.text))
		}
		v.summary = "terraform init will stop: " + strings.Join(whys, "; ")
		if misnamed && p.via == viaNone {
			v.summary = "ARM_STORAGE_USE_AZUREAD is set, but the backend reads use_azuread_auth or ARM_USE_AZUREAD; " + v.summary
			v.fixes = []diag.Fix{{Title: "set on the stack (Environment) or a context attached to it", Lang: "text", Text: "ARM_USE_AZUREAD=true\n"}}
		}
		v.hint = settingsHint(p, misnamed)
		onlyMissing := true
		for _, e := range p.errs {
			onlyMissing = onlyMissing && e.missingArg
		}
		switch {
		case !in.Complete:
			v.status = diag.StatusWarn
			v.hint += "; not all of the configuration was read (see terraform-config), so this may be set elsewhere"
		case onlyMissing && in.ArgsElsewhere != "":
			v.status = diag.StatusWarn
			v.summary += ", unless the init command of " + in.ArgsElsewhere + " passes it with -backend-config"
		}
	case p.via == viaUnknown:
		v.summary = "how the backend reaches the state is set by an expression (access_key, sas_token or use_azuread_auth): not judged"
	case misnamed:
		v.status = diag.StatusWarn
		v.summary = "ARM_STORAGE_USE_AZUREAD is set, but the backend reads ARM_USE_AZUREAD: it " + accessPhrase(p)
		v.hint = "set ARM_USE_AZUREAD=true (or use_azuread_auth = true in the backend block) for Entra ID access to the state"
	default:
		v.summary = "the backend " + accessPhrase(p)
	}
	for _, n := range []string{"storage_account_name", "container_name", "key"} {
		if p.v[n].Expr {
			v.summary += "; " + n + " is set by an expression: not judged"
		}
	}
	return v
}

// accessPhrase says how the line reaches the state.
func accessPhrase(p plan) string {
	switch p.via {
	case viaEntra:
		return "reads the state at " + p.blobURL() + " with Entra ID (use_azuread_auth from " + p.v["use_azuread_auth"].From + ")"
	case viaKeyLookup:
		return "reads the state at " + p.blobURL() + " with the account key, which it looks up through ARM (listKeys) in resource group " + p.v["resource_group_name"].Text
	case viaAccessKey:
		return "reads the state at " + p.blobURL() + " with an access key (" + p.v["access_key"].From + ")"
	case viaSAS:
		return "reads the state at " + p.blobURL() + " with a SAS token (" + p.v["sas_token"].From + ")"
	}
	return "has no way to reach the state"
}

func settingsHint(p plan, misnamed bool) string {
	if p.via == viaNone {
		h := "set use_azuread_auth = true in the backend block (or ARM_USE_AZUREAD=true) to read the state with Entra ID, and grant the identity Storage Blob Data Contributor on the container"
		if misnamed {
			h = "ARM_STORAGE_USE_AZUREAD is the provider's setting: " + h
		}
		return h
	}
	return "fix the backend block or the -backend-config values named above"
}

func judgeAuth(in Input, plans []plan) diag.Result {
	var per []perLine
	for _, p := range plans {
		per = append(per, perLine{p.line, authVerdict(in, p)})
	}
	return merge(idAuth, per)
}

func authVerdict(in Input, p plan) verdict {
	v := verdict{status: diag.StatusPass}
	switch p.via {
	case viaAccessKey, viaSAS:
		v.summary = "no Entra ID sign-in: the backend " + accessPhrase(p) + " (the doctor never uses keys or SAS tokens)"
		return v
	case viaNone, viaUnknown:
		v.status, v.summary = diag.StatusSkip, "skipped: needs backend-settings to say how the backend reaches the state"
		return v
	}
	v.facts = []diag.Fact{diag.F("use_oidc", p.v["use_oidc"].describe()), diag.F("client_id", p.v["client_id"].describe()), diag.F("tenant_id", p.v["tenant_id"].describe())}
	if p.tokenFrom != "" {
		v.facts = append(v.facts, diag.F("token", p.tokenFrom))
	}
	if p.tokenPath != "" {
		v.facts = append(v.facts, diag.F("token file", tokenFileReads(p.line)))
	}
	for _, e := range p.authErrs {
		v.facts = append(v.facts, diag.F("init fails with", e))
	}
	switch p.auth {
	case authOIDC:
		v.summary = "the backend signs in with OIDC, reading the token from " + p.tokenFrom
		if len(p.authErrs) > 0 {
			v.status, v.cause = diag.StatusFail, diag.CauseOther
			v.summary = "the backend would sign in with OIDC, but it needs a client and a tenant id: set ARM_CLIENT_ID and ARM_TENANT_ID"
			v.hint = "the backend reads client_id and tenant_id from its block or ARM_CLIENT_ID and ARM_TENANT_ID, never from the provider block"
		}
	case "unknown":
		v.summary = "how the backend signs in depends on " + p.authFrom + ": not judged"
	case "client_certificate", "client_secret", "msi":
		v.status, v.cause = diag.StatusWarn, diag.CauseOther
		name := map[string]string{"client_certificate": "a client certificate", "client_secret": "a client secret", "msi": "a managed identity"}[p.auth]
		v.summary = "the backend signs in with " + name + " (" + p.authFrom + "), not with the OIDC token: it comes first in the backend's order"
		v.hint = "remove " + p.authFrom + " from the stack, its contexts and the backend block if the state should be reached with OIDC"
	case authCLI:
		v.status, v.cause = diag.StatusFail, diag.CauseNoCredential
		v.summary = "the backend will not sign in with OIDC (" + p.authFrom + "), so it falls back to the Azure CLI, which the runner image does not have: terraform init fails"
		if in.ProviderUseOIDC != "" && !p.v["use_oidc"].on() {
			v.summary = "use_oidc = true is set only in " + in.ProviderUseOIDC + ": the backend never reads provider blocks, so it falls back to the Azure CLI, which the runner image does not have: terraform init fails"
		}
		v.hint = "set ARM_USE_OIDC=true and ARM_OIDC_TOKEN_FILE_PATH=" + spacelift.TokenPath + " on the stack: the environment reaches the providers and the state backend alike. " +
			"Or set use_oidc and oidc_token_file_path in the backend block as well."
		v.fixes = backendOIDCFixes(p)
	}
	return v
}

// tokenFileReads says when the line reads the token file and whether it
// trims it: Terraform ≥ 1.11 reads it once and trims it (helpers.go,
// getOidcToken); ≤ 1.10 reads it when it signs in, untrimmed
// (go-azure-helpers auth_method_oidc.go); OpenTofu ≥ 1.11 does not trim
// it, and from 1.11.3 reads it again for every new access token (#3594).
func tokenFileReads(l Line) string {
	switch {
	case l.legacy():
		return "read when init signs in, not trimmed of a trailing newline"
	case l.ID == "opentofu-1.11":
		return "read once (1.11.0-1.11.2) or for every new access token (1.11.3 and later), not trimmed"
	case l.ID == "opentofu-1.12":
		return "read for every new access token, not trimmed"
	}
	return "read once at init and trimmed: the token must outlive the run (Spacelift's last one hour)"
}

// backendOIDCFixes are the repairs for a backend that does not use OIDC.
func backendOIDCFixes(p plan) []diag.Fix {
	block := "terraform {\n  backend \"azurerm\" {\n    # ... the settings you have, plus:\n    use_oidc             = true\n    oidc_token_file_path = \"" + spacelift.TokenPath + "\"\n"
	if p.via == viaEntra {
		block += "    use_azuread_auth     = true\n"
	}
	block += "  }\n}\n"
	return []diag.Fix{
		{Title: "set on the stack (Environment) or a context attached to it: reaches the providers and the state backend", Lang: "text",
			Text: "ARM_USE_OIDC=true\nARM_OIDC_TOKEN_FILE_PATH=" + spacelift.TokenPath + "\n"},
		{Title: "or in the backend block", Lang: "hcl", Text: block},
	}
}

// liveBlocker says why the live checks cannot run; "" when they can.
func (in Input) liveBlocker(plans []plan) string {
	switch {
	case in.Offline:
		return "--offline"
	case in.Unavailable != "":
		return in.Unavailable
	case in.Cred == nil:
		return "needs a successful entra-exchange"
	}
	return in.configBlocker(plans)
}

// WantsStorageToken reports whether the live checks will send List Blobs
// with a token for Azure Storage, so that the caller may request it beside
// the exchange (see Input.StorageToken). ClientID and TenantID must be set.
func WantsStorageToken(in Input) bool {
	plans := in.plans()
	if in.configBlocker(plans) != "" {
		return false
	}
	for _, p := range plans {
		if p.via == viaEntra {
			return true
		}
	}
	return false
}

// oidcPlan is the first release line's plan that reaches the state with
// the OIDC token; nil when none does.
func oidcPlan(plans []plan) *plan {
	for i := range plans {
		if (plans[i].via == viaEntra || plans[i].via == viaKeyLookup) && plans[i].auth == authOIDC && len(plans[i].authErrs) == 0 {
			return &plans[i]
		}
	}
	return nil
}

// configBlocker says why the configuration leaves nothing to check live.
func (in Input) configBlocker(plans []plan) string {
	usable := oidcPlan(plans)
	if usable == nil {
		return "the backend will not reach the state with the OIDC token (see backend-settings and backend-auth)"
	}
	for _, n := range []string{"storage_account_name", "container_name", "key"} {
		if v := usable.v[n]; v.Expr || !v.Set {
			return n + " is not a literal: not checked"
		}
	}
	if usable.v["metadata_host"].Set {
		return "a custom metadata_host: not checked"
	}
	for n, want := range map[string]string{"client_id": in.ClientID, "tenant_id": in.TenantID} {
		if v := usable.v[n]; v.Set && !v.Expr && !strings.EqualFold(v.Text, want) {
			return "the backend signs in with " + n + " " + v.Text + " (" + v.From + "), not the identity the doctor signed in as"
		}
	}
	return ""
}
