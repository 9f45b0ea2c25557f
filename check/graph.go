package check

// What the Graph checks of the entra step read of the configuration: the
// cloud's Graph scope and the azuread provider, as plain values.

import (
	"strings"

	"github.com/oidc-doctor/oidc-doctor/check/entra"
	"github.com/oidc-doctor/oidc-doctor/check/settings"
)

// graphInput is the main exchange's Graph input: the token azurerm asks
// for first, azuread's needs, and the app's credentials.
func graphInput(tf terraform, az settings.Azure, getenv func(string) string) entra.GraphInput {
	return entra.GraphInput{Scope: az.GraphScope, Checks: true, Azuread: azureadInput(tf, az, getenv), Unused: graphUnused(tf)}
}

// graphUnused says why no provider will ask for the Graph token: the
// whole configuration was read and holds neither azurerm nor azuread
// (azapi asks for ARM tokens only); "" otherwise.
func graphUnused(tf terraform) string {
	if !tf.known() {
		return ""
	}
	for _, p := range tf.c.Providers {
		if p.Name == "azurerm" || p.Name == "azuread" {
			return ""
		}
	}
	return "the configuration read has no azurerm or azuread provider (azapi asks for ARM tokens only)"
}

// azureadInput is what the configuration says of the azuread provider, or
// nil when it has none.
func azureadInput(tf terraform, az settings.Azure, getenv func(string) string) *entra.Azuread {
	if !tf.c.Found {
		return nil
	}
	var who, other []string
	for _, p := range tf.c.Providers {
		if p.Name != "azuread" {
			continue
		}
		who = append(who, p.Who())
		for _, k := range []struct{ attr, want string }{{"client_id", az.ClientID}, {"tenant_id", az.TenantID}} {
			s := p.Resolve(k.attr, getenv)
			switch {
			case s.Expression:
				other = append(other, k.attr+" "+s.Describe())
			case s.Set && !strings.EqualFold(s.Value, k.want):
				other = append(other, k.attr+" "+s.Describe())
			}
		}
	}
	if len(who) == 0 {
		return nil
	}
	return &entra.Azuread{Who: strings.Join(who, ", "), Resources: tf.c.Resources, DataSources: tf.c.DataSources,
		OtherIdentity: strings.Join(other, "; ")}
}
