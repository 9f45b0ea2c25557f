package backend

// Reading the live answers: ARM errors (explain's), requests with no
// answer (transport's), the account's properties and permission lists.

import (
	"context"
	"errors"
	"net"
	"net/url"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/cloud"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/runtime"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/storage/armstorage"

	"github.com/oidc-doctor/oidc-doctor/check/diag"
	"github.com/oidc-doctor/oidc-doctor/check/explain"
	"github.com/oidc-doctor/oidc-doctor/check/fixes"
	"github.com/oidc-doctor/oidc-doctor/check/roles"
	"github.com/oidc-doctor/oidc-doctor/check/transport"
)

// failure is a failing verdict for a request step to host that returned
// err: ARM's answer (explain's), a failed token request (tokenVerdict), or
// a request with no answer (transport's).
func (in Input) failure(step, host string, err error) verdict {
	v := verdict{status: diag.StatusFail}
	var re *azcore.ResponseError
	switch {
	case errors.As(err, &re):
		var body []byte
		h := host
		if re.RawResponse != nil {
			body, _ = runtime.Payload(re.RawResponse)
			if re.RawResponse.Request != nil {
				h = re.RawResponse.Request.URL.Host
			}
		}
		ev := explain.ARM(explain.ParseARM(re.StatusCode, re.ErrorCode, h, body), step, h)
		v.summary, v.hint, v.cause, v.code = ev.Summary, ev.Hint, ev.Cause, ev.ErrorCode
		v.facts = append([]diag.Fact{diag.F("request", step)}, ev.Facts...)
		return v
	case isTokenFailure(err):
		return in.tokenVerdict(step, err)
	}
	v.facts = []diag.Fact{diag.F("request", step), diag.F("error", diag.Truncate(transport.SafeCause(err), 500))}
	summary, hint := transport.Describe(host, err)
	v.summary, v.hint, v.cause = step+" did not finish: "+summary, hint, transport.Cause(err)
	if errors.Is(err, context.DeadlineExceeded) {
		v.summary, v.cause = step+" did not finish: no answer from "+host+" before the deadline", diag.CauseTimeout
	}
	return v
}

func isNotFound(err error) bool {
	var de *net.DNSError
	return errors.As(err, &de) && de.IsNotFound
}

// private reports whether every address is private (RFC 1918, RFC 4193).
func private(addrs []string) bool {
	if len(addrs) == 0 {
		return false
	}
	for _, a := range addrs {
		ip := net.ParseIP(a)
		if ip == nil || !ip.IsPrivate() {
			return false
		}
	}
	return true
}

// armHost is the ARM host of the configured cloud, for messages.
func armHost(in Input) string {
	ep := cloud.AzurePublic.Services[cloud.ResourceManager].Endpoint
	if s, ok := in.ClientOptions.Cloud.Services[cloud.ResourceManager]; ok && s.Endpoint != "" {
		ep = s.Endpoint
	}
	if u, err := url.Parse(ep); err == nil && u.Host != "" {
		return u.Host
	}
	return ep
}

func sharedKeyDisabled(a armstorage.Account) bool {
	return a.Properties != nil && a.Properties.AllowSharedKeyAccess != nil && !*a.Properties.AllowSharedKeyAccess
}

func sharedKeyPhrase(a armstorage.Account) string {
	if sharedKeyDisabled(a) {
		return "shared-key access is disabled (allowSharedKeyAccess: false)"
	}
	return "shared-key access is allowed"
}

// restricted reports network rules that refuse the internet by default.
func restricted(a armstorage.Account) bool {
	p := a.Properties
	if p == nil {
		return false
	}
	if p.PublicNetworkAccess != nil && *p.PublicNetworkAccess == armstorage.PublicNetworkAccessDisabled {
		return true
	}
	return p.NetworkRuleSet != nil && p.NetworkRuleSet.DefaultAction != nil && *p.NetworkRuleSet.DefaultAction == armstorage.DefaultActionDeny
}

// storageNetwork is the account's network access for the fixes.
func storageNetwork(a armstorage.Account) fixes.StorageNetwork {
	var n fixes.StorageNetwork
	if p := a.Properties; p != nil {
		if p.PublicNetworkAccess != nil {
			n.PublicAccess = string(*p.PublicNetworkAccess)
		}
		if p.NetworkRuleSet != nil && p.NetworkRuleSet.DefaultAction != nil {
			n.DefaultAction = string(*p.NetworkRuleSet.DefaultAction)
		}
	}
	return n
}

func networkPhrase(a armstorage.Account) string {
	p := a.Properties
	if p == nil {
		return "network rules unknown"
	}
	pub, def := "Enabled", "Allow"
	if p.PublicNetworkAccess != nil {
		pub = string(*p.PublicNetworkAccess)
	}
	if p.NetworkRuleSet != nil && p.NetworkRuleSet.DefaultAction != nil {
		def = string(*p.NetworkRuleSet.DefaultAction)
	}
	return "public network access " + pub + ", default network action " + def
}

func accountFacts(a armstorage.Account) []diag.Fact {
	fs := []diag.Fact{diag.F("account", deref(a.ID)), diag.F("shared-key access", sharedKeyPhrase(a)), diag.F("network", networkPhrase(a))}
	if a.Properties != nil && a.Properties.PrimaryEndpoints != nil {
		fs = append(fs, diag.F("blob endpoint", deref(a.Properties.PrimaryEndpoints.Blob)))
	}
	return fs
}

func deref(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

// allowed reports whether any permission grants action (a data action when
// data is set) without its own not-list taking it away: ARM's rule, applied
// per permission (https://learn.microsoft.com/azure/role-based-access-control/role-definitions#dataactions).
func allowed(perms []roles.Permission, action string, data bool) bool {
	if data {
		return roles.DataAllowed(perms, action)
	}
	return roles.Allowed(perms, action)
}
