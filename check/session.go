package check

// What every exchange and every RBAC read of a run share: the token, the
// resolved settings, the transport and the stack's environment. Its two
// constructors are the only places that fill entra.Input and rbac.Input,
// so the main chain and each provider block get the same, complete
// inputs, built before anything reads them.

import (
	"net/http"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"

	"github.com/oidc-doctor/oidc-doctor/check/entra"
	"github.com/oidc-doctor/oidc-doctor/check/rbac"
	"github.com/oidc-doctor/oidc-doctor/check/settings"
	"github.com/oidc-doctor/oidc-doctor/check/token"
	"github.com/oidc-doctor/oidc-doctor/check/transport"
)

// session is what the run's network steps share.
type session struct {
	tok    *token.Token
	az     settings.Azure
	client *http.Client
	obs    *transport.Observer
	getenv func(string) string
}

// entraInput is the exchange of the run's token for clientID in tenantID.
// started and g are the main exchange's storage prefetch and Graph token
// (nil and the zero value for none).
func (s session) entraInput(clientID, tenantID string, started func(azcore.TokenCredential), g entra.GraphInput) entra.Input {
	return entra.Input{ClientID: clientID, TenantID: tenantID, Cloud: s.az.Cloud,
		Assertion: s.tok.Raw(), Token: explainToken(s.tok), Spacelift: s.tok.Spacelift,
		Client: s.client, Observer: s.obs, Started: started, Graph: g}
}

// rbacInput is the RBAC step's input for the identity cred signed in as,
// on subscriptionID, judging providers with what the configuration says
// of the azurerm block and the stack's environment (azurerm reads
// ARM_RESOURCE_PROVIDER_REGISTRATIONS and the rest for every block).
func (s session) rbacInput(cred azcore.TokenCredential, pr *entra.Principal, subscriptionID string, azurerm rbac.Azurerm) *rbac.Input {
	in := &rbac.Input{Cred: cred, SubscriptionID: subscriptionID,
		TenantID: pr.TenantID, ObjectID: pr.ObjectID, ClientID: pr.AppID,
		RunType: s.tok.Spacelift.RunType, Scope: s.tok.Spacelift.Scope,
		Getenv: s.getenv, Azurerm: azurerm}
	in.ClientOptions.Cloud = s.az.Cloud
	in.ClientOptions.Transport = transport.SDK(s.client)
	in.ClientOptions.Retry = transport.RetryOptions
	return in
}

// onSubscription is a copy of in for another subscription and azurerm
// block, signed in as the same identity.
func onSubscription(in rbac.Input, subscriptionID string, azurerm rbac.Azurerm) *rbac.Input {
	in.SubscriptionID, in.Azurerm = subscriptionID, azurerm
	return &in
}
