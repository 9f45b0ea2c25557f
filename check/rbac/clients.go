package rbac

// This file is the plumbing of the RBAC step (rbac.go): the ARM clients, the
// one call the SDK lacks (effective permissions at subscription scope), and
// the translation of ARM failures into diag.Result fields. Nothing here writes to
// Azure; every request is a GET.

import (
	"context"
	"errors"
	"fmt"
	"net/url"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/arm"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/cloud"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/runtime"
	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/authorization/armauthorization/v2"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/resources/armresources"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/resources/armsubscriptions"
	"github.com/oidc-doctor/oidc-doctor/check/diag"
	"github.com/oidc-doctor/oidc-doctor/check/explain"
	"github.com/oidc-doctor/oidc-doctor/check/roles"
	"github.com/oidc-doctor/oidc-doctor/check/transport"
)

// armClients are the ARM clients of one RBAC step. They share one pipeline
// configuration and so one credential, whose cached token serves every call.
type armClients struct {
	host        string // the ARM host, for messages
	raw         *arm.Client
	subs        *armsubscriptions.Client
	assignments *armauthorization.RoleAssignmentsClient
	definitions *armauthorization.RoleDefinitionsClient
	permissions *armauthorization.PermissionsClient
	providers   *armresources.ProvidersClient
	groups      *armresources.ResourceGroupsClient
}

// Module name and version for the raw client's telemetry policy.
const (
	armModule  = "github.com/oidc-doctor/oidc-doctor/check"
	armVersion = "v0.1.0"
)

func newARMClients(in Input) (*armClients, error) {
	opts := in.ClientOptions
	// The SDK registers resource providers on its own when a call answers
	// 409 MissingSubscriptionRegistration. A diagnosis must never write.
	opts.DisableRPRegistration = true

	c := &armClients{host: armHost(opts.Cloud)}
	var err error
	if c.raw, err = arm.NewClient(armModule, armVersion, in.Cred, &opts); err != nil {
		return nil, fmt.Errorf("building the ARM client: %w", err)
	}
	if c.subs, err = armsubscriptions.NewClient(in.Cred, &opts); err != nil {
		return nil, fmt.Errorf("building the subscriptions client: %w", err)
	}
	if c.assignments, err = armauthorization.NewRoleAssignmentsClient(in.SubscriptionID, in.Cred, &opts); err != nil {
		return nil, fmt.Errorf("building the role assignments client: %w", err)
	}
	if c.definitions, err = armauthorization.NewRoleDefinitionsClient(in.Cred, &opts); err != nil {
		return nil, fmt.Errorf("building the role definitions client: %w", err)
	}
	if c.permissions, err = armauthorization.NewPermissionsClient(in.SubscriptionID, in.Cred, &opts); err != nil {
		return nil, fmt.Errorf("building the permissions client: %w", err)
	}
	if c.providers, err = armresources.NewProvidersClient(in.SubscriptionID, in.Cred, &opts); err != nil {
		return nil, fmt.Errorf("building the providers client: %w", err)
	}
	if c.groups, err = armresources.NewResourceGroupsClient(in.SubscriptionID, in.Cred, &opts); err != nil {
		return nil, fmt.Errorf("building the resource groups client: %w", err)
	}
	return c, nil
}

// armHost is the ARM host name of the configured cloud.
func armHost(cfg cloud.Configuration) string {
	ep := cloud.AzurePublic.Services[cloud.ResourceManager].Endpoint
	if s, ok := cfg.Services[cloud.ResourceManager]; ok && s.Endpoint != "" {
		ep = s.Endpoint
	}
	if u, err := url.Parse(ep); err == nil && u.Host != "" {
		return u.Host
	}
	return ep
}

// listPermissions returns the caller's effective permissions at
// subscription scope.
func (c *armClients) listPermissions(ctx context.Context, subscriptionID string) ([]roles.Permission, error) {
	perms, err := transport.Permissions(ctx, c.raw, "/subscriptions/"+url.PathEscape(subscriptionID))
	if err != nil {
		return nil, err
	}
	return perms, nil
}

// asARMFailure reports whether err is an ARM error answer, and decodes it.
func asARMFailure(err error) (explain.ARMFailure, bool) {
	var re *azcore.ResponseError
	if !errors.As(err, &re) {
		return explain.ARMFailure{}, false
	}
	host := ""
	var body []byte
	if re.RawResponse != nil {
		if re.RawResponse.Request != nil {
			host = re.RawResponse.Request.URL.Host
		}
		body, _ = runtime.Payload(re.RawResponse)
	}
	f := explain.ParseARM(re.StatusCode, re.ErrorCode, host, body)
	if re.RawResponse != nil {
		// Kept as facts on every ARM failure, for Microsoft support.
		f.CorrelationID, f.RequestID = explain.ARMRequestIDs(re.RawResponse.Header)
	}
	return f, true
}

// failedCall turns an error from one ARM call into a failing diag.Result. step
// names the call ("GET /subscriptions/{id}") so a reader knows what did not
// finish. Known ARM codes get explain.LookupARM's explanation and fix; a transport
// error or an expired deadline says which host and step did not finish.
func failedCall(id, title, step, host string, err error) diag.Result {
	r := diag.Result{ID: id, Title: title, Status: diag.StatusFail}
	if f, ok := asARMFailure(err); ok {
		v := explain.ARM(f, step, host)
		r.ErrorCode, r.Summary, r.Hint, r.Cause = v.ErrorCode, v.Summary, v.Hint, v.Cause
		r.Facts = append([]diag.Fact{diag.F("request", step)}, v.Facts...)
		return r
	}
	var afe *azidentity.AuthenticationFailedError
	if errors.As(err, &afe) {
		r.Summary = "getting an access token for " + host + " failed during " + step
		r.Cause = diag.CauseServiceFault
		r.Hint = "The token exchange worked earlier in the run, so a refresh failed; see entra-exchange and rerun."
		r.Facts = []diag.Fact{diag.F("request", step), diag.F("host", host), diag.F("error", diag.Truncate(transport.SafeCause(err), 500))}
		return r
	}
	// A network failure or an expired deadline: the step started and did
	// not finish, which is a fail (never a skip).
	summary, hint := transport.Describe(host, err)
	r.Summary = step + " did not finish: " + summary
	if errors.Is(err, context.DeadlineExceeded) {
		r.Summary = step + " did not finish: no answer from " + host + " before the deadline"
	}
	r.Hint, r.Cause = hint, transport.Cause(err)
	r.Facts = []diag.Fact{diag.F("request", step), diag.F("host", host), diag.F("error", diag.Truncate(transport.SafeCause(err), 500))}
	return r
}
