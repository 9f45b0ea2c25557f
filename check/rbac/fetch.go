package rbac

// Reading ARM: everything the RBAC step knows comes from here, in one round
// on the healthy path. The subscription, the effective permissions, the role
// assignments and the resource providers are asked for together; built-in
// role definitions are embedded, so only custom roles take a second
// request. Only when the subscription-scope permissions do not cover the run
// does the step look further, at the resource groups it can see.

import (
	"context"
	"net/url"
	"path"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/to"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/authorization/armauthorization/v2"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/resources/armresources"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/resources/armsubscriptions"
	"github.com/oidc-doctor/oidc-doctor/check/diag"
	"github.com/oidc-doctor/oidc-doctor/check/roles"
	"github.com/oidc-doctor/oidc-doctor/check/transport"
)

// world is everything the step read, for the judges.
type world struct {
	in    Input
	need  runNeeds
	host  string
	sub   subscriptionOutcome
	perms permissionsOutcome
	ras   assignmentsOutcome
	provs providersOutcome
	// groups is the resource-group look-up; nil when the subscription-scope
	// permissions covered the run and it was not needed.
	groups *groupsOutcome
	cov    coverage
}

// gather reads ARM. The four reads start together. A subscription answer
// that makes the others meaningless (another tenant, no such subscription,
// a rejected token, a fault) cancels them, and their answers are never
// judged: the caller reports them as skipped, so a cancelled call never
// turns into a verdict.
func gather(ctx context.Context, c *armClients, in Input) *world {
	w := &world{in: in, need: needsOf(in.RunType, in.Scope), host: c.host}
	rctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var wg sync.WaitGroup
	wg.Go(func() {
		w.sub = fetchSubscription(rctx, c, in.SubscriptionID)
		if !w.sub.usable() {
			cancel()
		}
	})
	wg.Go(func() { w.perms = fetchPermissions(rctx, c, in.SubscriptionID) })
	wg.Go(func() { w.ras = fetchAssignments(rctx, c, in.ObjectID) })
	wg.Go(func() { w.provs = fetchProviders(rctx, c) })
	wg.Wait()
	if !w.sub.usable() {
		return w
	}
	w.cov = coverageOf(w.ras.list, in.SubscriptionID)
	if w.lacksAtSubscription() {
		g := fetchGroups(ctx, c, w)
		w.groups = &g
	}
	return w
}

// subscriptionOutcome is the subscription GET.
type subscriptionOutcome struct {
	sub     *armsubscriptions.Subscription
	err     error
	elapsed time.Duration
}

// usable reports whether the other reads mean something: the subscription
// was read, or ARM only denied reading it (it exists in the token's tenant).
func (o subscriptionOutcome) usable() bool {
	if o.err == nil {
		return o.sub != nil
	}
	f, ok := asARMFailure(o.err)
	return ok && strings.EqualFold(f.Code, "AuthorizationFailed")
}

func fetchSubscription(ctx context.Context, c *armClients, id string) subscriptionOutcome {
	start := time.Now()
	resp, err := c.subs.Get(ctx, id, nil)
	o := subscriptionOutcome{err: err, elapsed: time.Since(start)}
	if err == nil {
		o.sub = &resp.Subscription
	}
	return o
}

// isDenied reports an ARM AuthorizationFailed answer.
func isDenied(err error) bool {
	f, ok := asARMFailure(err)
	return ok && strings.EqualFold(f.Code, "AuthorizationFailed")
}

// permissionsOutcome is the effective permissions at subscription scope.
type permissionsOutcome struct {
	perms   []roles.Permission
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
	Perms []roles.Permission
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

// resolveRoles fills RoleName and Perms of each assignment. Built-in roles
// come from the embedded definitions (package roles), with no request;
// every other distinct definition is read once, concurrently. It returns
// the first error reading a definition; those assignments keep the role's
// GUID as name.
func resolveRoles(ctx context.Context, c *armClients, list []assignment) error {
	type def struct {
		id    string
		name  string
		perms []roles.Permission
		err   error
	}
	var fetch []*def
	byKey := map[string]*def{}
	// Key by the role's GUID: the same role comes back as
	// /subscriptions/{s}/providers/.../roleDefinitions/{guid} from a
	// subscription-scope assignment and as /providers/.../{guid} from a
	// management-group one; one GET serves both.
	for _, a := range list {
		k := strings.ToLower(path.Base(a.RoleDefinitionID))
		if a.RoleDefinitionID == "" || byKey[k] != nil {
			continue
		}
		d := &def{id: a.RoleDefinitionID}
		byKey[k] = d
		if b, ok := roles.ByID(a.RoleDefinitionID); ok {
			d.name, d.perms = b.Name, b.Permissions
			continue
		}
		fetch = append(fetch, d)
	}
	var wg sync.WaitGroup
	for _, d := range fetch {
		wg.Go(func() { d.name, d.perms, d.err = readDefinition(ctx, c, d.id) })
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

// readDefinition GETs one role definition that is not built in.
func readDefinition(ctx context.Context, c *armClients, id string) (string, []roles.Permission, error) {
	resp, err := c.definitions.GetByID(ctx, id, nil)
	if err != nil {
		return "", nil, err
	}
	name := path.Base(id)
	var perms []roles.Permission
	if p := resp.Properties; p != nil {
		name = diag.FirstNonEmpty(armVal(p.RoleName), name)
		for _, perm := range p.Permissions {
			if perm != nil {
				perms = append(perms, roles.Permission{Actions: armVals(perm.Actions), NotActions: armVals(perm.NotActions),
					DataActions: armVals(perm.DataActions), NotDataActions: armVals(perm.NotDataActions)})
			}
		}
	}
	return name, perms, nil
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
	// Namespaces keep ARM's letter case: azurerm looks its sets up by exact
	// case (microsoft.insights is lower case in both).
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

// groupsOutcome is what the identity may do on the resource groups it can
// see, when the subscription scope does not cover the run.
type groupsOutcome struct {
	// from says how the groups were found.
	from string
	// listErr is the resource-group list's failure, if it was needed and failed.
	listErr error
	groups  []groupAccess
	// more counts groups found but not looked at (over maxGroups).
	more    int
	elapsed time.Duration
}

// How the look-up found its groups.
const (
	fromAssignments = "role assignments"
	fromList        = "resource group list"
)

// groupAccess is the effective permissions on one resource group.
type groupAccess struct {
	name  string
	perms []roles.Permission
	err   error
}

// maxGroups bounds the permission reads of the look-up.
const maxGroups = 10

// fetchGroups finds resource groups and reads the identity's effective
// permissions on each (the documented permissions API at resource-group
// scope). The groups are those its role assignments name; when those could
// not be listed, those the resource-group list shows (UNCONFIRMED: ARM is
// believed to list only the groups the caller may read).
func fetchGroups(ctx context.Context, c *armClients, w *world) groupsOutcome {
	start := time.Now()
	out := groupsOutcome{from: fromAssignments}
	names := partialGroups(w.cov.partial, w.in.SubscriptionID)
	if w.ras.err != nil || len(w.ras.list) == 0 {
		out.from = fromList
		names, out.listErr = listGroups(ctx, c)
	}
	sort.Strings(names)
	if len(names) > maxGroups {
		out.more, names = len(names)-maxGroups, names[:maxGroups]
	}
	out.groups = make([]groupAccess, len(names))
	var wg sync.WaitGroup
	for i, n := range names {
		wg.Go(func() {
			out.groups[i] = groupAccess{name: n}
			pages, err := transport.Collect(ctx, c.permissions.NewListForResourceGroupPager(n, nil), "listing permissions on resource group "+n,
				func(p armauthorization.PermissionsClientListForResourceGroupResponse) string {
					return armVal(p.NextLink)
				})
			out.groups[i].err = err
			for _, p := range pages {
				for _, v := range p.Value {
					if v != nil {
						out.groups[i].perms = append(out.groups[i].perms, roles.Permission{Actions: armVals(v.Actions), NotActions: armVals(v.NotActions)})
					}
				}
			}
		})
	}
	wg.Wait()
	out.elapsed = time.Since(start)
	return out
}

func listGroups(ctx context.Context, c *armClients) ([]string, error) {
	pages, err := transport.Collect(ctx, c.groups.NewListPager(nil), "listing resource groups",
		func(p armresources.ResourceGroupsClientListResponse) string { return armVal(p.NextLink) })
	var names []string
	for _, p := range pages {
		for _, g := range p.Value {
			if g != nil && armVal(g.Name) != "" {
				names = append(names, armVal(g.Name))
			}
		}
	}
	return names, err
}

// withPerms are the groups where the identity holds some permission.
func (g *groupsOutcome) withPerms() []groupAccess {
	if g == nil {
		return nil
	}
	var out []groupAccess
	for _, a := range g.groups {
		if a.err == nil && len(a.perms) > 0 {
			out = append(out, a)
		}
	}
	return out
}

// allowing names the groups whose permissions allow every one of actions.
func (g *groupsOutcome) allowing(actions ...string) []string {
	var names []string
	for _, a := range g.withPerms() {
		ok := true
		for _, act := range actions {
			ok = ok && roles.Allowed(a.perms, act)
		}
		if ok {
			names = append(names, a.name)
		}
	}
	return names
}

// names of the groups with permissions.
func (g *groupsOutcome) names() []string {
	var out []string
	for _, a := range g.withPerms() {
		out = append(out, a.name)
	}
	return out
}
