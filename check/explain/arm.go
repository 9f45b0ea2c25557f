package explain

// Reading Azure Resource Manager's error answers: the code, and the values
// its message names. The body is read by the same reader as pasted text,
// so that nested deployment errors, unwrapped and OData bodies, localised
// messages and every wording the catalogue knows read the same live and
// pasted (https://learn.microsoft.com/azure/azure-resource-manager/troubleshooting/common-deployment-errors,
// https://learn.microsoft.com/azure/role-based-access-control/troubleshooting).

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	"github.com/oidc-doctor/oidc-doctor/check/diag"
)

// maxARMBody bounds how much of an ARM answer is read.
const maxARMBody = 64 << 10

// ParseARM decodes an ARM error answer: its status, the error code the SDK
// read from it (empty to take the body's), the host that answered and the
// body. A wrapper code ("DeploymentFailed") gives way to the error inside.
func ParseARM(status int, code, host string, body []byte) ARMFailure {
	f := ARMFailure{Code: code, Status: status, Host: host}
	body = body[:min(len(body), maxARMBody)]
	f.Message = diag.Truncate(armBodyMessage(body), 1000)
	fs := Paste(string(body), nil)
	if len(fs) == 0 {
		return f
	}
	fd := fs[0]
	if _, known := LookupARM(f.Code); f.Code == "" || !known || wrapperCodes[strings.ToLower(f.Code)] {
		f.Code = fd.Code
	}
	if !strings.EqualFold(fd.Code, f.Code) {
		return f
	}
	if f.Message == "" {
		f.Message = fd.Message
	}
	f.variant, f.meaning = fd.variant, fd.meaning
	f.Client, f.ObjectID = fd.Field("client_id"), fd.Field("object_id")
	f.Action, f.Scope = fd.Field("action"), fd.Field("scope")
	f.TokenTenant, f.SubscriptionTenant = fd.Field("token_tenant"), fd.Field("tenant")
	f.Subscription, f.ResourceGroup = fd.Field("subscription"), fd.Field("resource_group")
	f.Namespace = fd.Field("namespace")
	f.DenyAssignment, f.DenyScope = fd.Field("deny_assignment"), fd.Field("deny_scope")
	return f
}

// armBodyMessage is the message of an ARM error body in any of its shapes:
// {"error":{"message"}}, {"message"}, {"odata.error":{"message":{"value"}}}.
func armBodyMessage(body []byte) string {
	var e struct {
		Error struct {
			Message string `json:"message"`
		} `json:"error"`
		Message string `json:"message"`
		OData   struct {
			Message struct {
				Value string `json:"value"`
			} `json:"message"`
		} `json:"odata.error"`
	}
	if json.Unmarshal(body, &e) != nil {
		return ""
	}
	return diag.FirstNonEmpty(e.Error.Message, e.Message, e.OData.Message.Value)
}

// ARMRequestIDs are the ids ARM puts on every answer, which Microsoft
// support asks for: x-ms-correlation-request-id and x-ms-request-id.
func ARMRequestIDs(h http.Header) (correlationID, requestID string) {
	return h.Get("x-ms-correlation-request-id"), h.Get("x-ms-request-id")
}

// ARM says what an ARM error means for the request step (a readable name
// such as "GET /subscriptions/{id}") sent to host.
func ARM(f ARMFailure, step, host string) Verdict {
	if f.Host != "" {
		host = f.Host
	}
	v := Verdict{ErrorCode: f.Code, Cause: diag.CauseOther, Facts: f.Facts()}
	ci, known := f.Info()
	switch {
	case known && f.Action != "":
		v.Summary = fmt.Sprintf("%s denied %s on %s: %s", host, f.Action, diag.FirstNonEmpty(f.Scope, "the subscription"), ci.Title)
		v.Hint = ci.Explanation + " " + ci.Fix
	case known:
		v.Summary = fmt.Sprintf("%s answered HTTP %d %s: %s", host, f.Status, f.Code, ci.Title)
		v.Hint = ci.Explanation + " " + ci.Fix
	default:
		v.Summary = fmt.Sprintf("%s answered HTTP %d %s to %s", host, f.Status, f.Code, step)
		v.Hint = "Azure Resource Manager refused the request; the arm message fact has its reason."
	}
	switch {
	case f.Status == http.StatusTooManyRequests || f.Status >= 500:
		v.Cause = diag.CauseServiceFault
	case known:
		v.Cause = ci.Cause
	}
	return v
}

// ARMFailure is what an ARM error says, decoded from the response. Fields
// the message does not carry stay empty.
type ARMFailure struct {
	Code    string // ErrorCode, e.g. AuthorizationFailed
	Status  int
	Message string
	Host    string

	// Client and ObjectID are the identity the message names.
	Client, ObjectID string
	// Action and Scope are what was denied: for LinkedAuthorizationFailed
	// the action on the linked resource and the linked scope, never the
	// action that was permitted.
	Action, Scope string
	// From InvalidAuthenticationTokenTenant: the token's tenant and the
	// tenant the subscription lives in. TokenTenant is also the current
	// tenant of a cross-tenant LinkedAuthorizationFailed.
	TokenTenant, SubscriptionTenant string
	// Subscription and ResourceGroup are those the message names.
	Subscription, ResourceGroup string
	// From MissingSubscriptionRegistration and provider registration.
	Namespace string
	// DenyAssignment and DenyScope name the deny assignment that blocks
	// the action, and where it is assigned.
	DenyAssignment, DenyScope string
	// CorrelationID and RequestID are ARM's x-ms-correlation-request-id and
	// x-ms-request-id, set by the caller from the response headers
	// (ARMRequestIDs).
	CorrelationID, RequestID string

	variant string // the catalogue variant the wording gives the code
	meaning string // the code whose entry applies, when the wording of an unknown code gives it one
}

// Info is the catalogue's entry for the failure: its code, refined by the
// wording (a deny assignment, another tenant, a register action).
func (f ARMFailure) Info() (CodeInfo, bool) {
	code := diag.FirstNonEmpty(f.meaning, f.Code)
	ci, ok := lookupVariant(code, f.variant)
	if ok && strings.EqualFold(code, "AuthorizationFailed") && IsRegisterAction(f.Action) {
		ci = registerInfo
	}
	if ok {
		ci.Code = f.Code
	}
	return ci, ok
}

// Facts lists what the failure says, in a fixed order.
func (f ARMFailure) Facts() []diag.Fact {
	var fs []diag.Fact
	add := func(k, v string) {
		if v != "" {
			fs = append(fs, diag.F(k, v))
		}
	}
	add("arm error", fmt.Sprintf("%s (HTTP %d)", f.Code, f.Status))
	add("denied action", f.Action)
	add("denied scope", f.Scope)
	add("client", f.Client)
	add("object id", f.ObjectID)
	add("token tenant", f.TokenTenant)
	add("subscription tenant", f.SubscriptionTenant)
	add("subscription", f.Subscription)
	add("resource group", f.ResourceGroup)
	add("namespace", f.Namespace)
	add("deny assignment", f.DenyAssignment)
	add("deny assignment scope", f.DenyScope)
	add("correlation id", f.CorrelationID)
	add("request id", f.RequestID)
	add("arm message", f.Message)
	return fs
}
