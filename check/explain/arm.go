package explain

// Reading Azure Resource Manager's error answers: the code, and the values
// its documented message formats quote (https://learn.microsoft.com/azure/azure-resource-manager/troubleshooting/common-deployment-errors,
// https://learn.microsoft.com/azure/role-based-access-control/troubleshooting).

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	"github.com/oidc-doctor/oidc-doctor/check/diag"
)

// ParseARM decodes an ARM error answer: its status, the error code the SDK
// read from it (empty to take the body's), the host that answered and the body.
func ParseARM(status int, code, host string, body []byte) ARMFailure {
	f := ARMFailure{Code: code, Status: status, Host: host}
	var e struct {
		Error struct{ Code, Message string } `json:"error"`
	}
	if json.Unmarshal(body, &e) == nil {
		f.Message = diag.Truncate(e.Error.Message, 1000)
		if f.Code == "" {
			f.Code = e.Error.Code
		}
	}
	f.parseMessage()
	return f
}

// ARM says what an ARM error means for the request step (a readable name
// such as "GET /subscriptions/{id}") sent to host.
func ARM(f ARMFailure, step, host string) Verdict {
	if f.Host != "" {
		host = f.Host
	}
	v := Verdict{ErrorCode: f.Code, Cause: diag.CauseOther, Facts: f.Facts()}
	ci, known := LookupARMAction(f.Code, f.Action)
	switch {
	case known && f.Action != "":
		v.Summary = fmt.Sprintf("%s denied %s on %s: %s", host, f.Action, diag.FirstNonEmpty(f.Scope, "the subscription"), ci.Title)
		v.Hint = ci.Explanation + " " + ci.Fix
	case known:
		v.Summary = fmt.Sprintf("%s answered %s: %s", host, f.Code, ci.Title)
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

// ARMFailure is what an ARM error says, decoded from the response body.
// Fields the message does not carry stay empty.
type ARMFailure struct {
	Code    string // ErrorCode, e.g. AuthorizationFailed
	Status  int
	Message string
	Host    string

	// From AuthorizationFailed and LinkedAuthorizationFailed.
	Client, ObjectID, Action, Scope string
	// From LinkedAuthorizationFailed.
	LinkedAction, LinkedScope string
	// From InvalidAuthenticationTokenTenant: the token's tenant and the
	// tenant the subscription lives in.
	TokenTenant, SubscriptionTenant string
	// From MissingSubscriptionRegistration.
	Namespace string
}

// parseMessage reads the quoted values of ARM's documented message formats
// (see the top of this file). The error code decides what we say; these are
// only the facts that make it specific, and absent ones stay empty.
func (f *ARMFailure) parseMessage() {
	m := f.Message
	q := func(label string) string { v, _ := quotedAfter(m, label); return v }
	switch strings.ToLower(f.Code) {
	case "authorizationfailed", "linkedauthorizationfailed":
		f.Client = q("The client")
		f.ObjectID = q("with object id")
		f.Action = q("perform action")
		if f.Scope = q("over scope"); f.Scope == "" {
			f.Scope = q("on scope")
		}
		f.LinkedAction = q("perform action(s)")
		f.LinkedScope = q("linked scope(s)")
	case "invalidauthenticationtokentenant":
		f.TokenTenant = tenantOfIssuer(q("wrong issuer"))
		f.SubscriptionTenant = tenantOfIssuer(q("match the tenant"))
	case "missingsubscriptionregistration", "missingregistrationforresourceprovider":
		if f.Namespace = q("namespace"); f.Namespace == "" {
			f.Namespace = wordAfter(m, "namespace")
		}
	}
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
	add("linked action", f.LinkedAction)
	add("linked scope", f.LinkedScope)
	add("client", f.Client)
	add("object id", f.ObjectID)
	add("token tenant", f.TokenTenant)
	add("subscription tenant", f.SubscriptionTenant)
	add("namespace", f.Namespace)
	add("arm message", f.Message)
	return fs
}
