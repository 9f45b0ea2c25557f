package emulator

// Microsoft Graph: the claims of the app-only Graph tokens the emulated
// Entra issues, and the one Graph API the doctor reads, an application's
// federated identity credentials
// (https://learn.microsoft.com/graph/api/application-list-federatedidentitycredentials).
//
// Graph's token claims follow recorded app-only Graph tokens: ver 1.0,
// aud https://graph.microsoft.com, roles holding the granted application
// permissions' values, and wids holding 0997a1d0-0d1d-4acb-b408-d5ca73121e90
// (no role; UNCONFIRMED by Microsoft's documentation) before the template
// ids of the directory roles the service principal holds.

import (
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// graphHosts are Microsoft Graph's roots in the public and national clouds
// (https://learn.microsoft.com/graph/deployments).
var graphHosts = []string{"graph.microsoft.com", "graph.microsoft.us", "dod-graph.microsoft.us", "microsoftgraph.chinacloudapi.cn"}

// appOnlyWid is the wids entry every app-only token carries.
const appOnlyWid = "0997a1d0-0d1d-4acb-b408-d5ca73121e90"

// Directory role template ids the presets assign
// (https://learn.microsoft.com/entra/identity/role-based-access-control/permissions-reference).
const (
	RoleGlobalAdministrator      = "62e90394-69f5-4237-9190-012177145e10"
	RoleApplicationAdministrator = "9b895d92-2cd3-44c7-9d02-a6ac2d5ea5c3"
	RoleCloudAppAdministrator    = "158c047a-c907-4556-b7ef-446551a6b5f7"
)

// isGraphResource reports whether a scope's resource ("https://graph.microsoft.com/") is Graph's.
func isGraphResource(resource string) bool {
	h := strings.TrimSuffix(strings.TrimPrefix(resource, "https://"), "/")
	return contains(graphHosts, strings.ToLower(h))
}

// graphClaims adds what an app-only Graph token says of the app's grants.
func graphClaims(claims jwt.MapClaims, app *App) {
	if len(app.GraphRoles) > 0 {
		claims["roles"] = append([]string(nil), app.GraphRoles...)
	}
	claims["wids"] = append([]string{appOnlyWid}, app.DirectoryRoles...)
}

// excluded reports whether resource is among a policy's exclusions.
func excluded(list []string, resource string) bool {
	for _, x := range list {
		if strings.TrimRight(x, "/") == strings.TrimRight(resource, "/") {
			return true
		}
	}
	return false
}

// graphRE matches the two addresses of the list
// (applications/{id} and applications(appId='{appId}')).
var graphRE = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`^/v1\.0/applications(?:/([^/()]+)|\(appId='([^']+)'\))/federatedIdentityCredentials/?$`)
})

// graphRoute serves Graph's API.
func (e *Emulator) graphRoute(r *http.Request, host string) (string, handlerFunc) {
	m := graphRE().FindStringSubmatch(r.URL.Path)
	if m == nil {
		return "", func(r *http.Request) response {
			return e.graphError(r, http.StatusBadRequest, "BadRequest", "Resource not found for the segment '"+lastSegment(r.URL.Path)+"'.")
		}
	}
	return "graph-fic-list", func(r *http.Request) response { return e.listFICs(r, host, m[1], m[2]) }
}

func lastSegment(p string) string {
	p = strings.TrimRight(p, "/")
	return p[strings.LastIndexByte(p, '/')+1:]
}

// graphError is Graph's error envelope, with innerError's date and ids.
func (e *Emulator) graphError(r *http.Request, status int, code, msg string) response {
	id := r.Header.Get("client-request-id")
	if !guidRE.MatchString(id) {
		id = newUUID()
	}
	res := jsonResponse(status, map[string]any{"error": map[string]any{"code": code, "message": msg,
		"innerError": map[string]string{"date": e.serviceNow().UTC().Format("2006-01-02T15:04:05"), "request-id": id, "client-request-id": id}}})
	res.header.Set("request-id", id)
	res.header.Set("client-request-id", id)
	return res
}

// graphCaller checks the bearer token as Graph does: signed by Entra, for
// this Graph, unexpired; it returns the token's claims.
func (e *Emulator) graphCaller(r *http.Request, host string) (jwt.MapClaims, *response) {
	fail := func(msg string) (jwt.MapClaims, *response) {
		res := e.graphError(r, http.StatusUnauthorized, "InvalidAuthenticationToken", msg)
		return nil, &res
	}
	raw, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok || raw == "" {
		return fail("Access token is empty.")
	}
	claims := jwt.MapClaims{}
	if _, err := jwt.ParseWithClaims(raw, claims, func(*jwt.Token) (any, error) { return &entraKey.PublicKey, nil },
		jwt.WithValidMethods([]string{"RS256"}), jwt.WithoutClaimsValidation()); err != nil {
		return fail("Access token validation failure.")
	}
	if aud, _ := claims["aud"].(string); strings.TrimRight(aud, "/") != "https://"+host {
		return fail("Access token validation failure. Invalid audience.")
	}
	if exp, _ := claims.GetExpirationTime(); exp == nil || !e.serviceNow().Before(exp.Time) {
		return fail("Lifetime validation failed, the token is expired.")
	}
	return claims, nil
}

// listFICs answers GET .../federatedIdentityCredentials: the caller needs
// Application.Read.All or Application.ReadWrite.All, OwnedBy on an app it
// owns, or an administrator directory role that reads applications.
func (e *Emulator) listFICs(r *http.Request, host, objectID, appID string) response {
	if r.Method != http.MethodGet {
		return e.graphError(r, http.StatusMethodNotAllowed, "Request_BadRequest", "Specified HTTP method is not allowed for the request target.")
	}
	claims, fail := e.graphCaller(r, host)
	if fail != nil {
		return *fail
	}
	tid, _ := claims["tid"].(string)
	caller, _ := claims["appid"].(string)
	app, ok := e.graphApp(tid, objectID, appID)
	if !ok {
		return e.graphError(r, http.StatusNotFound, "Request_ResourceNotFound",
			fmt.Sprintf("Resource '%s' does not exist or one of its queried reference-property objects are not present.", objectID+appID))
	}
	if !mayReadApps(claims, app, caller) {
		return e.graphError(r, http.StatusForbidden, "Authorization_RequestDenied", "Insufficient privileges to complete the operation.")
	}
	items := make([]map[string]any, 0, len(app.FICs))
	for _, f := range app.FICs {
		items = append(items, map[string]any{"id": newUUID(), "name": f.Name, "issuer": f.Issuer, "subject": f.Subject,
			"description": nil, "audiences": f.Audiences})
	}
	res := jsonResponse(http.StatusOK, map[string]any{
		"@odata.context": "https://" + host + "/v1.0/$metadata#applications('" + app.AppObjectID + "')/federatedIdentityCredentials",
		"value":          items,
	})
	res.header.Set("Content-Type", "application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8")
	res.header.Set("request-id", newUUID())
	return res
}

// graphApp finds the app of tenant tid by object id or app id.
func (e *Emulator) graphApp(tid, objectID, appID string) (App, bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, t := range e.scn.Entra.Tenants {
		if !strings.EqualFold(t.ID, tid) {
			continue
		}
		for _, a := range t.Apps {
			if (appID != "" && strings.EqualFold(a.ClientID, appID)) || (objectID != "" && strings.EqualFold(a.AppObjectID, objectID)) {
				return cloneTenant(Tenant{Apps: []App{a}}).Apps[0], true
			}
		}
	}
	return App{}, false
}

// mayReadApps reports whether the token's roles or wids let it read app.
func mayReadApps(claims jwt.MapClaims, app App, caller string) bool {
	for _, r := range claimList(claims, "roles") {
		switch r {
		case "Application.Read.All", "Application.ReadWrite.All":
			return true
		case "Application.ReadWrite.OwnedBy":
			if app.SelfOwned && strings.EqualFold(app.ClientID, caller) {
				return true
			}
		}
	}
	for _, w := range claimList(claims, "wids") {
		switch w {
		case RoleGlobalAdministrator, RoleApplicationAdministrator, RoleCloudAppAdministrator:
			return true
		}
	}
	return false
}

func claimList(claims jwt.MapClaims, k string) []string {
	var out []string
	if xs, ok := claims[k].([]any); ok {
		for _, x := range xs {
			if s, ok := x.(string); ok {
				out = append(out, s)
			}
		}
	}
	return out
}

// graphErrorForStatus is Graph's body for a bare failure status.
func graphErrorForStatus(status int, now time.Time) response {
	code := "generalException"
	if status == http.StatusTooManyRequests {
		code = "TooManyRequests"
	}
	id := newUUID()
	res := jsonResponse(status, map[string]any{"error": map[string]any{"code": code, "message": http.StatusText(status),
		"innerError": map[string]string{"date": now.UTC().Format("2006-01-02T15:04:05"), "request-id": id, "client-request-id": id}}})
	res.header.Set("request-id", id)
	return res
}
