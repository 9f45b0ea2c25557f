package emulator

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// instanceMetadata is the metadata array of the real instance discovery
// response (https://login.microsoftonline.com/common/discovery/instance).
var instanceMetadata = []map[string]any{
	{"preferred_network": "login.microsoftonline.com", "preferred_cache": "login.windows.net", "aliases": []string{"login.microsoftonline.com", "login.windows.net", "login.microsoft.com", "sts.windows.net"}},
	{"preferred_network": "login.partner.microsoftonline.cn", "preferred_cache": "login.partner.microsoftonline.cn", "aliases": []string{"login.partner.microsoftonline.cn", "login.chinacloudapi.cn"}},
	{"preferred_network": "login.microsoftonline.de", "preferred_cache": "login.microsoftonline.de", "aliases": []string{"login.microsoftonline.de"}},
	{"preferred_network": "login.microsoftonline.us", "preferred_cache": "login.microsoftonline.us", "aliases": []string{"login.microsoftonline.us", "login.usgovcloudapi.net"}},
	{"preferred_network": "login-us.microsoftonline.com", "preferred_cache": "login-us.microsoftonline.com", "aliases": []string{"login-us.microsoftonline.com"}},
}

func knownInstance(host string) bool {
	for _, m := range instanceMetadata {
		for _, a := range m["aliases"].([]string) {
			if strings.EqualFold(a, host) {
				return true
			}
		}
	}
	return false
}

// entraRoute serves instance discovery, tenant metadata, the token endpoint
// and the tenant signing keys.
func (e *Emulator) entraRoute(r *http.Request, host string) (string, handlerFunc) {
	parts := strings.Split(strings.TrimPrefix(r.URL.Path, "/"), "/")
	switch {
	case r.URL.Path == "/common/discovery/instance":
		return "entra-instance", func(r *http.Request) response { return e.instanceDiscovery(r, host) }
	case len(parts) == 4 && parts[1] == "v2.0" && parts[2] == ".well-known" && parts[3] == "openid-configuration":
		return "entra-tenant", func(r *http.Request) response { return e.tenantMetadata(r, host, parts[0]) }
	case len(parts) == 4 && parts[1] == "oauth2" && parts[2] == "v2.0" && parts[3] == "token":
		ep := "entra-token"
		switch resource := strings.TrimSuffix(e.resourceScope(r.PostForm.Get("scope")), ".default"); {
		case isGraphResource(resource):
			ep = "entra-token-graph"
		case isStorageResource(resource):
			ep = "entra-token-storage"
		}
		return ep, func(r *http.Request) response { return e.tokenEndpoint(r, host, parts[0]) }
	case len(parts) == 4 && parts[1] == "discovery" && parts[2] == "v2.0" && parts[3] == "keys",
		r.URL.Path == "/common/discovery/keys":
		return "", func(r *http.Request) response { return e.entraKeys(r, host, parts[0]) }
	}
	return "", func(r *http.Request) response {
		return entraErrorCorr(http.StatusNotFound, "invalid_request", 0, "The requested endpoint does not exist.", e.serviceNow(), r.Header.Get("client-request-id"))
	}
}

func (e *Emulator) fail(r *http.Request, a aadsts) response {
	return entraErrorBodyOf(a, e.serviceNow(), r.Header.Get("client-request-id"))
}

func (e *Emulator) instanceDiscovery(r *http.Request, host string) response {
	ae := r.URL.Query().Get("authorization_endpoint")
	u, err := url.Parse(ae)
	if ae == "" || err != nil || u.Host == "" || !knownInstance(u.Host) {
		return e.fail(r, aadsts{400, "invalid_instance", 50049, "Unknown or invalid instance."})
	}
	tenant := strings.Split(strings.TrimPrefix(u.Path, "/"), "/")[0]
	return jsonResponse(http.StatusOK, map[string]any{
		"tenant_discovery_endpoint": "https://" + u.Host + "/" + tenant + "/v2.0/.well-known/openid-configuration",
		"api-version":               "1.1",
		"metadata":                  instanceMetadata,
	})
}

// tenantless authorities accept discovery but not client credentials.
var tenantless = map[string]bool{"common": true, "organizations": true, "consumers": true}

var dnsLabel = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$`) })

// validDomain reports whether s could be a verified domain name: two or
// more DNS labels.
func validDomain(s string) bool {
	labels := strings.Split(s, ".")
	if len(labels) < 2 || len(s) > 253 {
		return false
	}
	for _, l := range labels {
		if !dnsLabel().MatchString(l) {
			return false
		}
	}
	return true
}

// lookupTenant resolves a tenant path segment (GUID or domain) the way Entra
// does, returning a copy of the tenant or the AADSTS failure.
func (e *Emulator) lookupTenant(name string) (Tenant, *aadsts) {
	if !guidRE.MatchString(name) && !validDomain(name) {
		a := errTenantMalformed(name)
		return Tenant{}, &a
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, t := range e.scn.Entra.Tenants {
		if strings.EqualFold(t.ID, name) || (t.Domain != "" && strings.EqualFold(t.Domain, name)) {
			return cloneTenant(t), nil
		}
	}
	a := errTenantNotFound(name)
	return Tenant{}, &a
}

func (e *Emulator) tenantMetadata(r *http.Request, host, tenant string) response {
	tid := "{tenantid}"
	if !tenantless[strings.ToLower(tenant)] {
		t, fail := e.lookupTenant(tenant)
		if fail != nil {
			return e.fail(r, *fail)
		}
		tenant, tid = t.ID, t.ID
	}
	base := "https://" + host + "/" + tenant
	return jsonResponse(http.StatusOK, map[string]any{
		"token_endpoint":                        base + "/oauth2/v2.0/token",
		"token_endpoint_auth_methods_supported": []string{"client_secret_post", "private_key_jwt", "client_secret_basic"},
		"jwks_uri":                              base + "/discovery/v2.0/keys",
		"response_modes_supported":              []string{"query", "fragment", "form_post"},
		"subject_types_supported":               []string{"pairwise"},
		"id_token_signing_alg_values_supported": []string{"RS256"},
		"response_types_supported":              []string{"code", "id_token", "code id_token", "id_token token"},
		"scopes_supported":                      []string{"openid", "profile", "email", "offline_access"},
		"issuer":                                "https://" + host + "/" + tid + "/v2.0",
		"request_uri_parameter_supported":       false,
		"userinfo_endpoint":                     "https://graph.microsoft.com/oidc/userinfo",
		"authorization_endpoint":                base + "/oauth2/v2.0/authorize",
		"device_authorization_endpoint":         base + "/oauth2/v2.0/devicecode",
		"http_logout_supported":                 true,
		"frontchannel_logout_supported":         true,
		"end_session_endpoint":                  base + "/oauth2/v2.0/logout",
		"claims_supported":                      []string{"sub", "iss", "cloud_instance_name", "cloud_instance_host_name", "cloud_graph_host_name", "msgraph_host", "aud", "exp", "iat", "auth_time", "acr", "nonce", "preferred_username", "name", "tid", "ver", "at_hash", "c_hash", "email"},
		"kerberos_endpoint":                     base + "/kerberos",
		"tenant_region_scope":                   "EU",
		"cloud_instance_name":                   strings.TrimPrefix(host, "login."),
		"cloud_graph_host_name":                 "graph.windows.net",
		"msgraph_host":                          "graph.microsoft.com",
		"rbac_url":                              "https://pas.windows.net",
	})
}

func (e *Emulator) entraKeys(r *http.Request, host, tenant string) response {
	k := jwk(&entraKey.PublicKey)
	k["x5t"] = k["kid"]
	return jsonResponse(http.StatusOK, map[string]any{"keys": []any{k}})
}

// knownResources are the resource (audience) URIs Entra issues tokens for in
// the emulator: ARM and Microsoft Graph in the three clouds.
var knownResources = []string{
	"https://management.core.windows.net/", "https://management.azure.com/", "https://management.azure.com",
	"https://management.core.usgovcloudapi.net/", "https://management.usgovcloudapi.net/", "https://management.usgovcloudapi.net",
	"https://management.core.chinacloudapi.cn/", "https://management.chinacloudapi.cn/", "https://management.chinacloudapi.cn",
	"https://graph.microsoft.com/", "https://graph.microsoft.com", "https://graph.microsoft.us/", "https://dod-graph.microsoft.us/", "https://microsoftgraph.chinacloudapi.cn/",
	// Azure Storage's data plane, the same resource in every cloud.
	"https://storage.azure.com/", "https://storage.azure.com",
}

// oidcScopes are added by MSAL to every request and ignored for client credentials.
var oidcScopes = map[string]bool{"openid": true, "offline_access": true, "profile": true}

// assertion is a decoded, unverified client assertion.
type assertion struct {
	raw     string
	header  map[string]any
	claims  map[string]any
	signing string // header.payload
	sig     []byte
}

func decodeAssertion(raw string) (*assertion, bool) {
	parts := strings.Split(raw, ".")
	if len(parts) != 3 {
		return nil, false
	}
	a := &assertion{raw: raw, signing: parts[0] + "." + parts[1]}
	hb, err1 := base64.RawURLEncoding.DecodeString(parts[0])
	pb, err2 := base64.RawURLEncoding.DecodeString(parts[1])
	sig, err3 := base64.RawURLEncoding.DecodeString(parts[2])
	if err1 != nil || err2 != nil || err3 != nil {
		return nil, false
	}
	if json.Unmarshal(hb, &a.header) != nil || json.Unmarshal(pb, &a.claims) != nil {
		return nil, false
	}
	a.sig = sig
	return a, true
}

func (a *assertion) str(k string) string {
	s, _ := a.claims[k].(string)
	return s
}

// audiences returns aud as a list, accepting a string or an array.
func (a *assertion) audiences() []string {
	switch v := a.claims["aud"].(type) {
	case string:
		return []string{v}
	case []any:
		var out []string
		for _, x := range v {
			if s, ok := x.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}

func (a *assertion) time(k string) (time.Time, bool) {
	f, ok := a.claims[k].(float64)
	if !ok {
		return time.Time{}, false
	}
	return time.Unix(int64(f), 0), true
}

// tokenEndpoint validates a client-credentials request with a federated
// client assertion, failing at the first problem in this order: tenant
// (90002, 900023), form (900144, 70003), application (700016), service
// principal (7000229), enabled (7000112), public client (700025), assertion
// present (7000218), parses (50027), typ (5002727), required claims (90014),
// lifetime on the service clock (700024), any credential (70025), issuer
// (700211), issuer keys over HTTPS (50166, 7000272, 700027), audience
// (700212), subject (700213, or 7002138 when only case differs), scope
// (1002012, 500011), Conditional Access (53003).
func (e *Emulator) tokenEndpoint(r *http.Request, host, tenantName string) response {
	if r.Method != http.MethodPost {
		return e.fail(r, errGetOnToken())
	}
	if tenantless[strings.ToLower(tenantName)] {
		return e.fail(r, errTenantless())
	}
	tenant, fail := e.lookupTenant(tenantName)
	if fail != nil {
		return e.fail(r, *fail)
	}
	f := r.PostForm
	if f.Get("grant_type") == "" {
		return e.fail(r, errMissingParam("grant_type"))
	}
	if g := f.Get("grant_type"); g != "client_credentials" {
		return e.fail(r, errGrantType(g))
	}
	clientID := f.Get("client_id")
	if clientID == "" {
		return e.fail(r, errMissingParam("client_id"))
	}
	if f.Get("scope") == "" {
		return e.fail(r, errMissingParam("scope"))
	}
	var app *App
	for i := range tenant.Apps {
		if strings.EqualFold(tenant.Apps[i].ClientID, clientID) {
			app = &tenant.Apps[i]
		}
	}
	directory := tenant.Domain
	if directory == "" {
		directory = tenant.ID
	}
	switch {
	case app == nil:
		return e.fail(r, errAppNotFound(clientID, directory))
	case app.NoServicePrincipal:
		return e.fail(r, errNoServicePrincipal(app.ClientID, tenant.ID))
	case app.Disabled:
		return e.fail(r, errDisabled(app.ClientID, app.DisplayName))
	case app.PublicClient:
		return e.fail(r, errPublicClient())
	}
	raw := f.Get("client_assertion")
	if raw == "" {
		return e.fail(r, errNoCredential())
	}
	a, ok := decodeAssertion(raw)
	if !ok {
		return e.fail(r, errMalformed())
	}
	if typ, present := a.header["typ"]; present {
		if s, _ := typ.(string); s != "JWT" && s != "http://openid.net/specs/jwt/1.0" {
			return e.fail(r, errTyp())
		}
	}
	for _, k := range []string{"iss", "sub", "aud", "exp"} {
		if _, ok := a.claims[k]; !ok {
			return e.fail(r, errMissingField(k))
		}
	}
	now := e.serviceNow()
	exp, _ := a.time("exp")
	nbf, hasNBF := a.time("nbf")
	if !hasNBF {
		nbf, _ = a.time("iat")
	}
	if !now.Before(exp) || (!nbf.IsZero() && now.Before(nbf)) {
		return e.fail(r, errLifetime(now, nbf, exp))
	}
	if len(app.FICs) == 0 {
		return e.fail(r, errNoFICs())
	}
	if res := e.matchFIC(r, app, a, tenant.LegacyFICErrors); res != nil {
		return *res
	}
	if res := e.checkScope(r, tenant); res != nil {
		return *res
	}
	resource := strings.TrimSuffix(e.resourceScope(f.Get("scope")), ".default")
	if tenant.ConditionalAccessBlock && !excluded(tenant.ConditionalAccessExcluded, resource) {
		return e.fail(r, errConditionalAccess())
	}
	return e.issueAccessToken(tenant, app, resource)
}

// matchFIC finds the federated credential for the assertion. Entra only
// fetches keys from an issuer that some credential of the app trusts, so the
// issuer is matched before the signature is checked, and audience and
// subject after.
func (e *Emulator) matchFIC(r *http.Request, app *App, a *assertion, legacy bool) *response {
	iss, sub, auds := a.str("iss"), a.str("sub"), a.audiences()
	mismatch := func(modern aadsts) *response {
		if legacy {
			modern = errLegacyNoMatch(iss, sub, strings.Join(auds, ","))
		}
		res := e.fail(r, modern)
		return &res
	}
	var byIssuer []FIC
	for _, f := range app.FICs {
		if f.Issuer == iss {
			byIssuer = append(byIssuer, f)
		}
	}
	if len(byIssuer) == 0 {
		return mismatch(errNoIssuerMatch(iss))
	}
	if fail := e.verifyAssertion(r, a, iss); fail != nil {
		res := e.fail(r, *fail)
		return &res
	}
	var byAud []FIC
	for _, f := range byIssuer {
		if overlap(f.Audiences, auds) {
			byAud = append(byAud, f)
		}
	}
	if len(byAud) == 0 {
		return mismatch(errNoAudienceMatch(strings.Join(auds, ",")))
	}
	folded := false
	for _, f := range byAud {
		if f.Subject == sub {
			return nil
		}
		folded = folded || strings.EqualFold(f.Subject, sub)
	}
	if folded {
		return mismatch(errSubjectCase(sub))
	}
	return mismatch(errNoSubjectMatch(sub))
}

func overlap(a, b []string) bool {
	for _, x := range a {
		for _, y := range b {
			if x == y {
				return true
			}
		}
	}
	return false
}

// resourceScope returns the one scope that is not an OIDC scope.
func (e *Emulator) resourceScope(scope string) string {
	for _, s := range strings.Fields(scope) {
		if !oidcScopes[s] {
			return s
		}
	}
	return ""
}

func (e *Emulator) checkScope(r *http.Request, t Tenant) *response {
	s := e.resourceScope(r.PostForm.Get("scope"))
	if !strings.HasSuffix(s, "/.default") {
		res := e.fail(r, errScopeNotDefault(s))
		return &res
	}
	resource := strings.TrimSuffix(s, ".default")
	for _, k := range knownResources {
		if resource == k || strings.TrimSuffix(resource, "/") == k {
			return nil
		}
	}
	res := e.fail(r, errUnknownResource(strings.TrimSuffix(resource, "/"), t.ID))
	return &res
}

// issueAccessToken answers with a v1.0 ARM access token signed by the
// emulated Entra key.
func (e *Emulator) issueAccessToken(t Tenant, app *App, resource string) response {
	now := e.serviceNow()
	sts := "https://sts.windows.net/" + t.ID + "/"
	aud := resource
	if strings.HasSuffix(aud, "//") {
		aud = strings.TrimSuffix(aud, "/")
	} else if !strings.HasPrefix(aud, "https://management.core.") {
		aud = strings.TrimSuffix(aud, "/")
	}
	claims := jwt.MapClaims{
		"aud":      aud,
		"iss":      sts,
		"iat":      now.Unix(),
		"nbf":      now.Unix(),
		"exp":      now.Add(3599 * time.Second).Unix(),
		"aio":      strings.ReplaceAll(newUUID(), "-", ""),
		"appid":    app.ClientID,
		"appidacr": "2",
		"idp":      sts,
		"idtyp":    "app",
		"oid":      app.SPObjectID,
		"sub":      app.SPObjectID,
		"tid":      t.ID,
		"uti":      strings.ReplaceAll(newUUID(), "-", "")[:22],
		"ver":      "1.0",
	}
	if app.DisplayName != "" {
		claims["app_displayname"] = app.DisplayName
	}
	if isGraphResource(resource) {
		graphClaims(claims, app)
	}
	tok := jwt.NewWithClaims(jwt.SigningMethodRS256, claims)
	tok.Header["kid"] = kid(&entraKey.PublicKey)
	tok.Header["x5t"] = kid(&entraKey.PublicKey)
	s, err := tok.SignedString(entraKey)
	if err != nil {
		return e.fail(&http.Request{Header: http.Header{}}, aadsts{500, "server_error", 90033, "A transient error has occurred. Please try again."})
	}
	return jsonResponse(http.StatusOK, struct {
		TokenType    string `json:"token_type"`
		ExpiresIn    int    `json:"expires_in"`
		ExtExpiresIn int    `json:"ext_expires_in"`
		AccessToken  string `json:"access_token"`
	}{"Bearer", 3599, 3599, s})
}
