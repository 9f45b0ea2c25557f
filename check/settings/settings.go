// Package settings judges the Azure settings Terraform will use: the client,
// tenant and subscription ids, the cloud, and other sign-in methods that
// would take the place of OIDC. It owns the check ids azure-settings and
// azure-auth-method.
package settings

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/cloud"
	"github.com/oidc-doctor/oidc-doctor/check/diag"
	"github.com/oidc-doctor/oidc-doctor/check/graph"
	"github.com/oidc-doctor/oidc-doctor/check/redact"
)

// Titles of the checks this step owns.
const (
	titleSettings   = "Azure settings"
	titleAuthMethod = "Other Azure sign-in settings"
)

var (
	guidRE   = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)
	domainRE = regexp.MustCompile(`^[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)+$`)
)

// Azure holds the ARM_* values Terraform will use, cleaned and judged.
type Azure struct {
	ClientID, TenantID, SubscriptionID string
	// Valid reports whether each value can be used in a request.
	ClientOK, TenantOK, SubscriptionOK bool
	Cloud                              cloud.Configuration
	// GraphScope is the Microsoft Graph scope azurerm asks for in that
	// cloud (package graph's, for the environment name judged here: US
	// Government L5 shares L4's Cloud but has its own Graph).
	GraphScope string
}

// CloudByEnv maps azurerm's ARM_ENVIRONMENT names (go-azure-sdk FromName) to clouds.
func CloudByEnv(name string) (string, cloud.Configuration, bool) {
	switch strings.ToLower(name) {
	case "", "public", "global", "canary":
		return "public", cloud.AzurePublic, true
	case "usgovernment", "usgovernmentl4", "dod", "usgovernmentl5":
		return "usgovernment", cloud.AzureGovernment, true
	case "china":
		return "china", cloud.AzureChina, true
	}
	return "", cloud.Configuration{}, false
}

// judgeID cleans one ARM_* id and says what is wrong with it, if anything.
// kind is "guid" or "tenant" (a GUID or a domain).
func judgeID(name, raw, kind string) (clean, problem string) {
	clean = raw
	switch {
	case raw == "":
		return "", "not set"
	case strings.ContainsAny(raw, "\r\n"):
		return "", "contains a line break (a value pasted with its newline)"
	case strings.TrimSpace(raw) != raw:
		return "", "has surrounding spaces"
	case len(raw) >= 2 && strings.ContainsAny(raw[:1], `"'`):
		return "", "is wrapped in quotes; set the bare value"
	}
	if guidRE.MatchString(raw) {
		return raw, ""
	}
	if kind == "tenant" {
		if domainRE.MatchString(raw) {
			return raw, ""
		}
		return "", "is neither a GUID nor a domain name (a tenant is e.g. 00000000-0000-0000-0000-000000000000 or contoso.onmicrosoft.com)"
	}
	return "", "is not a GUID (it should look like 00000000-0000-0000-0000-000000000000)"
}

// shown is an environment value as the report may show it: with any secret
// masked, whole, before it is quoted, folded or cut, since a token split
// across lines or lower-cased no longer reads as one.
func shown(v string) string { return redact.String(v) }

// Hint says where to find the id named by an ARM_* variable.
func Hint(name string) string { return lookupHint[name] }

var lookupHint = map[string]string{
	"ARM_CLIENT_ID":       "the app registration's Application (client) ID: az ad app list --display-name <name> --query '[].appId' -o tsv (for a managed identity: az identity show -n <name> -g <rg> --query clientId -o tsv)",
	"ARM_TENANT_ID":       "the tenant's Directory (tenant) ID: az account show --query tenantId -o tsv",
	"ARM_SUBSCRIPTION_ID": "the subscription's ID: az account list --query '[].{name:name, id:id}' -o table",
}

// Judge checks the ARM_* settings Terraform will use, with no
// configuration read. Missing client and tenant ids fail when the exchange
// needs them, and warn offline.
func Judge(getenv func(string) string, offline bool) (Azure, []diag.Result) {
	return JudgeWith(getenv, offline, Terraform{})
}

// JudgeWith is Judge with what the configuration says about use_oidc.
func JudgeWith(getenv func(string) string, offline bool, tf Terraform) (Azure, []diag.Result) {
	var s Azure
	r := diag.Result{ID: "azure-settings", Title: titleSettings}
	ids := judgeIDs(getenv, offline, &s)
	cloudV := judgeCloud(getenv, &s)
	oidc := judgeUseOIDC(getenv, tf)
	var v partial
	for _, part := range []partial{ids, cloudV, oidc, judgeAzureVars(getenv)} {
		v.facts, v.fails = append(v.facts, part.facts...), append(v.fails, part.fails...)
		v.warns, v.hints = append(v.warns, part.warns...), append(v.hints, part.hints...)
	}
	r.Facts = v.facts
	r.Status, r.Summary = diag.StatusPass, "client, tenant and subscription ids are well formed"
	switch {
	case len(v.fails) > 0:
		r.Status, r.Summary = diag.StatusFail, strings.Join(append(v.fails, v.warns...), "; ")
		r.Cause = diag.CauseSettingsInvalid
	case len(v.warns) > 0:
		r.Status, r.Summary = diag.StatusWarn, strings.Join(v.warns, "; ")
		r.Cause = diag.CauseSettingsInvalid
	}
	r.Hint = strings.Join(v.hints, "; ")
	if len(oidc.fails) > 0 && len(v.fails) == len(oidc.fails) {
		r.Cause = diag.CauseNoCredential
	}
	return s, []diag.Result{r, judgeAuthConflicts(getenv)}
}

// judgeIDs cleans and judges ARM_CLIENT_ID, ARM_TENANT_ID and
// ARM_SUBSCRIPTION_ID into s. Missing client and tenant ids fail when the
// exchange needs them, and warn offline.
func judgeIDs(getenv func(string) string, offline bool, s *Azure) partial {
	var v partial
	for _, id := range []struct {
		name, kind string
		dst        *string
		ok         *bool
		needed     bool
	}{
		{"ARM_CLIENT_ID", "guid", &s.ClientID, &s.ClientOK, true},
		{"ARM_TENANT_ID", "tenant", &s.TenantID, &s.TenantOK, true},
		{"ARM_SUBSCRIPTION_ID", "guid", &s.SubscriptionID, &s.SubscriptionOK, false},
	} {
		raw := getenv(id.name)
		clean, problem := judgeID(id.name, raw, id.kind)
		*id.dst, *id.ok = clean, problem == ""
		switch {
		case problem == "":
			v.facts = append(v.facts, diag.F(id.name, clean))
		case raw == "":
			v.facts = append(v.facts, diag.F(id.name, "(not set)"))
			if id.needed && !offline {
				v.fails = append(v.fails, id.name+" is not set")
			} else {
				v.warns = append(v.warns, id.name+" is not set")
			}
			v.hints = append(v.hints, "set "+id.name+" on the stack to "+lookupHint[id.name])
		default:
			v.facts = append(v.facts, diag.F(id.name, fmt.Sprintf("%q: %s", shown(raw), problem)))
			v.fails = append(v.fails, id.name+" "+problem)
			v.hints = append(v.hints, "set "+id.name+" to "+lookupHint[id.name])
		}
	}
	return v
}

// judgeCloud reads ARM_ENVIRONMENT (and AZURE_AUTHORITY_HOST for the
// public cloud) into s.Cloud.
func judgeCloud(getenv func(string) string, s *Azure) partial {
	var v partial
	env := getenv("ARM_ENVIRONMENT")
	name, c, ok := CloudByEnv(env)
	if !ok {
		v.fails = append(v.fails, fmt.Sprintf("ARM_ENVIRONMENT %q is not a cloud the azurerm provider knows", shown(env)))
		v.hints = append(v.hints, "set ARM_ENVIRONMENT to public, usgovernment or china (or unset it for public)")
		name, c, env = "public", cloud.AzurePublic, ""
	}
	s.GraphScope = graph.Scope(env)
	if h := getenv("AZURE_AUTHORITY_HOST"); h != "" && name == "public" {
		// azidentity uses AZURE_AUTHORITY_HOST when no cloud is configured.
		c = cloud.Configuration{ActiveDirectoryAuthorityHost: h, Services: c.Services}
		v.facts = append(v.facts, diag.F("AZURE_AUTHORITY_HOST", shown(h)))
	}
	s.Cloud = c
	v.facts = append(v.facts, diag.F("cloud", name+" (login "+shown(c.ActiveDirectoryAuthorityHost)+")"))
	return v
}

// judgeAzureVars warns when AZURE_CLIENT_ID or AZURE_TENANT_ID name
// another identity than the ARM_* settings.
func judgeAzureVars(getenv func(string) string) partial {
	var v partial
	for _, p := range []string{"AZURE_CLIENT_ID", "AZURE_TENANT_ID"} {
		arm := "ARM_" + strings.TrimPrefix(p, "AZURE_")
		if a, b := getenv(p), getenv(arm); a != "" && b != "" && a != b {
			v.warns = append(v.warns, p+" ("+shown(a)+") differs from "+arm+" ("+shown(b)+"): tools that read AZURE_* (az, azidentity) act as another identity than Terraform")
		}
	}
	return v
}

// judgeAuthConflicts names settings that make Terraform authenticate some
// other way than OIDC. Their values are never read into the report.
func judgeAuthConflicts(getenv func(string) string) diag.Result {
	r := diag.Result{ID: "azure-auth-method", Title: titleAuthMethod}
	var set []string
	for _, n := range []string{"ARM_CLIENT_SECRET", "ARM_CLIENT_SECRET_FILE_PATH", "ARM_CLIENT_CERTIFICATE", "ARM_CLIENT_CERTIFICATE_PATH"} {
		if getenv(n) != "" {
			set = append(set, n)
		}
	}
	for _, n := range []string{"ARM_USE_MSI", "ARM_USE_CLI", "ARM_USE_AKS_WORKLOAD_IDENTITY"} {
		if strings.EqualFold(getenv(n), "true") {
			set = append(set, n+"=true")
		}
	}
	if len(set) == 0 {
		r.Status, r.Summary = diag.StatusPass, "no client secret, certificate, managed identity or CLI sign-in is configured beside OIDC"
		return r
	}
	for _, n := range set {
		r.Facts = append(r.Facts, diag.F(n, "set (value not shown)"))
	}
	r.Status = diag.StatusWarn
	r.Summary = "Terraform may sign in another way than OIDC: " + strings.Join(set, ", ") + " set"
	r.Hint = "remove these from the stack and its contexts (a Spacelift-managed Azure integration injects a client secret), or failures will not be about the token"
	return r
}
