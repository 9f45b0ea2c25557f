// Package rbac asks Azure Resource Manager, after a successful exchange,
// whether the identity can do what this Terraform run needs: the
// subscription, the effective permissions, the role assignments and the
// resource providers. It only reads (every call is a GET). What an ARM error
// answer means is package explain's business.
//
// It owns the check ids arm-subscription and rbac-*.
package rbac

// The RBAC step calls each URL once. On the healthy path that is one round:
// the subscription, permissions, role assignments and resource providers
// concurrently (fetch.go), built-in role definitions from package roles.
// Then it judges the four together: subscription.go, permissions.go,
// assignments.go and providers.go (with azurerm.go, what the azurerm
// provider does about resource providers).

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/arm"
	"github.com/oidc-doctor/oidc-doctor/check/diag"
	"github.com/oidc-doctor/oidc-doctor/check/fixes"
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

// Input is what the RBAC step needs. The caller fills it after a
// successful Entra exchange.
type Input struct {
	// Cred already holds the ARM token: one exchange serves the whole run.
	Cred azcore.TokenCredential
	// ClientOptions carries the shared transport, the cloud and a bounded
	// retry policy. Check sets DisableRPRegistration itself.
	ClientOptions arm.ClientOptions
	// SubscriptionID is ARM_SUBSCRIPTION_ID.
	SubscriptionID string
	// TenantID, ObjectID and ClientID are the tid, oid and appid claims of
	// the ARM access token.
	TenantID, ObjectID, ClientID string
	// RunType and Scope are the Spacelift token's runType and scope claims.
	RunType, Scope string
	// Getenv reads ARM_RESOURCE_PROVIDER_REGISTRATIONS,
	// ARM_SKIP_PROVIDER_REGISTRATION and ARM_PROVIDER_ENHANCED_VALIDATION*.
	Getenv func(string) string
	// Azurerm is what the Terraform configuration says about the azurerm
	// provider (version, registration settings); the zero value means
	// unknown, and the providers check judges every release that differs.
	Azurerm Azurerm
	// SubscriptionFrom and TenantFrom are where the provider read the
	// subscription and the tenant, for the hints that name the setting;
	// their zero values are ARM_SUBSCRIPTION_ID and ARM_TENANT_ID.
	SubscriptionFrom, TenantFrom fixes.Setting
}

func (in Input) subscriptionSetting() string {
	return in.SubscriptionFrom.Or("ARM_SUBSCRIPTION_ID").Name()
}

func (in Input) tenantSetting() string { return in.TenantFrom.Or("ARM_TENANT_ID").Name() }

func (in Input) getenv(k string) string {
	if in.Getenv == nil {
		return ""
	}
	return in.Getenv(k)
}

func (in Input) subscriptionScope() string { return "/subscriptions/" + in.SubscriptionID }

// Check runs the RBAC step and returns, in order, arm-subscription,
// rbac-permissions, rbac-role-assignments and rbac-providers.
func Check(ctx context.Context, in Input) []diag.Result {
	c, err := newARMClients(in)
	if err != nil {
		r := diag.Result{ID: idARMSubscription, Title: titleARMSubscription, Status: diag.StatusFail, Cause: diag.CauseOther,
			Summary: "could not set up the Azure Resource Manager clients", Facts: []diag.Fact{diag.F("error", err.Error())},
			Hint: "This is a bug in oidc-doctor or its settings; report it with this output."}
		return append([]diag.Result{r}, diag.Caused(skipRest("needs "+idARMSubscription), idARMSubscription)...)
	}
	w := gather(ctx, c, in)
	subRes := judgeSubscription(ctx, c, w)
	fillPlaceholders(&subRes, in, w.need)
	if !w.sub.usable() {
		return append([]diag.Result{subRes}, diag.Caused(skipRest("needs "+idARMSubscription), idARMSubscription)...)
	}
	out := []diag.Result{subRes, judgePermissions(w), judgeAssignments(w), judgeProviders(w)}
	for i := range out[1:] {
		fillPlaceholders(&out[i+1], in, w.need)
	}
	return withCauses(out)
}

// fillPlaceholders puts what the step knows into the generic fix text of
// the error-code table: "--assignee-object-id <object-id>" becomes a
// command to paste.
func fillPlaceholders(r *diag.Result, in Input, need runNeeds) {
	scope := in.subscriptionScope()
	for _, f := range r.Facts {
		if f.Key == "denied scope" {
			scope = f.Value
		}
	}
	rp := strings.NewReplacer(
		"<object-id>", diag.FirstNonEmpty(in.ObjectID, "<object-id>"),
		"<client-id>", diag.FirstNonEmpty(in.ClientID, "<client-id>"),
		"<subscription-id>", diag.FirstNonEmpty(in.SubscriptionID, "<subscription-id>"),
		"<scope>", scope,
		"<role>", need.role(),
	)
	r.Hint = rp.Replace(r.Hint)
	for i := range r.Fixes {
		r.Fixes[i].Text = rp.Replace(r.Fixes[i].Text)
	}
}

// Timeout bounds the RBAC step (its concurrent reads, and the resource
// group look-up when one is needed).
const Timeout = 15 * time.Second

// Skipped is the step's results when it cannot run; why says what is missing.
func Skipped(why string) []diag.Result {
	return append([]diag.Result{diag.Skipped(idARMSubscription, titleARMSubscription, why)}, skipRest(why)...)
}

func skipRest(why string) []diag.Result {
	return []diag.Result{
		diag.Skipped(idRBACPermissions, titleRBACPermissions, why),
		diag.Skipped(idRBACRoleAssignments, titleRBACRoleAssignments, why),
		diag.Skipped(idRBACProviders, titleRBACProviders, why),
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

// actions are what the run needs at subscription scope, for least privilege.
func (n runNeeds) actions() []string {
	if n.write || n.applyLater {
		return []string{actDeploymentWrite, actRGWrite}
	}
	return []string{actRGRead}
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

func armCap(xs []string, n int) []string {
	if len(xs) <= n {
		return xs
	}
	return append(xs[:n:n], fmt.Sprintf("and %d more", len(xs)-n))
}
