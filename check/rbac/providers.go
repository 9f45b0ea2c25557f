package rbac

// Resource provider registration: whether the azurerm provider will try to
// register providers, and whether the identity may.

import (
	"fmt"
	"strings"

	"github.com/oidc-doctor/oidc-doctor/check/diag"
	"github.com/oidc-doctor/oidc-doctor/check/fixes"
)

// registration says whether the azurerm provider will try to register
// resource providers, from its environment settings (hashicorp/terraform-provider-azurerm, internal/resourceproviders).
type registration struct {
	attempt string // "yes", "no" or "depends"
	why     string
}

func registrationOf(getenv func(string) string) registration {
	v := strings.TrimSpace(getenv("ARM_RESOURCE_PROVIDER_REGISTRATIONS"))
	switch strings.ToLower(v) {
	case "none":
		return registration{"no", "ARM_RESOURCE_PROVIDER_REGISTRATIONS=none"}
	case "legacy", "core", "extended", "all":
		return registration{"yes", "ARM_RESOURCE_PROVIDER_REGISTRATIONS=" + v}
	case "":
	default:
		return registration{"depends", "ARM_RESOURCE_PROVIDER_REGISTRATIONS=" + v + " is not a value azurerm knows (none, legacy, core, extended, all)"}
	}
	if skip := strings.ToLower(strings.TrimSpace(getenv("ARM_SKIP_PROVIDER_REGISTRATION"))); skip == "true" || skip == "1" {
		return registration{"no", "ARM_SKIP_PROVIDER_REGISTRATION=true (azurerm 4.x; removed in 5.0)"}
	}
	return registration{"depends", "not set: azurerm 4.x defaults to legacy and registers providers; 5.x defaults to none and does not"}
}

func judgeProviders(in Input, po permissionsOutcome, pv providersOutcome, host string) diag.Result {
	if pv.err != nil {
		r := failedCall(idRBACProviders, titleRBACProviders, "GET "+in.subscriptionScope()+"/providers", host, pv.err)
		r.Elapsed = pv.elapsed
		return r
	}
	r := diag.Result{ID: idRBACProviders, Title: titleRBACProviders, Elapsed: pv.elapsed}
	var unregistered, cannot, unknown []string
	for _, p := range pv.list {
		if strings.EqualFold(p.State, "Registered") {
			continue
		}
		unregistered = append(unregistered, p.Namespace+" ("+p.State+")")
		switch {
		case po.err != nil:
			unknown = append(unknown, p.Namespace)
		case !actionAllowed(po.perms, p.Namespace+"/register/action"):
			cannot = append(cannot, p.Namespace)
		}
	}
	reg := registrationOf(in.getenv)
	r.Facts = []diag.Fact{
		diag.F("providers", fmt.Sprintf("%d listed, %d not registered", len(pv.list), len(unregistered))),
	}
	if len(unregistered) == 0 {
		r.Status = diag.StatusPass
		r.Summary = fmt.Sprintf("all %d resource providers are registered", len(pv.list))
		return r
	}
	r.Facts = append(r.Facts, diag.F("not registered", strings.Join(armCap(unregistered, 20), ", ")))
	r.Facts = append(r.Facts, diag.F("azurerm registers providers", reg.attempt+": "+reg.why))
	noneFix := diag.Fix{Title: "stop the azurerm provider registering resource providers (stack environment variable)", Lang: "text", Text: "ARM_RESOURCE_PROVIDER_REGISTRATIONS=none"}
	switch {
	case len(cannot) == 0 && len(unknown) == 0:
		r.Facts = append(r.Facts, diag.F("identity may register them", "yes"))
		r.Status = diag.StatusPass
		r.Summary = fmt.Sprintf("%d resource provider(s) are not registered, and the identity may register them", len(unregistered))
		return r
	case len(cannot) == 0:
		r.Facts = append(r.Facts, diag.F("identity may register them", "unknown: its permissions could not be read"))
		r.Status = diag.StatusWarn
		r.Summary = fmt.Sprintf("%d resource provider(s) are not registered; whether the identity may register them is unknown", len(unregistered))
		r.Hint = "See rbac-permissions. If the stack uses these namespaces, register them once as an administrator."
		r.Fixes = fixes.ProviderRegister(unknown)
		return r
	}
	r.Facts = append(r.Facts, diag.F("identity may register them", "no: "+strings.Join(armCap(cannot, 20), ", ")))
	r.Fixes = fixes.ProviderRegister(cannot)
	switch reg.attempt {
	case "yes":
		r.Status = diag.StatusFail
		r.Summary = fmt.Sprintf("the azurerm provider will try to register %d resource provider(s) (%s) and the identity may not", len(cannot), reg.why)
		r.Hint = "Terraform stops with \"does not have the necessary permissions to register Resource Providers\". Register them once as an administrator, or turn registration off."
		r.Fixes = append(r.Fixes, noneFix)
	case "no":
		r.Status = diag.StatusWarn
		r.Summary = fmt.Sprintf("%d resource provider(s) are not registered and the identity may not register them; azurerm will not try (%s)", len(cannot), reg.why)
		r.Hint = "Resources of these namespaces fail with MissingSubscriptionRegistration; if the stack uses any, register them once as an administrator."
	default:
		r.Status = diag.StatusWarn
		r.Summary = fmt.Sprintf("%d resource provider(s) are not registered and the identity may not register them; whether azurerm tries depends on its version", len(cannot))
		r.Hint = "ARM_RESOURCE_PROVIDER_REGISTRATIONS is " + reg.why + ". With azurerm 4.x Terraform would fail at start-up: set ARM_RESOURCE_PROVIDER_REGISTRATIONS=none, and register the namespaces the stack uses as an administrator."
		r.Fixes = append(r.Fixes, noneFix)
	}
	return r
}
