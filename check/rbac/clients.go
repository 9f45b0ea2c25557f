package rbac

// This file is the plumbing of the RBAC step (rbac.go): the ARM clients, the
// one call the SDK lacks (effective permissions at subscription scope), and
// the translation of ARM failures into diag.Result fields. Nothing here writes to
// Azure; every request is a GET.

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"path"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/arm"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/cloud"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/runtime"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/to"
	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/authorization/armauthorization/v2"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/resources/armresources"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/resources/armsubscriptions"
	"github.com/oidc-doctor/oidc-doctor/check/diag"
	"github.com/oidc-doctor/oidc-doctor/check/explain"
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
	providers   *armresources.ProvidersClient
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
	if c.providers, err = armresources.NewProvidersClient(in.SubscriptionID, in.Cred, &opts); err != nil {
		return nil, fmt.Errorf("building the providers client: %w", err)
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

// permissionsPage is one page of the permissions API.
type permissionsPage struct {
	Value []struct {
		Actions    []string `json:"actions"`
		NotActions []string `json:"notActions"`
	} `json:"value"`
	NextLink string `json:"nextLink"`
}

// listPermissions returns the caller's effective permissions at subscription
// scope. armauthorization/v2 has PermissionsClient calls only for resource
// groups and resources, so this sends the subscription-scope GET through the
// same ARM pipeline (bearer token, retry, no RP registration).
func (c *armClients) listPermissions(ctx context.Context, subscriptionID string) ([]Permission, error) {
	first := runtime.JoinPaths(c.raw.Endpoint(),
		"/subscriptions/"+url.PathEscape(subscriptionID)+"/providers/Microsoft.Authorization/permissions") +
		"?api-version=2022-04-01"
	pager := runtime.NewPager(runtime.PagingHandler[permissionsPage]{
		More: func(p permissionsPage) bool { return p.NextLink != "" },
		Fetcher: func(ctx context.Context, p *permissionsPage) (permissionsPage, error) {
			next := first
			if p != nil {
				next = p.NextLink
			}
			req, err := runtime.NewRequest(ctx, http.MethodGet, next)
			if err != nil {
				return permissionsPage{}, fmt.Errorf("listing permissions: %w", err)
			}
			req.Raw().Header.Set("Accept", "application/json")
			resp, err := c.raw.Pipeline().Do(req)
			if err != nil {
				return permissionsPage{}, err
			}
			if !runtime.HasStatusCode(resp, http.StatusOK) {
				return permissionsPage{}, runtime.NewResponseError(resp)
			}
			var page permissionsPage
			if err := runtime.UnmarshalAsJSON(resp, &page); err != nil {
				return permissionsPage{}, fmt.Errorf("decoding permissions: %w", err)
			}
			return page, nil
		},
	})
	pages, err := transport.Collect(ctx, pager, "listing permissions", func(p permissionsPage) string { return p.NextLink })
	var perms []Permission
	for _, p := range pages {
		for _, v := range p.Value {
			perms = append(perms, Permission{Actions: v.Actions, NotActions: v.NotActions})
		}
	}
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

// permissionsOutcome is the effective permissions at subscription scope.
type permissionsOutcome struct {
	perms   []Permission
	err     error
	elapsed time.Duration
}

func fetchPermissions(ctx context.Context, c *armClients, subID string) permissionsOutcome {
	start := time.Now()
	perms, err := c.listPermissions(ctx, subID)
	return permissionsOutcome{perms: perms, err: err, elapsed: time.Since(start)}
}

// assignment is one role assignment of the identity, with its role resolved.
type assignment struct {
	Scope, RoleDefinitionID string
	// RoleName is the role's name, or its GUID when the definition could not be read.
	RoleName string
	// Perms are the role's permissions; known reports whether they were read.
	Perms []Permission
	known bool
}

type assignmentsOutcome struct {
	list []assignment
	err  error
	// defErr is the first failure reading a role definition; names then fall back to GUIDs.
	defErr  error
	elapsed time.Duration
}

// fetchAssignments lists the identity's role assignments that apply to the
// subscription (at, above and below it, including through groups), then
// reads each distinct role definition once, concurrently.
func fetchAssignments(ctx context.Context, c *armClients, objectID string) (out assignmentsOutcome) {
	start := time.Now()
	defer func() { out.elapsed = time.Since(start) }()

	// armauthorization v2.2.0 appends $filter to the query WITHOUT encoding
	// it ("$filter="+*Filter). assignedTo('<oid>') has no spaces or other
	// characters that need escaping, so it goes out intact; a filter like
	// "principalId eq '<oid>'" would have to be url.QueryEscape'd first.
	// QueryEscape on the oid keeps a malformed claim from breaking the URL
	// and leaves a GUID unchanged.
	filter := "assignedTo('" + url.QueryEscape(objectID) + "')"
	pager := c.assignments.NewListForSubscriptionPager(&armauthorization.RoleAssignmentsClientListForSubscriptionOptions{Filter: to.Ptr(filter)})
	pages, err := transport.Collect(ctx, pager, "listing role assignments",
		func(p armauthorization.RoleAssignmentsClientListForSubscriptionResponse) string {
			return armVal(p.NextLink)
		})
	if err != nil {
		out.err = err
		return out
	}
	for _, page := range pages {
		for _, ra := range page.Value {
			if ra == nil || ra.Properties == nil {
				continue
			}
			out.list = append(out.list, assignment{Scope: armVal(ra.Properties.Scope), RoleDefinitionID: armVal(ra.Properties.RoleDefinitionID)})
		}
	}
	out.defErr = resolveRoles(ctx, c, out.list)
	return out
}

// resolveRoles fills RoleName and Perms of each assignment, reading every
// distinct role definition once (concurrently). It returns the first error
// reading a definition; those assignments keep the role's GUID as name.
func resolveRoles(ctx context.Context, c *armClients, list []assignment) error {
	type def struct {
		id    string
		name  string
		perms []Permission
		err   error
	}
	var defs []*def
	byKey := map[string]*def{}
	// Key by the role's GUID: the same role comes back as
	// /subscriptions/{s}/providers/.../roleDefinitions/{guid} from a
	// subscription-scope assignment and as /providers/.../{guid} from a
	// management-group one; one GET serves both.
	for _, a := range list {
		k := strings.ToLower(path.Base(a.RoleDefinitionID))
		if a.RoleDefinitionID != "" && byKey[k] == nil {
			d := &def{id: a.RoleDefinitionID}
			byKey[k] = d
			defs = append(defs, d)
		}
	}
	var wg sync.WaitGroup
	for _, d := range defs {
		wg.Go(func() {
			resp, err := c.definitions.GetByID(ctx, d.id, nil)
			if err != nil {
				d.err = err
				return
			}
			d.name = path.Base(d.id)
			if p := resp.Properties; p != nil {
				d.name = diag.FirstNonEmpty(armVal(p.RoleName), d.name)
				for _, perm := range p.Permissions {
					if perm != nil {
						d.perms = append(d.perms, Permission{Actions: armVals(perm.Actions), NotActions: armVals(perm.NotActions)})
					}
				}
			}
		})
	}
	wg.Wait()
	var first error
	for i := range list {
		d := byKey[strings.ToLower(path.Base(list[i].RoleDefinitionID))]
		switch {
		case d == nil:
			list[i].RoleName = "(no role definition id)"
		case d.err != nil:
			list[i].RoleName = "role " + path.Base(d.id)
			if first == nil {
				first = d.err
			}
		default:
			list[i].RoleName, list[i].Perms, list[i].known = d.name, d.perms, true
		}
	}
	return first
}

func armVals(ps []*string) []string {
	out := make([]string, 0, len(ps))
	for _, p := range ps {
		if p != nil {
			out = append(out, *p)
		}
	}
	return out
}

// providerState is one resource provider's registration state.
type providerState struct{ Namespace, State string }

type providersOutcome struct {
	list    []providerState
	err     error
	elapsed time.Duration
}

func fetchProviders(ctx context.Context, c *armClients) providersOutcome {
	start := time.Now()
	out := providersOutcome{}
	pages, err := transport.Collect(ctx, c.providers.NewListPager(nil), "listing resource providers",
		func(p armresources.ProvidersClientListResponse) string { return armVal(p.NextLink) })
	out.err = err
	for _, page := range pages {
		for _, p := range page.Value {
			if p != nil {
				out.list = append(out.list, providerState{armVal(p.Namespace), armVal(p.RegistrationState)})
			}
		}
	}
	out.elapsed = time.Since(start)
	sort.Slice(out.list, func(i, j int) bool { return out.list[i].Namespace < out.list[j].Namespace })
	return out
}
