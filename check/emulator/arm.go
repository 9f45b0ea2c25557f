package emulator

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/golang-jwt/jwt/v5"
)

// armError builds ARM's error body {"error":{"code":...,"message":...}}.
func armError(status int, code, msg string) response {
	return jsonResponse(status, map[string]any{"error": map[string]string{"code": code, "message": msg}})
}

// caller is the principal an ARM access token names.
type caller struct {
	oid, appid, tid string
}

// armRE compiles the ARM routing patterns on first use, so that a process
// that never starts the emulator (every non-demo run) does not pay for them.
var armRE = sync.OnceValue(func() *armPatterns {
	return &armPatterns{
		subPath: regexp.MustCompile(`(?i)^/subscriptions/([^/]+)(/.*)?$`),
		roleDef: regexp.MustCompile(`(?i)^/providers/microsoft\.authorization/roledefinitions/([^/]+)$`),
		subRoute: map[string]*regexp.Regexp{
			"arm-resource-groups":  regexp.MustCompile(`(?i)^/resourcegroups$`),
			"arm-rg-permissions":   regexp.MustCompile(`(?i)^/resourcegroups/([^/]+)/providers/microsoft\.authorization/permissions$`),
			"arm-permissions":      regexp.MustCompile(`(?i)^/providers/microsoft\.authorization/permissions$`),
			"arm-role-assignments": regexp.MustCompile(`(?i)^/providers/microsoft\.authorization/roleassignments$`),
			"arm-role-definitions": regexp.MustCompile(`(?i)^/providers/microsoft\.authorization/roledefinitions/([^/]+)$`),
			"arm-providers":        regexp.MustCompile(`(?i)^/providers$`),
		},
		assignedTo:  regexp.MustCompile(`(?i)assignedTo\('([^']*)'\)`),
		principalEq: regexp.MustCompile(`(?i)principalId\s+eq\s+'([^']*)'`),
		atScope:     regexp.MustCompile(`(?i)atScope\(\)`),
	}
})

type armPatterns struct {
	subPath, roleDef                 *regexp.Regexp
	subRoute                         map[string]*regexp.Regexp
	assignedTo, principalEq, atScope *regexp.Regexp
}

// armRoute maps ARM paths to handlers. Only the read endpoints the doctor
// uses exist; every write answers 405.
func (e *Emulator) armRoute(r *http.Request, host string) (string, handlerFunc) {
	p := strings.TrimRight(r.URL.Path, "/")
	if m := armRE().roleDef.FindStringSubmatch(p); m != nil {
		return "arm-role-definitions", e.armCall(host, "", func(r *http.Request, c caller, sub *Subscription) response {
			return e.roleDefinition(m[1], "")
		})
	}
	if strings.EqualFold(p, "/subscriptions") {
		return "arm-subscriptions", e.armCall(host, "", func(r *http.Request, c caller, _ *Subscription) response {
			return e.listSubscriptions(r, host, c)
		})
	}
	m := armRE().subPath.FindStringSubmatch(p)
	if m == nil {
		return "", e.armNotFound
	}
	subID, rest := m[1], m[2]
	if rest == "" {
		return "arm-subscription", e.armCall(host, subID, e.getSubscription)
	}
	if ep, h, ok := e.storageARMRoute(host, subID, rest); ok {
		return ep, h
	}
	for _, ep := range []string{"arm-permissions", "arm-role-assignments", "arm-role-definitions", "arm-providers", "arm-resource-groups", "arm-rg-permissions"} {
		sm := armRE().subRoute[ep].FindStringSubmatch(rest)
		if sm == nil {
			continue
		}
		switch ep {
		case "arm-permissions":
			return ep, e.armCall(host, subID, e.listPermissions)
		case "arm-role-assignments":
			return ep, e.armCall(host, subID, func(r *http.Request, c caller, sub *Subscription) response {
				return e.listRoleAssignments(r, host, c, sub)
			})
		case "arm-role-definitions":
			return ep, e.armCall(host, subID, func(r *http.Request, c caller, sub *Subscription) response {
				return e.roleDefinition(sm[1], sub.ID)
			})
		case "arm-providers":
			return ep, e.armCall(host, subID, func(r *http.Request, c caller, sub *Subscription) response {
				return e.listProviders(r, host, c, sub)
			})
		case "arm-resource-groups":
			return ep, e.armCall(host, subID, func(r *http.Request, c caller, sub *Subscription) response {
				return e.listResourceGroups(r, host, c, sub)
			})
		case "arm-rg-permissions":
			return ep, e.armCall(host, subID, func(r *http.Request, c caller, sub *Subscription) response {
				return e.resourceGroupPermissions(r, c, sub, sm[1])
			})
		}
	}
	return "", e.armNotFound
}

// UNCONFIRMED: ARM's answer for paths no resource provider owns varies by
// path; the emulator uses one 404 shape.
func (e *Emulator) armNotFound(r *http.Request) response {
	return armError(http.StatusNotFound, "NotFound", fmt.Sprintf("The requested resource '%s' was not found.", r.URL.Path))
}

type armHandler func(r *http.Request, c caller, sub *Subscription) response

// armCall wraps an ARM read with the checks every ARM request passes, in
// ARM's order: method, api-version, token, subscription, tenant.
func (e *Emulator) armCall(host, subID string, h armHandler) handlerFunc {
	return func(r *http.Request) response {
		if r.Method != http.MethodGet {
			return armError(http.StatusMethodNotAllowed, "MethodNotAllowed", fmt.Sprintf("The requested resource does not support http method '%s'.", r.Method))
		}
		if r.URL.Query().Get("api-version") == "" {
			return armError(http.StatusBadRequest, "MissingApiVersionParameter", "The api-version query parameter (?api-version=) is required for all requests.")
		}
		c, fail := e.authenticate(r)
		if fail != nil {
			return *fail
		}
		if subID == "" {
			return h(r, c, nil)
		}
		if !guidRE.MatchString(subID) {
			return armError(http.StatusBadRequest, "InvalidSubscriptionId", fmt.Sprintf("The provided subscription identifier '%s' is malformed or invalid.", subID))
		}
		sub, ok := e.subscription(subID)
		if !ok {
			return armError(http.StatusNotFound, "SubscriptionNotFound", fmt.Sprintf("The subscription '%s' could not be found.", subID))
		}
		if !strings.EqualFold(sub.TenantID, c.tid) && !contains(lowerAll(sub.ManagedByTenants), strings.ToLower(c.tid)) {
			res := armError(http.StatusUnauthorized, "InvalidAuthenticationTokenTenant", fmt.Sprintf("The access token is from the wrong issuer 'https://sts.windows.net/%s/'. It must match the tenant 'https://sts.windows.net/%s/' associated with this subscription. Please use the authority (URL) 'https://login.windows.net/%s' to get the token. Note, if the subscription is transferred to another tenant there is no impact to the services, but information about new tenant could take time to propagate (up to an hour). If you just transferred your subscription and see this error message, please try back later.", c.tid, sub.TenantID, sub.TenantID))
			res.header.Set("WWW-Authenticate", fmt.Sprintf(`Bearer authorization_uri="https://login.windows.net/%s", error="invalid_token", error_description="The access token is from the wrong issuer."`, sub.TenantID))
			return res
		}
		return h(r, c, &sub)
	}
}

func (e *Emulator) subscription(id string) (Subscription, bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, s := range e.scn.ARM.Subscriptions {
		if strings.EqualFold(s.ID, id) {
			return s, true
		}
	}
	return Subscription{}, false
}

// allowedAudiences are the audiences ARM accepts (any cloud's, in the emulator).
var allowedAudiences = []string{
	"https://management.core.windows.net/", "https://management.core.windows.net", "https://management.azure.com/", "https://management.azure.com",
	"https://management.core.usgovcloudapi.net/", "https://management.core.usgovcloudapi.net", "https://management.usgovcloudapi.net/", "https://management.usgovcloudapi.net",
	"https://management.core.chinacloudapi.cn/", "https://management.core.chinacloudapi.cn", "https://management.chinacloudapi.cn/", "https://management.chinacloudapi.cn",
}

func unauthorized(code, msg, desc string) *response {
	res := armError(http.StatusUnauthorized, code, msg)
	res.header.Set("WWW-Authenticate", fmt.Sprintf(`Bearer authorization_uri="https://login.windows.net/", error="invalid_token", error_description="%s"`, desc))
	return &res
}

// authenticate checks the bearer token as ARM does: present, signed by Entra
// (the emulator's key), for an ARM audience, unexpired, naming a principal.
func (e *Emulator) authenticate(r *http.Request) (caller, *response) {
	h := r.Header.Get("Authorization")
	if h == "" {
		return caller{}, unauthorized("AuthenticationFailed", "Authentication failed. The 'Authorization' header is missing.", "The authentication failed because of missing 'Authorization' header.")
	}
	raw, ok := strings.CutPrefix(h, "Bearer ")
	if !ok {
		return caller{}, unauthorized("AuthenticationFailed", "Authentication failed. The 'Authorization' header is provided in an invalid format.", "The authentication failed because of invalid 'Authorization' header format.")
	}
	invalid := unauthorized("InvalidAuthenticationToken", "The access token is invalid.", "The access token is invalid.")
	claims := jwt.MapClaims{}
	_, err := jwt.ParseWithClaims(raw, claims, func(*jwt.Token) (any, error) { return &entraKey.PublicKey, nil },
		jwt.WithValidMethods([]string{"RS256"}), jwt.WithoutClaimsValidation())
	if err != nil {
		return caller{}, invalid
	}
	str := func(k string) string { s, _ := claims[k].(string); return s }
	tid := str("tid")
	if tid == "" || str("iss") != "https://sts.windows.net/"+tid+"/" {
		return caller{}, invalid
	}
	if aud := str("aud"); !contains(allowedAudiences, aud) {
		return caller{}, unauthorized("InvalidAuthenticationToken",
			fmt.Sprintf("The access token has been obtained for wrong audience or resource '%s'. It should exactly match with one of the allowed audiences 'https://management.core.windows.net/','https://management.core.windows.net','https://management.azure.com/','https://management.azure.com'.", aud),
			"The access token has been obtained for wrong audience or resource.")
	}
	exp, _ := claims.GetExpirationTime()
	now := e.serviceNow()
	if exp == nil || !now.Before(exp.Time) {
		f := "1/2/2006 3:04:05 PM"
		var expText string
		if exp != nil {
			expText = exp.Time.UTC().Format(f)
		}
		return caller{}, unauthorized("ExpiredAuthenticationToken",
			fmt.Sprintf("The access token expiry UTC time '%s' is earlier than current UTC time '%s'.", expText, now.UTC().Format(f)),
			"The access token expiry UTC time is earlier than current UTC time.")
	}
	if str("oid") == "" {
		return caller{}, unauthorized("InvalidAuthenticationToken", "The received access token is not valid: at least one of the claims 'puid' or 'altsecid' or 'oid' should be present. If you are accessing as application please make sure service principal is properly created in the tenant.", "The access token is invalid.")
	}
	return caller{oid: str("oid"), appid: str("appid"), tid: tid}, nil
}

// authorizationFailed is ARM's 403 for a caller without the action at scope.
func authorizationFailed(c caller, action, scope string) response {
	return armError(http.StatusForbidden, "AuthorizationFailed", fmt.Sprintf("The client '%s' with object id '%s' does not have authorization to perform action '%s' over scope '%s' or the scope is invalid. If access was recently granted, please refresh your credentials.", c.appid, c.oid, action, scope))
}

func (e *Emulator) getSubscription(r *http.Request, c caller, sub *Subscription) response {
	scope := "/subscriptions/" + sub.ID
	const action = "Microsoft.Resources/subscriptions/read"
	if !e.subscriptionVisible(c, *sub) {
		return authorizationFailed(c, action, scope)
	}
	return jsonResponse(http.StatusOK, subscriptionJSON(*sub))
}

// subscriptionVisible says whether the caller may read the subscription: a
// role that allows it at the subscription or above, or, when the scenario
// says ARM allows it, any role below it.
func (e *Emulator) subscriptionVisible(c caller, sub Subscription) bool {
	scope := "/subscriptions/" + sub.ID
	if e.allowed(c.oid, "Microsoft.Resources/subscriptions/read", scope, sub.TenantID) {
		return true
	}
	e.mu.Lock()
	below, all := e.scn.ARM.SubscriptionVisibleFromBelow, append([]RoleAssignment(nil), e.scn.ARM.RoleAssignments...)
	e.mu.Unlock()
	for _, ra := range all {
		if below && strings.EqualFold(ra.PrincipalID, c.oid) && strings.HasPrefix(normScope(ra.Scope), normScope(scope)+"/") {
			return true
		}
	}
	return false
}

func lowerAll(xs []string) []string {
	out := make([]string, len(xs))
	for i, x := range xs {
		out[i] = strings.ToLower(x)
	}
	return out
}

// listSubscriptions is GET /subscriptions: the subscriptions of the caller's
// tenant on which it holds any role that reads them.
func (e *Emulator) listSubscriptions(r *http.Request, host string, c caller) response {
	e.mu.Lock()
	subs := append([]Subscription(nil), e.scn.ARM.Subscriptions...)
	e.mu.Unlock()
	var items []any
	for _, sub := range subs {
		home := strings.EqualFold(sub.TenantID, c.tid) || contains(lowerAll(sub.ManagedByTenants), strings.ToLower(c.tid))
		if home && e.subscriptionVisible(c, sub) {
			items = append(items, subscriptionJSON(sub))
		}
	}
	return e.page(r, host, items)
}

func subscriptionJSON(sub Subscription) map[string]any {
	state := sub.State
	if state == "" {
		state = "Enabled"
	}
	managed := []any{}
	for _, t := range sub.ManagedByTenants {
		managed = append(managed, map[string]string{"tenantId": t})
	}
	return map[string]any{
		"id":                  "/subscriptions/" + sub.ID,
		"authorizationSource": "RoleBased",
		"managedByTenants":    managed,
		"subscriptionId":      sub.ID,
		"tenantId":            sub.TenantID,
		"displayName":         sub.DisplayName,
		"state":               state,
		"subscriptionPolicies": map[string]string{
			"locationPlacementId": "Public_2014-09-01",
			"quotaId":             "PayAsYouGo_2014-09-01",
			"spendingLimit":       "Off",
		},
		"tags": map[string]string{},
	}
}

func (e *Emulator) listPermissions(r *http.Request, c caller, sub *Subscription) response {
	return e.page(r, r.Host, e.permissionsAt(c, "/subscriptions/"+sub.ID, sub.TenantID))
}

// permissionsAt is the caller's effective permissions at target, one entry
// per distinct role that applies there. UNCONFIRMED: what ARM answers a
// caller with no role at target; the emulator answers an empty list.
func (e *Emulator) permissionsAt(c caller, target, subTenant string) []any {
	seen := map[string]bool{}
	var items []any
	for _, ra := range e.assignmentsFor(c.oid, target, subTenant) {
		rd, ok := e.roleByID(ra.RoleDefinitionID)
		if !ok || seen[strings.ToLower(rd.ID)] {
			continue
		}
		seen[strings.ToLower(rd.ID)] = true
		items = append(items, map[string]any{
			"actions": nonNil(rd.Actions), "notActions": nonNil(rd.NotActions),
			"dataActions": nonNil(rd.DataActions), "notDataActions": nonNil(rd.NotDataActions),
		})
	}
	return items
}

// listResourceGroups lists the resource groups the caller may read.
// UNCONFIRMED: ARM is believed to answer 200 with only the readable groups
// (az group list gives an empty list, not an error, to a user with few
// rights: https://github.com/Azure/azure-cli/issues/27586), so a caller
// with no role sees an empty list.
func (e *Emulator) listResourceGroups(r *http.Request, host string, c caller, sub *Subscription) response {
	var items []any
	for _, rg := range sub.ResourceGroups {
		scope := "/subscriptions/" + sub.ID + "/resourceGroups/" + rg
		if !e.allowed(c.oid, "Microsoft.Resources/subscriptions/resourceGroups/read", scope, sub.TenantID) {
			continue
		}
		items = append(items, map[string]any{
			"id": scope, "name": rg, "type": "Microsoft.Resources/resourceGroups", "location": "westeurope",
			"properties": map[string]string{"provisioningState": "Succeeded"},
		})
	}
	return e.page(r, host, items)
}

// resourceGroupPermissions is the documented permissions API at resource
// group scope (https://learn.microsoft.com/rest/api/authorization/permissions/list-for-resource-group).
func (e *Emulator) resourceGroupPermissions(r *http.Request, c caller, sub *Subscription, rg string) response {
	for _, name := range sub.ResourceGroups {
		if strings.EqualFold(name, rg) {
			return e.page(r, r.Host, e.permissionsAt(c, "/subscriptions/"+sub.ID+"/resourceGroups/"+name, sub.TenantID))
		}
	}
	return armError(http.StatusNotFound, "ResourceGroupNotFound", fmt.Sprintf("Resource group '%s' could not be found.", rg))
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// listRoleAssignments lists assignments at, above and below the
// subscription, filtered by $filter (assignedTo, principalId eq, atScope).
func (e *Emulator) listRoleAssignments(r *http.Request, host string, c caller, sub *Subscription) response {
	scope := "/subscriptions/" + sub.ID
	const action = "Microsoft.Authorization/roleAssignments/read"
	if !e.allowed(c.oid, action, scope, sub.TenantID) {
		return authorizationFailed(c, action, scope)
	}
	filter := r.URL.Query().Get("$filter")
	principal := ""
	if m := armRE().assignedTo.FindStringSubmatch(filter); m != nil {
		principal = m[1]
	} else if m := armRE().principalEq.FindStringSubmatch(filter); m != nil {
		principal = m[1]
	} else if filter != "" && !armRE().atScope.MatchString(filter) {
		return armError(http.StatusBadRequest, "InvalidFilterInQueryString", fmt.Sprintf("The filter '%s' is not supported. Supported filters are either 'atScope()' or 'principalId eq '{value}' or assignedTo('{value}')'.", filter))
	}
	atScopeOnly := armRE().atScope.MatchString(filter)
	e.mu.Lock()
	all := append([]RoleAssignment(nil), e.scn.ARM.RoleAssignments...)
	e.mu.Unlock()
	var items []any
	for _, ra := range all {
		if ra.Delegated || (principal != "" && !strings.EqualFold(ra.PrincipalID, principal)) {
			continue
		}
		above := e.covers(ra.Scope, scope, sub.TenantID)
		below := strings.HasPrefix(normScope(ra.Scope), normScope(scope)+"/")
		if !above && (atScopeOnly || !below) {
			continue
		}
		items = append(items, assignmentJSON(ra, sub.ID))
	}
	return e.page(r, host, items)
}

func assignmentJSON(ra RoleAssignment, subID string) map[string]any {
	name := assignmentName(ra)
	scope := ra.Scope
	roleDefID := "/providers/Microsoft.Authorization/roleDefinitions/" + ra.RoleDefinitionID
	if strings.HasPrefix(strings.ToLower(scope), "/subscriptions/") {
		roleDefID = "/subscriptions/" + subID + roleDefID
	}
	idPrefix := strings.TrimRight(scope, "/")
	created := "2025-01-15T09:30:00.0000000Z"
	return map[string]any{
		"properties": map[string]any{
			"roleDefinitionId":                   roleDefID,
			"principalId":                        ra.PrincipalID,
			"principalType":                      "ServicePrincipal",
			"scope":                              scope,
			"condition":                          nil,
			"conditionVersion":                   nil,
			"createdOn":                          created,
			"updatedOn":                          created,
			"createdBy":                          "00000000-0000-0000-0000-000000000000",
			"updatedBy":                          "00000000-0000-0000-0000-000000000000",
			"delegatedManagedIdentityResourceId": nil,
			"description":                        nil,
		},
		"id":   idPrefix + "/providers/Microsoft.Authorization/roleAssignments/" + name,
		"type": "Microsoft.Authorization/roleAssignments",
		"name": name,
	}
}

// roleDefinition answers GET on a role definition ID, at subscription scope
// (subID set) or tenant scope. UNCONFIRMED: ARM lets any authenticated
// principal of the tenant read role definitions; the emulator requires no role.
func (e *Emulator) roleDefinition(id, subID string) response {
	rd, ok := e.roleByID(id)
	if !ok {
		return armError(http.StatusNotFound, "RoleDefinitionDoesNotExist", fmt.Sprintf("The specified role definition with ID '%s' does not exist.", id))
	}
	prefix := ""
	if subID != "" {
		prefix = "/subscriptions/" + subID
	}
	assignable := []string{"/"}
	if rd.Type == "CustomRole" && subID != "" {
		assignable = []string{"/subscriptions/" + subID}
	}
	return jsonResponse(http.StatusOK, map[string]any{
		"id":   prefix + "/providers/Microsoft.Authorization/roleDefinitions/" + rd.ID,
		"name": rd.ID,
		"type": "Microsoft.Authorization/roleDefinitions",
		"properties": map[string]any{
			"roleName":         rd.Name,
			"type":             rd.Type,
			"description":      rd.Description,
			"assignableScopes": assignable,
			"permissions": []any{map[string]any{
				"actions": nonNil(rd.Actions), "notActions": nonNil(rd.NotActions),
				"dataActions": nonNil(rd.DataActions), "notDataActions": nonNil(rd.NotDataActions),
			}},
			"createdOn": "2015-02-02T21:55:09.8806423Z",
			"updatedOn": "2024-04-25T16:23:40.5519005Z",
			"createdBy": nil,
			"updatedBy": nil,
		},
	})
}

// provider is one resource provider, in ARM's field order.
type provider struct {
	ID                 string `json:"id"`
	Namespace          string `json:"namespace"`
	RegistrationState  string `json:"registrationState"`
	RegistrationPolicy string `json:"registrationPolicy"`
	ResourceTypes      []any  `json:"resourceTypes"`
}

// listProviders lists the subscription's resource providers, sorted by namespace.
func (e *Emulator) listProviders(r *http.Request, host string, c caller, sub *Subscription) response {
	scope := "/subscriptions/" + sub.ID
	const action = "Microsoft.Resources/subscriptions/providers/read"
	if !e.allowed(c.oid, action, scope, sub.TenantID) {
		return authorizationFailed(c, action, scope)
	}
	names := make([]string, 0, len(sub.Providers))
	for ns := range sub.Providers {
		names = append(names, ns)
	}
	sort.Strings(names)
	var items []any
	for _, ns := range names {
		items = append(items, provider{
			ID: scope + "/providers/" + ns, Namespace: ns, RegistrationState: sub.Providers[ns],
			RegistrationPolicy: "RegistrationRequired", ResourceTypes: []any{},
		})
	}
	return e.page(r, host, items)
}

// page cuts a list into ARM pages: {"value":[...],"nextLink":"..."} with a
// $skiptoken when the scenario sets ARM.PageSize.
func (e *Emulator) page(r *http.Request, host string, items []any) response {
	if items == nil {
		items = []any{}
	}
	e.mu.Lock()
	size := e.scn.ARM.PageSize
	e.mu.Unlock()
	body := map[string]any{}
	if size > 0 {
		q := r.URL.Query()
		skip, _ := strconv.Atoi(q.Get("$skiptoken"))
		if skip < 0 || skip > len(items) {
			skip = len(items)
		}
		end := min(skip+size, len(items))
		if end < len(items) {
			q.Set("$skiptoken", strconv.Itoa(end))
			body["nextLink"] = (&url.URL{Scheme: "https", Host: host, Path: r.URL.Path, RawQuery: q.Encode()}).String()
		}
		items = items[skip:end]
	}
	body["value"] = items
	return jsonResponse(http.StatusOK, body)
}
