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
	"github.com/oidc-doctor/oidc-doctor/check/fixes"
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

// signIn is who an exchange signs in as, and where the configuration
// sets it (the zero Settings are ARM_CLIENT_ID and ARM_TENANT_ID).
type signIn struct {
	clientID, tenantID     string
	clientFrom, tenantFrom fixes.Setting
}

// entraInput is the exchange of the run's token as who. started and g are
// the main exchange's storage prefetch and Graph token (nil and the zero
// value for none).
func (s session) entraInput(who signIn, started func(azcore.TokenCredential), g entra.GraphInput) entra.Input {
	return entra.Input{ClientID: who.clientID, TenantID: who.tenantID, ClientFrom: who.clientFrom, TenantFrom: who.tenantFrom,
		Cloud: s.az.Cloud, Assertion: s.tok.Raw(), Token: explainToken(s.tok), Spacelift: s.tok.Spacelift,
		Client: s.client, Observer: s.obs, Started: started, Graph: g}
}

// workOn is the subscription an RBAC step reads, what the configuration
// says of its azurerm block, and where it sets the subscription and the
// tenant (the zero Settings are ARM_SUBSCRIPTION_ID and ARM_TENANT_ID).
type workOn struct {
	subscriptionID               string
	azurerm                      rbac.Azurerm
	subscriptionFrom, tenantFrom fixes.Setting
}

// rbacInput is the RBAC step's input for the identity cred signed in as,
// on w, judging providers with the stack's environment too (azurerm reads
// ARM_RESOURCE_PROVIDER_REGISTRATIONS and the rest for every block).
func (s session) rbacInput(cred azcore.TokenCredential, pr *entra.Principal, w workOn) *rbac.Input {
	in := &rbac.Input{Cred: cred, TenantID: pr.TenantID, ObjectID: pr.ObjectID, ClientID: pr.AppID,
		RunType: s.tok.Spacelift.RunType, Scope: s.tok.Spacelift.Scope, Getenv: s.getenv}
	in.ClientOptions.Cloud = s.az.Cloud
	in.ClientOptions.Transport = transport.SDK(s.client)
	in.ClientOptions.Retry = transport.RetryOptions
	return onSubscription(*in, w)
}

// onSubscription is a copy of in, signed in as the same identity, that
// works on w.
func onSubscription(in rbac.Input, w workOn) *rbac.Input {
	in.SubscriptionID, in.Azurerm = w.subscriptionID, w.azurerm
	in.SubscriptionFrom, in.TenantFrom = w.subscriptionFrom, w.tenantFrom
	return &in
}
