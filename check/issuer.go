package check

import (
	"bytes"
	"context"
	"crypto/rsa"
	"crypto/tls"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/big"
	"mime"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// Limits of every request to the issuer. Entra's own limits are not
// documented; these are generous for documents of a few hundred bytes.
const (
	issuerStepTimeout  = 8 * time.Second
	issuerMaxBody      = 1 << 20
	issuerMaxRedirects = 3
	issuerSlow         = 5 * time.Second
)

// entraFetchFailed is what Entra answers when it cannot fetch the issuer's
// metadata or keys (azure.md §1.5 and §3).
const entraFetchFailed = "AADSTS50166 or AADSTS90061: Request to External OIDC endpoint failed"

// checkIssuer fetches {iss}/.well-known/openid-configuration and its jwks_uri
// with client (at most these two requests, reusing the connection) and
// verifies the token's RS256 signature, as Entra will before it looks at any
// federated credential. It returns the issuer-discovery and issuer-signature
// results; a failure of either is evidence, never a reason to stop.
func checkIssuer(ctx context.Context, client *http.Client, tok *Token) []Result {
	if tok == nil {
		return []Result{
			skipped("issuer-discovery", titleDiscovery, "needs a decoded token"),
			skipped("issuer-signature", titleSignature, "needs a decoded token"),
		}
	}
	client = boundedClient(client)
	disc, jwksURI := discover(ctx, client, tok)
	return []Result{disc, verifySignature(ctx, client, tok, jwksURI)}
}

const (
	titleDiscovery = "Issuer discovery"
	titleSignature = "Token signature"
)

// discover fetches and judges the discovery document. It returns the
// jwks_uri whenever the document names a usable one, even when the result is
// a failure, so the signature can still be judged.
func discover(ctx context.Context, client *http.Client, tok *Token) (Result, string) {
	r := Result{ID: "issuer-discovery", Title: titleDiscovery,
		Facts: []Fact{fact("token iss", issuerOrNone(tok.Issuer))}}
	u, summary, hint := parseIssuer(tok.Issuer)
	if u == nil {
		r.Status, r.Summary, r.Hint = StatusFail, summary, hint
		return r, ""
	}
	host := u.Hostname()
	discURL := strings.TrimSuffix(tok.Issuer, "/") + "/.well-known/openid-configuration"
	r.Facts = append(r.Facts, fact("url", discURL))

	res, err := issuerGet(ctx, client, discURL)
	r.Elapsed = res.elapsed
	r.Facts = append(r.Facts, res.facts()...)
	if err != nil {
		r.Status = StatusFail
		r.Summary, r.Hint = fetchFailure("the discovery document", discURL, host, err)
		r.Facts = append(r.Facts, entraExpectation(host, err)...)
		return r, ""
	}
	if s, h, bad := badResponse("the discovery document", discURL, res); bad {
		r.Status, r.Summary, r.Hint = StatusFail, s, h
		r.Facts = append(r.Facts, fact("entra expects", entraFetchFailed))
		return r, ""
	}
	r, jwksURI := judgeDocument(r, tok.Issuer, discURL, res.body)
	if r.Status != "" {
		return r, jwksURI
	}
	warns, hints := discoveryWarnings(res, host, discURL)
	r.Status, r.Summary = StatusPass, "the discovery document's issuer matches iss and it names the jwks_uri"
	if len(warns) > 0 {
		r.Status = StatusWarn
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
func judgeDocument(r Result, iss, discURL string, body []byte) (Result, string) {
	fail := func(summary, hint string) (Result, string) {
		r.Status, r.Summary, r.Hint = StatusFail, summary, hint
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
	r.Facts = append(r.Facts, fact("document issuer", rawOrNone(doc.Issuer)), fact("jwks_uri", rawOrNone(doc.JWKSURI)))
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
		r.Status = StatusFail
		r.Summary = "the discovery document's issuer differs from the token's iss: " + issuerDiff(iss, docIss)
		r.Hint = "OpenID Connect Discovery requires the two to be identical, and validators such as Entra reject the document otherwise. " +
			"On Self-Hosted, FEDERATION_CUSTOM_ISSUER must equal the iss claim exactly"
		r.Facts = append(r.Facts, fact("entra expects", entraFetchFailed))
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

// fetchFailure words a failed GET of what from host.
func fetchFailure(what, u, host string, err error) (summary, hint string) {
	var re *redirectError
	switch {
	case errors.Is(err, errTooLarge):
		return what + " is larger than 1 MiB: this is not an OpenID Connect document",
			"check that the URL is right: `curl -sS -o /dev/null -w '%{size_download}\\n' " + u + "`"
	case errors.As(err, &re):
		return "fetching " + what + " failed: " + re.Error(), re.hint(u)
	}
	kind := classifyNetErr(err)
	summary, hint = describeNetErr(host, err)
	summary = "fetching " + what + " failed: " + summary
	switch {
	case kind.certificate():
		summary += "; if the issuer really serves this certificate, Entra rejects it too"
	case kind == netReset || kind == netEOF:
		summary += "; if the issuer itself cuts connections, Entra fails the same way"
	case kind.unreachable() && isSpaceliftHost(host):
		hint += ". Spacelift's issuer is public, so Entra can probably reach it; the problem is this worker's network"
	case kind.unreachable():
		hint += ". If this worker cannot reach the issuer, Entra, on the public internet, most likely cannot either"
	}
	return summary, hint
}

// entraExpectation predicts Entra's answer to a failed fetch, when Entra
// would most likely see the same failure.
func entraExpectation(host string, err error) []Fact {
	var re *redirectError
	switch kind := classifyNetErr(err); {
	case kind == netCancelled, kind == netProxy:
		// The worker's own problem: says nothing about Entra.
	case kind.unreachable() && isSpaceliftHost(host):
		// Spacelift's SaaS issuer is public: the worker's network is at fault.
	case kind == netOther && !errors.Is(err, errTooLarge) && !errors.As(err, &re):
	default:
		return []Fact{fact("entra expects", entraFetchFailed)}
	}
	return nil
}

// badResponse judges status, size and content type of a JSON document.
func badResponse(what, u string, res issuerResponse) (summary, hint string, bad bool) {
	ct := res.header.Get("Content-Type")
	switch {
	case res.status != http.StatusOK:
		summary = fmt.Sprintf("%s answered HTTP %d %s, not 200", what, res.status, http.StatusText(res.status))
		switch {
		case res.status == http.StatusNotFound:
			hint = "the issuer does not serve this path: check that iss is the Spacelift account URL (or FEDERATION_CUSTOM_ISSUER and FEDERATION_CUSTOM_JWKS_URI on Self-Hosted)"
		case res.status == http.StatusUnauthorized || res.status == http.StatusForbidden:
			hint = "something in front of the issuer (a WAF, an IP allow-list, an auth proxy) refuses anonymous requests; Entra needs anonymous access from the public internet"
		case res.status == http.StatusTooManyRequests || res.status >= 500:
			hint = "the issuer is failing or throttling; Entra gets the same answer (" + entraFetchFailed + "). Retry later"
		default:
			hint = "Entra treats any answer but 200 as a failure (" + entraFetchFailed + ")"
		}
		return summary, hint, true
	case looksHTML(ct, res.body):
		summary = what + " is an HTML page, not JSON"
		if t := htmlTitle(res.body); t != "" {
			summary += " (titled " + strconv.Quote(t) + ")"
		}
		return summary, "a login page, a proxy's block page or a web application answered instead of the issuer: look at `curl -sS " + u + "`", true
	case !json.Valid(res.body):
		summary = what + " is not valid JSON"
		var se *json.SyntaxError
		if err := json.Unmarshal(res.body, new(any)); errors.As(err, &se) && se.Offset >= int64(len(bytes.TrimSpace(res.body))) && len(res.body) > 0 {
			summary = what + " is cut short: the JSON ends in the middle"
		}
		return summary, "look at what the server returns with `curl -sS " + u + "`; a proxy or load balancer may be altering the answer", true
	case !bytes.HasPrefix(bytes.TrimSpace(res.body), []byte("{")):
		return what + " is JSON but not an object", "the issuer must serve a JSON object", true
	}
	return "", "", false
}

// issuerResponse is one bounded GET.
type issuerResponse struct {
	status    int
	header    http.Header
	body      []byte
	tls       *tls.ConnectionState
	elapsed   time.Duration
	redirects int
	finalURL  string
}

func (r issuerResponse) facts() []Fact {
	var f []Fact
	if r.status != 0 {
		f = append(f, fact("HTTP status", strconv.Itoa(r.status)+" "+http.StatusText(r.status)))
	}
	f = append(f, fact("elapsed", strconv.FormatInt(r.elapsed.Milliseconds(), 10)+" ms"))
	if r.tls != nil {
		f = append(f, fact("TLS version", tls.VersionName(r.tls.Version)))
	}
	if ra := r.header.Get("Retry-After"); ra != "" && r.status != http.StatusOK {
		f = append(f, fact("Retry-After", ra))
	}
	if r.redirects > 0 {
		f = append(f, fact("redirected to", r.finalURL))
	}
	return f
}

// errTooLarge means a body passed issuerMaxBody.
var errTooLarge = errors.New("response body larger than 1 MiB")

// issuerGet GETs u with a per-step deadline and reads at most issuerMaxBody.
// It always drains what it read and closes the body, so the next request can
// reuse the connection.
func issuerGet(ctx context.Context, client *http.Client, u string) (issuerResponse, error) {
	var res issuerResponse
	ctx, cancel := context.WithTimeout(ctx, issuerStepTimeout)
	defer cancel()
	ctx, stop := singleAttempt(ctx)
	defer stop()
	ctx, tr := traceRequest(ctx)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return res, fmt.Errorf("building the request: %w", err)
	}
	req.Header.Set("Accept", "application/json")
	start := time.Now()
	resp, err := client.Do(req)
	res.elapsed = time.Since(start)
	if err != nil {
		return res, tr.wrap(err)
	}
	defer resp.Body.Close()
	// A response can race the deadline inside net/http (the server answers
	// as the connection is being torn down); past the deadline it is out of
	// budget, whatever it says.
	if err := context.Cause(ctx); err != nil {
		return res, tr.wrap(err)
	}
	res.status, res.header, res.tls = resp.StatusCode, resp.Header, resp.TLS
	res.finalURL = redactURL(resp.Request.URL)
	for r := resp.Request; r.Response != nil; r = r.Response.Request {
		res.redirects++
	}
	tr.reading()
	res.body, err = io.ReadAll(io.LimitReader(resp.Body, issuerMaxBody+1))
	res.elapsed = time.Since(start)
	if err == nil {
		err = context.Cause(ctx)
	}
	if err != nil {
		return res, tr.wrap(err)
	}
	if len(res.body) > issuerMaxBody {
		return res, errTooLarge
	}
	return res, nil
}

// singleAttempt keeps each request to the issuer to one attempt. net/http
// replays an idempotent GET on a new connection when a reused keep-alive
// connection dies before the first response byte; that would be a third
// request to an issuer that is already failing. A second GetConn with no
// response since the first is that replay: it is cancelled (with cause
// errNotReplayed) before a request is written. A response in between means
// the next GetConn is a redirect, which boundedClient judges.
func singleAttempt(ctx context.Context) (context.Context, func()) {
	ctx, cancel := context.WithCancelCause(ctx)
	var conns atomic.Int32
	ctx = httptrace.WithClientTrace(ctx, &httptrace.ClientTrace{
		GetConn: func(string) {
			if conns.Add(1) > 1 {
				cancel(errNotReplayed)
			}
		},
		GotFirstResponseByte: func() { conns.Store(0) },
	})
	return ctx, func() { cancel(nil) }
}

// redirectError is a redirect the issuer checks refuse to follow.
type redirectError struct {
	kind string // "loop", "too-many" or "scheme"
	to   string // redacted target
}

func (e *redirectError) Error() string {
	switch e.kind {
	case "loop":
		return "redirect loop back to " + e.to
	case "too-many":
		return fmt.Sprintf("more than %d redirects (the last to %s)", issuerMaxRedirects, e.to)
	}
	return "redirected to another scheme: " + e.to
}

func (e *redirectError) hint(u string) string {
	if e.kind == "scheme" {
		return "the issuer's metadata must stay on https; fix the redirect on the server or load balancer"
	}
	return "serve the document at the URL itself; check the server's redirect rules with `curl -sSIL " + u + "`"
}

// boundedClient is client with the issuer's redirect policy: at most
// issuerMaxRedirects, never a loop, never off https. The transport, and so
// the connection pool, is shared with client.
func boundedClient(client *http.Client) *http.Client {
	if client == nil {
		client = http.DefaultClient
	}
	c := *client
	c.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		to := redactURL(req.URL)
		if req.URL.Scheme != "https" {
			return &redirectError{"scheme", to}
		}
		for _, v := range via {
			if v.URL.String() == req.URL.String() {
				return &redirectError{"loop", to}
			}
		}
		if len(via) > issuerMaxRedirects {
			return &redirectError{"too-many", to}
		}
		return nil
	}
	return &c
}

// redactURL is u without userinfo, query and fragment.
func redactURL(u *url.URL) string {
	c := *u
	c.User, c.RawQuery, c.Fragment, c.RawFragment, c.ForceQuery = nil, "", "", "", false
	return c.String()
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

func isJSONType(ct string) bool {
	mt, _, err := mime.ParseMediaType(ct)
	return err == nil && (mt == "application/json" || strings.HasSuffix(mt, "+json"))
}

func looksHTML(ct string, body []byte) bool {
	mt, _, _ := mime.ParseMediaType(ct)
	return mt == "text/html" || bytes.HasPrefix(bytes.TrimSpace(body), []byte("<"))
}

// htmlTitle is the page's <title>, at most 80 bytes of it.
func htmlTitle(body []byte) string {
	low := bytes.ToLower(body)
	i := bytes.Index(low, []byte("<title>"))
	if i < 0 {
		return ""
	}
	rest := body[i+len("<title>"):]
	j := bytes.Index(bytes.ToLower(rest), []byte("</title>"))
	if j < 0 {
		return ""
	}
	t := strings.Join(strings.Fields(string(rest[:j])), " ")
	if len(t) > 80 {
		t = t[:80] + "…"
	}
	return t
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
	return jsonType(v)
}

// rawOrNone shows a JSON value for a fact: strings unquoted, others as JSON.
func rawOrNone(raw json.RawMessage) string {
	if s, ok := jsonString(raw); ok {
		return issuerOrNone(s)
	}
	if len(raw) == 0 {
		return "(none)"
	}
	if len(raw) > 200 {
		return string(raw[:200]) + "…"
	}
	return string(raw)
}

func issuerOrNone(s string) string {
	if s == "" {
		return "(none)"
	}
	return s
}

// entraKeyLimit is how many signing keys Entra keeps from a JWKS (azure.md §1.3).
const entraKeyLimit = 100

// verifySignature fetches the JWKS at jwksURI, picks the token's key and
// verifies the RS256 signature. Any alg but RS256 fails without a request.
func verifySignature(ctx context.Context, client *http.Client, tok *Token, jwksURI string) Result {
	r := Result{ID: "issuer-signature", Title: titleSignature,
		Facts: []Fact{fact("alg", issuerOrNone(tok.Alg)), fact("kid", issuerOrNone(tok.Kid))}}
	fail := func(summary, hint string) Result {
		r.Status, r.Summary, r.Hint = StatusFail, summary, hint
		return r
	}
	switch {
	case tok.Alg == "none" || tok.Alg == "":
		return fail("the token is unsigned (alg "+issuerOrNone(tok.Alg)+"): nothing proves who issued it, and Entra accepts only RS256",
			"use the token Spacelift writes to /mnt/workspace/spacelift.oidc; it is signed with RS256")
	case strings.HasPrefix(tok.Alg, "HS"):
		return fail("the token is signed with "+tok.Alg+", a shared-secret MAC no issuer can publish a key for; Entra accepts only RS256",
			"use the token Spacelift writes to /mnt/workspace/spacelift.oidc; it is signed with RS256")
	case tok.Alg != "RS256":
		return fail("the token is signed with "+tok.Alg+"; Entra accepts only RS256",
			"use the token Spacelift writes to /mnt/workspace/spacelift.oidc; it is signed with RS256")
	case jwksURI == "":
		return skipped("issuer-signature", titleSignature, "needs the jwks_uri from issuer-discovery")
	}
	r, keys := fetchJWKS(ctx, client, r, jwksURI)
	if r.Status != "" {
		return r
	}
	kids := make([]string, len(keys))
	for i, k := range keys {
		kids[i], _ = jsonString(k["kid"])
	}
	r.Facts = append(r.Facts, fact("keys in JWKS", strconv.Itoa(len(keys))), fact("kids in JWKS", listKids(kids)))
	if tok.Kid == "" {
		return verifyWithoutKid(r, tok, keys, kids)
	}
	idx := -1
	for i, k := range kids {
		if k == tok.Kid {
			idx = i
			break
		}
	}
	if idx < 0 {
		r.Facts = append(r.Facts, fact("entra expects", "AADSTS7000272: the certificate with identifier "+tok.Kid+" could not be found in the metadata"))
		return fail("the token's kid "+strconv.Quote(tok.Kid)+" is not in the issuer's JWKS",
			"the keys were rotated since the token was minted, or the token comes from another issuer (on Self-Hosted, check FEDERATION_CUSTOM_JWKS_URI). "+
				"Spacelift tokens live one hour: trigger a new run and check again")
	}
	pub, problem := rsaKey(keys[idx])
	if problem != "" {
		return fail("the issuer's key "+strconv.Quote(tok.Kid)+" "+problem, "the JWKS must publish the signing key as an RSA key of at least 2048 bits with use \"sig\"")
	}
	r.Facts = append(r.Facts, fact("key size", strconv.Itoa(pub.N.BitLen())+" bits"))
	if err := verifyRS256(tok, pub); err != nil {
		return signatureFailure(r, err)
	}
	r.Status, r.Summary = StatusPass, "the token's RS256 signature verifies with key "+strconv.Quote(tok.Kid)+" from the issuer's JWKS"
	if idx >= entraKeyLimit {
		r.Status = StatusWarn
		r.Summary += fmt.Sprintf(", but it is key number %d and Entra keeps only the first %d", idx+1, entraKeyLimit)
		r.Hint = "remove old keys from the JWKS so the signing key is among the first 100"
	}
	return r
}

// fetchJWKS GETs and parses the key set. On failure it returns r with its
// status set; otherwise r gains the request's facts and keeps an empty status.
func fetchJWKS(ctx context.Context, client *http.Client, r Result, jwksURI string) (Result, []map[string]json.RawMessage) {
	fail := func(summary, hint string) (Result, []map[string]json.RawMessage) {
		r.Status, r.Summary, r.Hint = StatusFail, summary, hint
		return r, nil
	}
	u, err := url.Parse(jwksURI)
	if err != nil {
		return fail("the jwks_uri is not a URL", "set jwks_uri to an https URL")
	}
	host, shown := u.Hostname(), redactURL(u)
	r.Facts = append(r.Facts, fact("jwks_uri", shown))
	res, err := issuerGet(ctx, client, jwksURI)
	r.Elapsed = res.elapsed
	r.Facts = append(r.Facts, res.facts()...)
	if err != nil {
		r.Facts = append(r.Facts, entraExpectation(host, err)...)
		return fail(fetchFailure("the JWKS", shown, host, err))
	}
	if s, h, bad := badResponse("the JWKS", shown, res); bad {
		r.Facts = append(r.Facts, fact("entra expects", entraFetchFailed))
		return fail(s, h)
	}
	var set struct {
		Keys []map[string]json.RawMessage `json:"keys"`
	}
	if err := json.Unmarshal(res.body, &set); err != nil || set.Keys == nil {
		return fail("the JWKS has no keys array of objects", "the jwks_uri must serve a JSON Web Key Set: {\"keys\": [...]}")
	}
	return r, set.Keys
}

// verifyWithoutKid handles a token without kid: the only key, or the first
// key of several that verifies.
func verifyWithoutKid(r Result, tok *Token, keys []map[string]json.RawMessage, kids []string) Result {
	if len(keys) == 0 {
		r.Status, r.Summary = StatusFail, "the issuer's JWKS is empty"
		r.Hint = "the issuer publishes no keys, so nobody can verify its tokens (Entra fails with AADSTS7000272)"
		return r
	}
	if len(keys) == 1 {
		r.Facts = append(r.Facts, fact("note", "the token has no kid; the JWKS's only key was used"))
		pub, problem := rsaKey(keys[0])
		if problem != "" {
			r.Status, r.Summary = StatusFail, "the issuer's only key "+problem
			r.Hint = "the JWKS must publish the signing key as an RSA key of at least 2048 bits with use \"sig\""
			return r
		}
		if err := verifyRS256(tok, pub); err != nil {
			return signatureFailure(r, err)
		}
		r.Status, r.Summary = StatusPass, "the token's RS256 signature verifies with the issuer's only key (the token has no kid)"
		return r
	}
	for i, k := range keys {
		if pub, problem := rsaKey(k); problem == "" && verifyRS256(tok, pub) == nil {
			r.Status = StatusWarn
			r.Summary = fmt.Sprintf("the token has no kid; key %d of %d (%s) verifies it", i+1, len(keys), issuerOrNone(kids[i]))
			r.Hint = "how Entra picks a key for a token without kid is not documented; Spacelift's tokens normally carry one, so check where this token came from"
			return r
		}
	}
	r.Status = StatusFail
	r.Summary = fmt.Sprintf("the token has no kid and none of the issuer's %d keys verifies its signature", len(keys))
	r.Hint = "the token was altered or comes from another issuer; Entra will answer AADSTS700027 (client assertion failed signature validation)"
	return r
}

// signatureFailure words a failed verification.
func signatureFailure(r Result, err error) Result {
	r.Status = StatusFail
	switch {
	case errors.Is(err, jwt.ErrTokenSignatureInvalid):
		r.Summary = "the token's signature does not verify with the issuer's key: the token was altered, truncated or signed by another issuer"
		r.Hint = "pass the token exactly as Spacelift wrote it (no quotes, no line breaks, not cut short); check that iss names the issuer that minted it"
		r.Facts = append(r.Facts, fact("entra expects", "AADSTS700027: Client assertion failed signature validation"))
	case errors.Is(err, jwt.ErrTokenMalformed):
		r.Summary = "the token could not be parsed for verification: it is malformed"
		r.Hint = "pass the token exactly as Spacelift wrote it"
	default:
		r.Summary = "the token's signature could not be verified: " + jwtErrText(err)
		r.Hint = "pass the token exactly as Spacelift wrote it"
	}
	return r
}

// verifyRS256 checks the signature only: claims (exp, nbf) are judged
// elsewhere, so an expired token still gets its signature judged.
func verifyRS256(tok *Token, pub *rsa.PublicKey) error {
	_, err := jwt.Parse(tok.Raw(), func(*jwt.Token) (any, error) { return pub, nil },
		jwt.WithValidMethods([]string{"RS256"}), jwt.WithoutClaimsValidation())
	return err
}

// rsaKey builds the public key of one JWK, or says what is wrong with it.
//
// No JWKS library (go-jose, lestrrat-go/jwx): an RS256 key is two base64url
// big-endian integers, n and e, which encoding/base64 and math/big decode in
// a dozen lines, and golang-jwt does the verification. A library would add a
// dependency tree for no extra rigour here.
func rsaKey(k map[string]json.RawMessage) (*rsa.PublicKey, string) {
	kty, _ := jsonString(k["kty"])
	use, hasUse := jsonString(k["use"])
	alg, hasAlg := jsonString(k["alg"])
	switch {
	case kty != "RSA":
		return nil, "is of type " + strconv.Quote(kty) + ", not RSA: RS256 needs an RSA key"
	case hasUse && use != "sig":
		return nil, "is marked use " + strconv.Quote(use) + ", not \"sig\": verifiers must not use it for signatures"
	case hasAlg && alg != "RS256":
		return nil, "is marked alg " + strconv.Quote(alg) + ", not RS256"
	}
	n, errN := jwkInt(k["n"])
	e, errE := jwkInt(k["e"])
	switch {
	case errN != nil:
		return nil, "has a bad modulus n: " + errN.Error()
	case errE != nil:
		return nil, "has a bad exponent e: " + errE.Error()
	case !e.IsInt64() || e.Int64() < 3 || e.Int64() > 1<<31-1 || e.Bit(0) == 0:
		return nil, "has an invalid exponent e (it must be odd, at least 3 and fit 32 bits)"
	case n.BitLen() < 2048:
		return nil, fmt.Sprintf("is too small: %d bits, RS256 keys must have at least 2048", n.BitLen())
	}
	return &rsa.PublicKey{N: n, E: int(e.Int64())}, ""
}

// jwkInt decodes a base64url (unpadded, RFC 7518 §6.3.1) big-endian integer.
func jwkInt(raw json.RawMessage) (*big.Int, error) {
	s, ok := jsonString(raw)
	switch {
	case !ok:
		return nil, errors.New("missing or not a string")
	case s == "":
		return nil, errors.New("empty")
	}
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return nil, errors.New("not unpadded base64url")
	}
	return new(big.Int).SetBytes(b), nil
}

// listKids shows the JWKS's key ids, at most 10.
func listKids(kids []string) string {
	show := kids
	if len(show) > 10 {
		show = show[:10]
	}
	out := make([]string, len(show))
	for i, k := range show {
		out[i] = strconv.Quote(k)
	}
	s := strings.Join(out, ", ")
	if len(kids) > 10 {
		s += fmt.Sprintf(" and %d more", len(kids)-10)
	}
	return issuerOrNone(s)
}
