package check

// The RBAC step: after a successful Entra exchange, ask Azure Resource
// Manager whether the identity can do what this Terraform run needs. It reads
// only (every call is a GET) and calls each URL once: the subscription first,
// then permissions, role assignments (with their role definitions) and
// resource providers concurrently, then judges the four results together.

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/arm"
)

// Result ids of the RBAC step. They are API: never change them.
const (
	idARMSubscription     = "arm-subscription"
	idRBACPermissions     = "rbac-permissions"
	idRBACRoleAssignments = "rbac-role-assignments"
	idRBACProviders       = "rbac-providers"
)

const (
	titleARMSubscription     = "Azure subscription"
	titleRBACPermissions     = "Permissions for this run"
	titleRBACRoleAssignments = "Role assignments"
	titleRBACProviders       = "Resource provider registration"
)

// RBACInput is what the RBAC step needs. The caller fills it after a
// successful Entra exchange.
type RBACInput struct {
	// Cred already holds the ARM token: one exchange serves the whole run.
	Cred azcore.TokenCredential
	// ClientOptions carries the shared transport, the cloud and a bounded
	// retry policy. checkRBAC sets DisableRPRegistration itself.
	ClientOptions arm.ClientOptions
	// SubscriptionID is ARM_SUBSCRIPTION_ID.
	SubscriptionID string
	// TenantID, ObjectID and ClientID are the tid, oid and appid claims of
	// the ARM access token.
	TenantID, ObjectID, ClientID string
	// RunType and Scope are the Spacelift token's runType and scope claims.
	RunType, Scope string
	// Getenv reads ARM_RESOURCE_PROVIDER_REGISTRATIONS and
	// ARM_SKIP_PROVIDER_REGISTRATION.
	Getenv func(string) string
}

func (in RBACInput) getenv(k string) string {
	if in.Getenv == nil {
		return ""
	}
	return in.Getenv(k)
}

func (in RBACInput) subscriptionScope() string { return "/subscriptions/" + in.SubscriptionID }

// checkRBAC runs the RBAC step and returns, in order, arm-subscription,
// rbac-permissions, rbac-role-assignments and rbac-providers.
func checkRBAC(ctx context.Context, in RBACInput) []Result {
	c, err := newARMClients(in)
	if err != nil {
		r := Result{ID: idARMSubscription, Title: titleARMSubscription, Status: StatusFail,
			Summary: "could not set up the Azure Resource Manager clients", Facts: []Fact{fact("error", err.Error())},
			Hint: "This is a bug in oidc-doctor or its settings; report it with this output."}
		return append([]Result{r}, skipRest("needs "+idARMSubscription)...)
	}
	need := needsOf(in.RunType, in.Scope)

	sub, subRes := checkSubscription(ctx, c, in, need)
	if !sub.usable {
		return append([]Result{subRes}, skipRest("needs "+idARMSubscription)...)
	}

	var (
		perms permissionsOutcome
		ras   assignmentsOutcome
		provs providersOutcome
		wg    sync.WaitGroup
	)
	wg.Go(func() { perms = fetchPermissions(ctx, c, in.SubscriptionID) })
	wg.Go(func() { ras = fetchAssignments(ctx, c, in.ObjectID) })
	wg.Go(func() { provs = fetchProviders(ctx, c) })
	wg.Wait()

	cov := coverageOf(ras.list, in.SubscriptionID)
	out := []Result{
		subRes,
		judgePermissions(in, need, perms, ras, cov, c.host),
		judgeAssignments(in, need, ras, perms, cov, c.host),
		judgeProviders(in, perms, provs, c.host),
	}
	for i := range out {
		fillPlaceholders(&out[i], in, need)
	}
	return out
}

// fillPlaceholders puts what the step knows into the generic fix text of
// the error-code table: "--assignee-object-id <object-id>" becomes a
// command to paste.
func fillPlaceholders(r *Result, in RBACInput, need runNeeds) {
	if r.Hint == "" || !strings.Contains(r.Hint, "<") {
		return
	}
	scope := in.subscriptionScope()
	for _, f := range r.Facts {
		if f.Key == "denied scope" {
			scope = f.Value
		}
	}
	r.Hint = strings.NewReplacer(
		"<object-id>", armOr(in.ObjectID, "<object-id>"),
		"<client-id>", armOr(in.ClientID, "<client-id>"),
		"<subscription-id>", armOr(in.SubscriptionID, "<subscription-id>"),
		"<scope>", scope,
		"<role>", need.role(),
	).Replace(r.Hint)
}

func skipRest(why string) []Result {
	return []Result{
		skipped(idRBACPermissions, titleRBACPermissions, why),
		skipped(idRBACRoleAssignments, titleRBACRoleAssignments, why),
		skipped(idRBACProviders, titleRBACProviders, why),
	}
}

// runNeeds is what a Spacelift run needs from Azure RBAC.
type runNeeds struct {
	// write: the run applies changes now.
	write bool
	// applyLater: the planning phase of a tracked run on a stack without
	// autodeploy (read token now); its apply phase will need write.
	applyLater bool
	// why is a phrase for facts and summaries.
	why string
}

// needsOf reads the Spacelift runType and scope claims. PROPOSED runs plan
// only; TRACKED, TASK, DESTROY and TESTING runs change infrastructure. A
// TRACKED run with a read token is the planning phase of a stack without
// autodeploy. An unknown run type is judged as a write run, the safe side.
func needsOf(runType, scope string) runNeeds {
	rt, sc := strings.ToUpper(strings.TrimSpace(runType)), strings.ToLower(strings.TrimSpace(scope))
	switch {
	case rt == "PROPOSED":
		return runNeeds{why: "a PROPOSED run plans only, so it needs read"}
	case rt == "TRACKED" && sc == "read":
		return runNeeds{applyLater: true, why: "a TRACKED run with a read token is planning (no autodeploy); planning needs read, the apply phase needs write"}
	case rt == "TRACKED", rt == "TASK", rt == "DESTROY", rt == "TESTING":
		return runNeeds{write: true, why: "a " + rt + " run changes infrastructure, so it needs write"}
	case rt == "":
		return runNeeds{write: true, why: "the run type is unknown, so write is assumed"}
	default:
		return runNeeds{write: true, why: "run type " + rt + " is not one oidc-doctor knows, so write is assumed"}
	}
}

// role is the built-in role this run needs at subscription scope.
func (n runNeeds) role() string {
	if n.write || n.applyLater {
		return "Contributor"
	}
	return "Reader"
}

// subscriptionOutcome says whether the later steps can use the subscription.
type subscriptionOutcome struct{ usable bool }

// readOnlyStates are subscription states in which ARM refuses writes.
var readOnlyStates = map[string]bool{"warned": true, "pastdue": true, "disabled": true}

func checkSubscription(ctx context.Context, c *armClients, in RBACInput, need runNeeds) (subscriptionOutcome, Result) {
	start := time.Now()
	step := "GET /subscriptions/" + in.SubscriptionID
	resp, err := c.subs.Get(ctx, in.SubscriptionID, nil)
	elapsed := time.Since(start)
	if err != nil {
		r, usable := subscriptionFailure(ctx, c, in, need, step, err)
		r.Elapsed = time.Since(start)
		fillPlaceholders(&r, in, need)
		return subscriptionOutcome{usable: usable}, r
	}
	r := Result{ID: idARMSubscription, Title: titleARMSubscription, Elapsed: elapsed}
	s := resp.Subscription
	name, tenant, state := armVal(s.DisplayName), armVal(s.TenantID), ""
	if s.State != nil {
		state = string(*s.State)
	}
	r.Facts = []Fact{
		fact("subscription", in.SubscriptionID),
		fact("display name", name),
		fact("state", state),
		fact("subscription tenant", tenant),
		fact("token tenant (tid)", in.TenantID),
	}
	switch {
	case tenant != "" && in.TenantID != "" && !strings.EqualFold(tenant, in.TenantID):
		r.Status = StatusFail
		r.Summary = fmt.Sprintf("subscription %q lives in tenant %s, not in the token's tenant %s", name, tenant, in.TenantID)
		r.Hint = "Set ARM_TENANT_ID to " + tenant + " (the subscription's tenant), and make sure the app and its federated credentials live there."
	case strings.EqualFold(state, "deleted"):
		r.Status = StatusFail
		r.Summary = fmt.Sprintf("subscription %q is deleted", name)
		r.Hint = "Point ARM_SUBSCRIPTION_ID at a live subscription."
	case readOnlyStates[strings.ToLower(state)]:
		r.Status = StatusWarn
		r.Summary = fmt.Sprintf("subscription %q is %s: Azure treats it as read-only", name, state)
		if need.write {
			r.Status = StatusFail
			r.Summary += ", and this run needs to write"
		}
		r.Hint = "Ask the subscription's billing owner to re-enable it in the Azure portal (Subscriptions > " + name + "); until then plans work and applies fail."
	default:
		r.Status = StatusPass
		r.Summary = fmt.Sprintf("subscription %q is %s and lives in the token's tenant", name, state)
	}
	return subscriptionOutcome{usable: true}, r
}

// subscriptionFailure explains a failed subscription GET, and says whether
// the later steps can still run. They can after AuthorizationFailed: the
// subscription exists in the token's tenant, only reading it is denied.
func subscriptionFailure(ctx context.Context, c *armClients, in RBACInput, need runNeeds, step string, err error) (Result, bool) {
	r := failedCall(idARMSubscription, titleARMSubscription, step, c.host, err)
	f, ok := asARMFailure(err)
	if !ok {
		return r, false
	}
	switch strings.ToLower(f.Code) {
	case "invalidauthenticationtokentenant":
		if f.SubscriptionTenant != "" {
			r.Summary = fmt.Sprintf("subscription %s lives in tenant %s, but the token is from tenant %s", in.SubscriptionID, f.SubscriptionTenant, in.TenantID)
			r.Hint = "Set ARM_TENANT_ID to " + f.SubscriptionTenant + ", the tenant the subscription lives in, and create the app and its federated credential there (or use a subscription of tenant " + in.TenantID + ")."
		}
	case "subscriptionnotfound":
		r.Summary, r.Hint, r.Fixes = notFoundVerdict(ctx, c, in, need, &r)
	case "authorizationfailed":
		r.Summary = fmt.Sprintf("the identity may not read subscription %s: it has no role that allows %s there", in.SubscriptionID, armOr(f.Action, "Microsoft.Resources/subscriptions/read"))
		r.Hint += " See rbac-role-assignments for the roles it does have."
		r.Fixes = RoleAssignmentFixes(in.ObjectID, need.role(), in.subscriptionScope())
		return r, true
	case "expiredauthenticationtoken", "invalidauthenticationtoken":
		// The token is the input of every later call; they would fail alike.
	}
	return r, false
}

// notFoundVerdict tells a mistyped subscription id from an identity that has
// no role at all: ARM answers SubscriptionNotFound for both. The list of
// subscriptions the identity can see decides: other subscriptions mean the id
// is wrong; none means the identity has no role anywhere in the tenant.
func notFoundVerdict(ctx context.Context, c *armClients, in RBACInput, need runNeeds, r *Result) (summary, hint string, fixes []Fix) {
	if !armIsGUID(in.SubscriptionID) {
		return fmt.Sprintf("subscription %q is not a GUID: ARM_SUBSCRIPTION_ID has a typo", in.SubscriptionID),
			"Set ARM_SUBSCRIPTION_ID to the subscription's id (az account list --query '[].{name:name,id:id}').", nil
	}
	var visible []string
	pager := c.subs.NewListPager(nil)
	for pages := 0; pager.More() && pages < maxPages; pages++ {
		page, err := pager.NextPage(ctx)
		if err != nil {
			r.Facts = append(r.Facts, fact("visible subscriptions", "unknown: listing them failed too"))
			return fmt.Sprintf("subscription %s was not found in tenant %s: a typo, or the identity has no role on it", in.SubscriptionID, in.TenantID),
				"Check ARM_SUBSCRIPTION_ID, then give the identity a role on the subscription. " + rbacDelayNote,
				RoleAssignmentFixes(in.ObjectID, need.role(), in.subscriptionScope())
		}
		for _, s := range page.Value {
			if s != nil {
				visible = append(visible, fmt.Sprintf("%s (%s)", armVal(s.SubscriptionID), armVal(s.DisplayName)))
			}
		}
	}
	if len(visible) == 0 {
		r.Facts = append(r.Facts, fact("visible subscriptions", "none"))
		return fmt.Sprintf("subscription %s was not found, and the identity can see no subscription at all: it has no role in tenant %s", in.SubscriptionID, in.TenantID),
			"A subscription the identity has no role on looks the same as one that does not exist. If the id is right, assign the role (the subscription's owner runs the command below). " + rbacDelayNote,
			RoleAssignmentFixes(in.ObjectID, need.role(), in.subscriptionScope())
	}
	r.Facts = append(r.Facts, fact("visible subscriptions", strings.Join(armCap(visible, 10), ", ")))
	return fmt.Sprintf("subscription %s was not found, but the identity can see %d other subscription(s): ARM_SUBSCRIPTION_ID is probably wrong", in.SubscriptionID, len(visible)),
		"Set ARM_SUBSCRIPTION_ID to one of the visible subscriptions, or give the identity a role on this one if the id is right.", nil
}

// rbacDelayNote is said whenever a role exists but access still fails.
const rbacDelayNote = "RBAC changes can take minutes to apply (up to about 10): if the role was granted just now, wait and rerun."

func armVal[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}

func armOr(s, d string) string {
	if s == "" {
		return d
	}
	return s
}

func armCap(xs []string, n int) []string {
	if len(xs) <= n {
		return xs
	}
	return append(xs[:n:n], fmt.Sprintf("and %d more", len(xs)-n))
}

func armIsGUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case i == 8 || i == 13 || i == 18 || i == 23:
			if c != '-' {
				return false
			}
		case '0' <= c && c <= '9', 'a' <= c && c <= 'f', 'A' <= c && c <= 'F':
		default:
			return false
		}
	}
	return true
}

// Scope kinds of a role assignment, relative to the run's subscription.
type scopeKind int

const (
	scopeRoot scopeKind = iota
	scopeManagementGroup
	scopeSubscription
	scopeResourceGroup
	scopeResource
	scopeElsewhere
)

// classifyScope says where an assignment's scope sits relative to the
// subscription, with the label used in facts and, for resource groups and
// resources, the resource group's name.
func classifyScope(scope, subID string) (kind scopeKind, label, rg string) {
	s := strings.TrimRight(scope, "/")
	lower := strings.ToLower(s)
	const mgPrefix = "/providers/microsoft.management/managementgroups/"
	subPrefix := "/subscriptions/" + strings.ToLower(subID)
	switch {
	case s == "":
		return scopeRoot, "inherited from the tenant root", ""
	case strings.HasPrefix(lower, mgPrefix):
		mg := s[len(mgPrefix):]
		return scopeManagementGroup, "inherited from management group " + mg, ""
	case lower == subPrefix:
		return scopeSubscription, "this subscription", ""
	case strings.HasPrefix(lower, subPrefix+"/resourcegroups/"):
		rest := s[len(subPrefix+"/resourcegroups/"):]
		name, below, _ := strings.Cut(rest, "/")
		if below == "" {
			return scopeResourceGroup, "resource group only", name
		}
		return scopeResource, "one resource in resource group " + name + " only", name
	default:
		return scopeElsewhere, "outside this subscription", ""
	}
}

// coverage sorts the identity's assignments by where they apply.
type coverage struct {
	// above are assignments at the subscription or above it (root,
	// management group), which apply to the whole subscription.
	above []assignment
	// abovePerms are the permissions of the above roles that could be read.
	abovePerms []Permission
	// partial are assignments on a resource group or a resource.
	partial []assignment
}

func coverageOf(list []assignment, subID string) coverage {
	var cv coverage
	for _, a := range list {
		switch k, _, _ := classifyScope(a.Scope, subID); k {
		case scopeRoot, scopeManagementGroup, scopeSubscription:
			cv.above = append(cv.above, a)
			cv.abovePerms = append(cv.abovePerms, a.Perms...)
		case scopeResourceGroup, scopeResource:
			cv.partial = append(cv.partial, a)
		}
	}
	return cv
}

// groupsAllowing names the resource groups where an assigned role allows
// every one of actions, in order and without repeats.
func (cv coverage) groupsAllowing(subID string, actions ...string) []string {
	var names []string
	seen := map[string]bool{}
	for _, a := range cv.partial {
		k, _, rg := classifyScope(a.Scope, subID)
		if k != scopeResourceGroup || seen[strings.ToLower(rg)] {
			continue
		}
		ok := a.known
		for _, act := range actions {
			ok = ok && actionAllowed(a.Perms, act)
		}
		if ok {
			seen[strings.ToLower(rg)] = true
			names = append(names, rg)
		}
	}
	return names
}

// aboveRoleAllows reports a role assigned at or above the subscription whose
// definition allows action: if ARM still denies it, the assignment has not
// taken effect yet.
func (cv coverage) aboveRoleAllows(action string) (string, bool) {
	for _, a := range cv.above {
		if a.known && actionAllowed(a.Perms, action) {
			return a.RoleName, true
		}
	}
	return "", false
}

// Actions the run needs, checked against the effective permissions at
// subscription scope.
const (
	actRGRead          = "Microsoft.Resources/subscriptions/resourceGroups/read"
	actAnyRead         = "*/read" // literal: allowed only by patterns that cover every read
	actDeploymentWrite = "Microsoft.Resources/deployments/write"
	actRGWrite         = "Microsoft.Resources/subscriptions/resourceGroups/write"
	actRoleAssignWrite = "Microsoft.Authorization/roleAssignments/write"
	actAnyRegister     = "*/register/action"
)

func judgePermissions(in RBACInput, need runNeeds, po permissionsOutcome, ras assignmentsOutcome, cv coverage, host string) Result {
	step := "GET " + in.subscriptionScope() + "/providers/Microsoft.Authorization/permissions"
	if po.err != nil {
		r := failedCall(idRBACPermissions, titleRBACPermissions, step, host, po.err)
		if len(cv.above) > 0 && strings.EqualFold(r.ErrorCode, "AuthorizationFailed") {
			r.Hint += " The identity has role assignments on this subscription; " + rbacDelayNote
		}
		r.Elapsed = po.elapsed
		return r
	}
	r := Result{ID: idRBACPermissions, Title: titleRBACPermissions, Elapsed: po.elapsed,
		Facts: []Fact{fact("run", strings.TrimSpace(in.RunType+" "+in.Scope)), fact("needs", need.why)}}
	allowed := func(a string) bool { return actionAllowed(po.perms, a) }
	yesNo := func(a, note string) {
		v := "no"
		if allowed(a) {
			v = "yes"
		}
		if note != "" {
			v += " (" + note + ")"
		}
		r.Facts = append(r.Facts, fact(a, v))
	}
	yesNo(actRGRead, "")
	yesNo(actAnyRead, "reads of every resource type")
	writeNote := ""
	if need.applyLater {
		writeNote = "apply phase"
	} else if !need.write {
		writeNote = "not needed by this run"
	}
	yesNo(actDeploymentWrite, writeNote)
	yesNo(actRGWrite, writeNote)
	if need.write || need.applyLater {
		yesNo(actRoleAssignWrite, "only if the stack manages role assignments")
	}
	yesNo(actAnyRegister, "registering resource providers")

	var missing []string
	if !allowed(actRGRead) {
		missing = append(missing, actRGRead)
	}
	if need.write {
		for _, a := range []string{actDeploymentWrite, actRGWrite} {
			if !allowed(a) {
				missing = append(missing, a)
			}
		}
	}
	if len(missing) > 0 {
		return missingPermissions(in, need, r, missing, allowed(actRGRead), cv)
	}

	var warns, hints []string
	writeOK := allowed(actDeploymentWrite) && allowed(actRGWrite)
	if need.applyLater && !writeOK {
		warns = append(warns, "planning can read, but the apply phase needs write, which this identity lacks")
		hints = append(hints, "The apply phase gets a write-scoped token: the identity its federated credential maps to needs Contributor on "+in.subscriptionScope()+".")
	}
	if !allowed(actAnyRead) {
		warns = append(warns, "some resource types may not be readable")
		hints = append(hints, "The roles do not grant */read, so refreshing resources of some types can fail with AuthorizationFailed; Reader grants every read.")
	}
	// Missing roleAssignments/write is said, never warned about: Contributor,
	// the usual role for a stack, lacks it by design, and only stacks that
	// manage azurerm_role_assignment resources need it. A warning on every
	// healthy set-up would teach users to ignore warnings.
	noRA := ""
	if (need.write || need.applyLater) && !allowed(actRoleAssignWrite) {
		noRA = "; it may not create role assignments, which only stacks managing azurerm_role_assignment need (Owner, User Access Administrator or Role Based Access Control Administrator)"
	}
	if len(warns) == 0 {
		r.Status = StatusPass
		r.Summary = "the identity has every permission this run needs at subscription scope" + noRA
		if need.applyLater {
			r.Summary = "planning can read, and the apply phase can write as long as its write-scoped credential maps to this same app" + noRA
		}
		return r
	}
	warns[len(warns)-1] += noRA
	r.Status = StatusWarn
	r.Summary = strings.Join(warns, "; ")
	r.Hint = strings.Join(hints, " ")
	if need.applyLater && !writeOK {
		r.Fixes = RoleAssignmentFixes(in.ObjectID, "Contributor", in.subscriptionScope())
	}
	return r
}

// missingPermissions is the verdict when the run lacks an action it needs.
func missingPermissions(in RBACInput, need runNeeds, r Result, missing []string, canRead bool, cv coverage) Result {
	role := need.role()
	r.Status = StatusFail
	switch {
	case canRead:
		r.Summary = fmt.Sprintf("the identity can read but not write at subscription scope, and %s", need.why)
	default:
		r.Summary = "the identity may not even read resource groups at subscription scope; denied: " + strings.Join(missing, ", ")
	}
	if held := roleNames(cv.above); held != "" {
		r.Facts = append(r.Facts, fact("roles on the subscription", held))
	}
	r.Hint = fmt.Sprintf("Grant %s on %s to the service principal (object id %s).", role, in.subscriptionScope(), in.ObjectID)
	r.Fixes = RoleAssignmentFixes(in.ObjectID, role, in.subscriptionScope())

	if rgs := cv.groupsAllowing(in.SubscriptionID, missing...); len(rgs) > 0 {
		r.Status = StatusWarn
		r.Summary += "; it has them on resource group(s) " + strings.Join(rgs, ", ") + " only"
		r.Hint = "Runs that stay inside " + strings.Join(rgs, ", ") + " can work; creating resource groups or touching anything else fails. " + r.Hint
	}
	for _, a := range missing {
		if name, ok := cv.aboveRoleAllows(a); ok {
			r.Hint += " " + name + " is assigned and allows " + a + ", but ARM does not apply it yet: " + rbacDelayNote
			break
		}
	}
	return r
}

func roleNames(list []assignment) string {
	var names []string
	seen := map[string]bool{}
	for _, a := range list {
		if !seen[a.RoleName] {
			seen[a.RoleName] = true
			names = append(names, a.RoleName)
		}
	}
	return strings.Join(names, ", ")
}

func judgeAssignments(in RBACInput, need runNeeds, ras assignmentsOutcome, po permissionsOutcome, cv coverage, host string) Result {
	role, scope := need.role(), in.subscriptionScope()
	if ras.err != nil {
		step := "GET " + scope + "/providers/Microsoft.Authorization/roleAssignments?$filter=assignedTo('" + in.ObjectID + "')"
		r := failedCall(idRBACRoleAssignments, titleRBACRoleAssignments, step, host, ras.err)
		r.Elapsed = ras.elapsed
		if !strings.EqualFold(r.ErrorCode, "AuthorizationFailed") {
			return r
		}
		// Listing needs Microsoft.Authorization/roleAssignments/read at the
		// subscription. Denied, the effective permissions still tell "no
		// role here at all" (none) from "a role without that read" (some).
		if po.err == nil && len(po.perms) == 0 {
			r.Summary = "the identity has no role on this subscription or above it: its effective permissions there are empty, and ARM will not even list its role assignments"
			r.Hint = fmt.Sprintf("Assign %s on %s to the service principal's object id %s (not the client id). Roles on single resource groups do not show from here: az role assignment list --assignee %s --all. %s", role, scope, in.ObjectID, in.ObjectID, rbacDelayNote)
			r.Fixes = RoleAssignmentFixes(in.ObjectID, role, scope)
			return r
		}
		r.Status = StatusWarn
		r.Summary = "the identity may not list its own role assignments (Microsoft.Authorization/roleAssignments/read, which Reader has)"
		r.Hint = "rbac-permissions shows what the identity can do; to see its roles, run: az role assignment list --assignee " + in.ObjectID + " --all --include-inherited"
		return r
	}
	r := Result{ID: idRBACRoleAssignments, Title: titleRBACRoleAssignments, Elapsed: ras.elapsed}
	r.Facts = append(r.Facts, fact("principal (oid)", in.ObjectID))
	for _, a := range sortedAssignments(ras.list, in.SubscriptionID) {
		_, label, _ := classifyScope(a.Scope, in.SubscriptionID)
		r.Facts = append(r.Facts, fact("role", fmt.Sprintf("%s on %s (%s)", a.RoleName, a.Scope, label)))
	}
	if ras.defErr != nil {
		r.Facts = append(r.Facts, fact("role names", "some role definitions could not be read; their GUIDs are shown"))
	}
	switch {
	case len(ras.list) == 0:
		r.Status = StatusFail
		r.Summary = "the identity has no role assignment on this subscription, above it or below it"
		r.Hint = fmt.Sprintf("Assign %s on %s to the service principal's object id %s (not the client id). %s", role, scope, in.ObjectID, rbacDelayNote)
		r.Fixes = RoleAssignmentFixes(in.ObjectID, role, scope)
	case len(cv.above) == 0:
		r.Status = StatusWarn
		groups := partialGroups(cv.partial, in.SubscriptionID)
		r.Summary = "the identity has roles only on resource group(s) " + strings.Join(groups, ", ") + ", nothing on the whole subscription"
		r.Hint = fmt.Sprintf("Runs that stay inside %s can work; anything else (new resource groups, other groups, provider registration) fails. For the whole subscription assign %s on %s.", strings.Join(groups, ", "), role, scope)
		r.Fixes = RoleAssignmentFixes(in.ObjectID, role, scope)
	case (need.write || need.applyLater) && !cvWrites(cv):
		r.Status = StatusWarn
		r.Summary = "no role on the subscription grants write (" + roleNames(cv.above) + ")"
		if rgs := cv.groupsAllowing(in.SubscriptionID, actDeploymentWrite); len(rgs) > 0 {
			r.Summary += "; write only on resource group(s) " + strings.Join(rgs, ", ")
		}
		r.Hint = "See rbac-permissions: this run needs Contributor on " + scope + "."
	default:
		r.Status = StatusPass
		r.Summary = fmt.Sprintf("the identity has %d role assignment(s) covering this subscription: %s", len(cv.above), roleNames(cv.above))
	}
	return r
}

// cvWrites reports whether a role at or above the subscription allows
// deployments, or whether that cannot be told (a definition was unreadable).
func cvWrites(cv coverage) bool {
	for _, a := range cv.above {
		if !a.known || actionAllowed(a.Perms, actDeploymentWrite) {
			return true
		}
	}
	return false
}

func partialGroups(list []assignment, subID string) []string {
	var names []string
	seen := map[string]bool{}
	for _, a := range list {
		_, _, rg := classifyScope(a.Scope, subID)
		if !seen[strings.ToLower(rg)] {
			seen[strings.ToLower(rg)] = true
			names = append(names, rg)
		}
	}
	return names
}

// sortedAssignments orders assignments from the broadest scope to the
// narrowest, then by scope and role, so facts read the same every run.
func sortedAssignments(list []assignment, subID string) []assignment {
	out := append([]assignment(nil), list...)
	sort.SliceStable(out, func(i, j int) bool {
		ki, _, _ := classifyScope(out[i].Scope, subID)
		kj, _, _ := classifyScope(out[j].Scope, subID)
		if ki != kj {
			return ki < kj
		}
		if out[i].Scope != out[j].Scope {
			return out[i].Scope < out[j].Scope
		}
		return out[i].RoleName < out[j].RoleName
	})
	return out
}

// registration says whether the azurerm provider will try to register
// resource providers, from its environment settings (reference/azure.md §7.4).
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

func judgeProviders(in RBACInput, po permissionsOutcome, pv providersOutcome, host string) Result {
	if pv.err != nil {
		r := failedCall(idRBACProviders, titleRBACProviders, "GET "+in.subscriptionScope()+"/providers", host, pv.err)
		r.Elapsed = pv.elapsed
		return r
	}
	r := Result{ID: idRBACProviders, Title: titleRBACProviders, Elapsed: pv.elapsed}
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
	r.Facts = []Fact{
		fact("providers", fmt.Sprintf("%d listed, %d not registered", len(pv.list), len(unregistered))),
	}
	if len(unregistered) == 0 {
		r.Status = StatusPass
		r.Summary = fmt.Sprintf("all %d resource providers are registered", len(pv.list))
		return r
	}
	r.Facts = append(r.Facts, fact("not registered", strings.Join(armCap(unregistered, 20), ", ")))
	r.Facts = append(r.Facts, fact("azurerm registers providers", reg.attempt+": "+reg.why))
	noneFix := Fix{Title: "stop the azurerm provider registering resource providers (stack environment variable)", Lang: "text", Text: "ARM_RESOURCE_PROVIDER_REGISTRATIONS=none"}
	switch {
	case len(cannot) == 0 && len(unknown) == 0:
		r.Facts = append(r.Facts, fact("identity may register them", "yes"))
		r.Status = StatusPass
		r.Summary = fmt.Sprintf("%d resource provider(s) are not registered, and the identity may register them", len(unregistered))
		return r
	case len(cannot) == 0:
		r.Facts = append(r.Facts, fact("identity may register them", "unknown: its permissions could not be read"))
		r.Status = StatusWarn
		r.Summary = fmt.Sprintf("%d resource provider(s) are not registered; whether the identity may register them is unknown", len(unregistered))
		r.Hint = "See rbac-permissions. If the stack uses these namespaces, register them once as an administrator."
		r.Fixes = ProviderRegisterFixes(unknown)
		return r
	}
	r.Facts = append(r.Facts, fact("identity may register them", "no: "+strings.Join(armCap(cannot, 20), ", ")))
	r.Fixes = ProviderRegisterFixes(cannot)
	switch reg.attempt {
	case "yes":
		r.Status = StatusFail
		r.Summary = fmt.Sprintf("the azurerm provider will try to register %d resource provider(s) (%s) and the identity may not", len(cannot), reg.why)
		r.Hint = "Terraform stops with \"does not have the necessary permissions to register Resource Providers\". Register them once as an administrator, or turn registration off."
		r.Fixes = append(r.Fixes, noneFix)
	case "no":
		r.Status = StatusWarn
		r.Summary = fmt.Sprintf("%d resource provider(s) are not registered and the identity may not register them; azurerm will not try (%s)", len(cannot), reg.why)
		r.Hint = "Resources of these namespaces fail with MissingSubscriptionRegistration; if the stack uses any, register them once as an administrator."
	default:
		r.Status = StatusWarn
		r.Summary = fmt.Sprintf("%d resource provider(s) are not registered and the identity may not register them; whether azurerm tries depends on its version", len(cannot))
		r.Hint = "ARM_RESOURCE_PROVIDER_REGISTRATIONS is " + reg.why + ". With azurerm 4.x Terraform would fail at start-up: set ARM_RESOURCE_PROVIDER_REGISTRATIONS=none, and register the namespaces the stack uses as an administrator."
		r.Fixes = append(r.Fixes, noneFix)
	}
	return r
}
