// Package issuer checks the token's issuer as Entra ID will before it looks
// at any federated credential: it fetches {iss}/.well-known/openid-configuration
// and the jwks_uri it names, and verifies the token's RS256 signature. It
// owns the check ids issuer-discovery and issuer-signature.
package issuer

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/oidc-doctor/oidc-doctor/check/diag"
)

// entraFetchFailed is what Entra answers when it cannot fetch the issuer's
// metadata or keys (https://learn.microsoft.com/entra/identity-platform/reference-error-codes;
// Azure/azure-workload-identity#642).
const entraFetchFailed = "AADSTS50166 or AADSTS90061: Request to External OIDC endpoint failed"

// Token is what the issuer step reads of the run's token.
type Token struct {
	// Issuer is the iss claim.
	Issuer string
	// Alg and Kid are the header's alg and kid.
	Alg, Kid string
	// Raw is the compact token, for the signature. Never render it.
	Raw string
}

// Check fetches {iss}/.well-known/openid-configuration and its jwks_uri
// with client (at most these two requests, reusing the connection) and
// verifies the token's RS256 signature, as Entra will before it looks at any
// federated credential. It returns the issuer-discovery and issuer-signature
// results; a failure of either is evidence, never a reason to stop.
func Check(ctx context.Context, client *http.Client, tok Token) []diag.Result {
	client = boundedClient(client)
	disc, jwksURI := discover(ctx, client, tok)
	return withCauses([]diag.Result{disc, verifySignature(ctx, client, tok, jwksURI)})
}

// withCauses names the cause of each failing result that has none: a
// discovery document Entra cannot use makes it answer AADSTS50166
// (external_oidc_unreachable), a key or signature problem is
// signature_or_jwks. An iss that is no URL is the token's own fault.
func withCauses(rs []diag.Result) []diag.Result {
	for i := range rs {
		r := &rs[i]
		if r.Status != diag.StatusFail || r.Cause != "" {
			continue
		}
		switch r.ID {
		case "issuer-discovery":
			r.Cause = diag.CauseExternalOIDCUnreachable
		default:
			r.Cause = diag.CauseSignatureOrJWKS
		}
	}
	return rs
}

// Skipped is the step's results when it cannot run; why says what is missing.
func Skipped(why string) []diag.Result {
	return []diag.Result{diag.Skipped("issuer-discovery", titleDiscovery, why), diag.Skipped("issuer-signature", titleSignature, why)}
}

const (
	titleDiscovery = "Issuer discovery"
	titleSignature = "Token signature"
)

// discover fetches and judges the discovery document. It returns the
// jwks_uri whenever the document names a usable one, even when the result is
// a failure, so the signature can still be judged.
func discover(ctx context.Context, client *http.Client, tok Token) (diag.Result, string) {
	r := diag.Result{ID: "issuer-discovery", Title: titleDiscovery,
		Facts: []diag.Fact{diag.F("token iss", diag.Absent(tok.Issuer))}}
	u, summary, hint := parseIssuer(tok.Issuer)
	if u == nil {
		r.Status, r.Summary, r.Hint, r.Cause = diag.StatusFail, summary, hint, diag.CauseTokenMalformed
		return r, ""
	}
	host := u.Hostname()
	discURL := strings.TrimSuffix(tok.Issuer, "/") + "/.well-known/openid-configuration"
	r.Facts = append(r.Facts, diag.F("url", discURL))

	res, ok := fetchDocument(ctx, client, &r, "the discovery document", discURL, discURL, host)
	if !ok {
		return r, ""
	}
	r, jwksURI := judgeDocument(r, tok.Issuer, discURL, res.body)
	if r.Status != "" {
		return r, jwksURI
	}
	warns, hints := discoveryWarnings(res, host, discURL)
	r.Status, r.Summary = diag.StatusPass, "the discovery document's issuer matches iss and it names the jwks_uri"
	if len(warns) > 0 {
		r.Status = diag.StatusWarn
		r.Summary = "the discovery document matches iss, but " + strings.Join(warns, "; ")
		r.Hint = strings.Join(hints, " ")
	}
	return r, jwksURI
}

// parseIssuer checks iss can be fetched at all: an https URL without query,
// fragment or user. It makes no request.
func parseIssuer(iss string) (u *url.URL, summary, hint string) {
	u, err := url.Parse(iss)
	switch {
	case iss == "":
		return nil, "the token has no iss claim, so there is no issuer to ask for keys",
			"the token is not a Spacelift OIDC token; read it from /mnt/workspace/spacelift.oidc or SPACELIFT_OIDC_TOKEN"
	case err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http"):
		return nil, "the token's iss is not an https URL, so Entra cannot fetch its discovery document",
			"a Spacelift issuer looks like https://<account>.app.spacelift.io"
	case u.Scheme == "http":
		return nil, "the token's iss uses http://: OpenID Connect Discovery requires https, and Entra fetches issuer metadata over HTTPS",
			"serve the issuer over HTTPS and set it (FEDERATION_CUSTOM_ISSUER on Self-Hosted) to the https:// URL"
	case u.RawQuery != "" || u.Fragment != "" || u.User != nil:
		return nil, "the token's iss has a query, fragment or user name, which an OpenID Connect issuer must not have",
			"set the issuer to a plain https URL such as https://<account>.app.spacelift.io"
	}
	return u, "", ""
}

// judgeDocument reads issuer and jwks_uri from the document body. It leaves
// r.Status empty when both are fine, and returns jwks_uri when it is usable.
func judgeDocument(r diag.Result, iss, discURL string, body []byte) (diag.Result, string) {
	fail := func(summary, hint string) (diag.Result, string) {
		r.Status, r.Summary, r.Hint = diag.StatusFail, summary, hint
		return r, ""
	}
	var doc struct {
		Issuer  json.RawMessage `json:"issuer"`
		JWKSURI json.RawMessage `json:"jwks_uri"`
	}
	if err := json.Unmarshal(body, &doc); err != nil {
		return fail("the discovery document is JSON but not an object", "the issuer must serve an OpenID Connect discovery document, a JSON object")
	}
	docIss, ok1 := jsonString(doc.Issuer)
	jwksURI, ok2 := jsonString(doc.JWKSURI)
	r.Facts = append(r.Facts, diag.F("document issuer", rawOrNone(doc.Issuer)), diag.F("jwks_uri", rawOrNone(doc.JWKSURI)))
	switch {
	case !ok1:
		return fail("the discovery document's issuer is "+describeJSON(doc.Issuer)+", not a string",
			"the document at "+discURL+" is not an OpenID Connect discovery document; check that iss is the issuer's URL")
	case !ok2:
		return fail("the discovery document's jwks_uri is "+describeJSON(doc.JWKSURI)+", not a string, so there are no keys to verify with",
			"the issuer must publish jwks_uri (Spacelift: {iss}/.well-known/jwks)")
	}
	if ju, err := url.Parse(jwksURI); err != nil || ju.Scheme != "https" || ju.Host == "" {
		return fail("the discovery document's jwks_uri is not an https URL", "set jwks_uri (FEDERATION_CUSTOM_JWKS_URI on Self-Hosted) to an https URL")
	}
	if docIss != iss {
		r.Status = diag.StatusFail
		r.Summary = "the discovery document's issuer differs from the token's iss: " + issuerDiff(iss, docIss)
		r.Hint = "OpenID Connect Discovery requires the two to be identical, and validators such as Entra reject the document otherwise. " +
			"On Self-Hosted, FEDERATION_CUSTOM_ISSUER must equal the iss claim exactly"
		r.Facts = append(r.Facts, diag.F("entra expects", entraFetchFailed))
	}
	return r, jwksURI
}

// discoveryWarnings lists what works from this worker but may not for Entra.
func discoveryWarnings(res issuerResponse, host, discURL string) (warns, hints []string) {
	if ct := res.header.Get("Content-Type"); !isJSONType(ct) {
		warns = append(warns, "the document is served as "+strconv.Quote(ct)+", not application/json")
		hints = append(hints, "serve it with Content-Type: application/json; some OpenID Connect clients check it.")
	}
	if res.redirects > 0 {
		warns = append(warns, fmt.Sprintf("the request was redirected %d time(s)", res.redirects))
		hints = append(hints, "serve the document at the issuer URL itself; whether Entra follows redirects is not documented.")
	}
	if res.elapsed > issuerSlow {
		warns = append(warns, "the issuer took "+res.elapsed.Round(time.Millisecond).String()+" to answer")
		hints = append(hints, "Entra's fetch timeout is not documented; a slow issuer risks "+entraFetchFailed+".")
	}
	if !isSpaceliftHost(host) {
		warns = append(warns, host+" is not a spacelift.io host: a Self-Hosted issuer must be reachable from the public internet, which this worker cannot judge")
		hints = append(hints, "from a machine outside your network, run `curl -sS "+discURL+"`; if it fails there, Entra will fail with "+entraFetchFailed+".")
	}
	return warns, hints
}

// issuerDiff says how the document's issuer differs from the token's iss.
func issuerDiff(iss, doc string) string {
	both := "token " + strconv.Quote(iss) + ", document " + strconv.Quote(doc)
	switch {
	case strings.TrimRight(iss, "/") == strings.TrimRight(doc, "/") && strings.HasSuffix(doc, "/"):
		return both + " (the document's issuer has a trailing slash)"
	case strings.TrimRight(iss, "/") == strings.TrimRight(doc, "/"):
		return both + " (the token's iss has a trailing slash)"
	case strings.EqualFold(iss, doc):
		return both + " (they differ only in letter case)"
	case strings.TrimSpace(iss) == strings.TrimSpace(doc):
		return both + " (they differ in white space)"
	}
	a, errA := url.Parse(iss)
	b, errB := url.Parse(doc)
	switch {
	case errA != nil || errB != nil:
	case a.Scheme != b.Scheme:
		return both + " (the scheme differs)"
	case !strings.EqualFold(a.Host, b.Host):
		return both + " (the host differs: a different account or issuer)"
	case a.Path != b.Path:
		return both + " (the path differs)"
	}
	return both
}

func isSpaceliftHost(host string) bool {
	host = strings.ToLower(strings.TrimSuffix(host, "."))
	return host == "spacelift.io" || strings.HasSuffix(host, ".spacelift.io")
}

// jsonString decodes a JSON string; missing or other types are not ok.
func jsonString(raw json.RawMessage) (string, bool) {
	var s string
	if len(raw) == 0 || json.Unmarshal(raw, &s) != nil {
		return "", false
	}
	return s, true
}

// describeJSON names what raw holds: "missing", "a number" ...
func describeJSON(raw json.RawMessage) string {
	if len(raw) == 0 {
		return "missing"
	}
	var v any
	if json.Unmarshal(raw, &v) != nil {
		return "invalid"
	}
	return diag.JSONType(v)
}

// rawOrNone shows a JSON value for a fact: strings unquoted, others as JSON.
func rawOrNone(raw json.RawMessage) string {
	if s, ok := jsonString(raw); ok {
		return diag.Absent(s)
	}
	if len(raw) == 0 {
		return diag.Absent("")
	}
	if len(raw) > 200 {
		return string(raw[:200]) + "…"
	}
	return string(raw)
}
