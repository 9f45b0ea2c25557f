package issuer

// Fetching from the issuer: one bounded GET per document, its redirect
// policy, and how a failed or odd response is worded.

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/oidc-doctor/oidc-doctor/check/diag"
	"github.com/oidc-doctor/oidc-doctor/check/transport"
)

// Limits of every request to the issuer. Entra's own limits are not
// documented; these are generous for documents of a few hundred bytes.
const (
	issuerStepTimeout  = 8 * time.Second
	issuerMaxBody      = 1 << 20
	issuerMaxRedirects = 3
	issuerSlow         = 5 * time.Second
)

// fetchDocument GETs the JSON document what at u (shown as shown, from host)
// for r: r gains the request's facts and its elapsed time. When the GET fails
// or the answer is not a JSON object, r fails with a summary, a hint and
// Entra's expected answer, and ok is false.
func fetchDocument(ctx context.Context, client *http.Client, r *diag.Result, what, u, shown, host string) (res issuerResponse, ok bool) {
	res, err := issuerGet(ctx, client, u)
	r.Elapsed = res.elapsed
	r.Facts = append(r.Facts, res.facts()...)
	if err != nil {
		r.Status = diag.StatusFail
		r.Summary, r.Hint = fetchFailure(what, shown, host, err)
		r.Facts = append(r.Facts, entraExpectation(host, err)...)
		var re *redirectError
		if r.Cause = transport.Cause(err); errors.Is(err, errTooLarge) || errors.As(err, &re) {
			r.Cause = diag.CauseExternalOIDCUnreachable
		}
		return res, false
	}
	if s, h, bad := badResponse(what, shown, res); bad {
		r.Status, r.Summary, r.Hint = diag.StatusFail, s, h
		r.Cause = diag.CauseExternalOIDCUnreachable
		if res.status == http.StatusTooManyRequests || res.status >= 500 {
			r.Cause = diag.CauseServiceFault
		}
		r.Facts = append(r.Facts, diag.F("entra expects", entraFetchFailed))
		return res, false
	}
	return res, true
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
	kind := transport.Classify(err)
	summary, hint = transport.Describe(host, err)
	summary = "fetching " + what + " failed: " + summary
	switch {
	case kind.Certificate():
		summary += "; if the issuer really serves this certificate, Entra rejects it too"
	case kind == transport.KindReset || kind == transport.KindEOF:
		summary += "; if the issuer itself cuts connections, Entra fails the same way"
	case kind.Unreachable() && isSpaceliftHost(host):
		hint += ". Spacelift's issuer is public, so Entra can probably reach it; the problem is this worker's network"
	case kind.Unreachable():
		hint += ". If this worker cannot reach the issuer, Entra, on the public internet, most likely cannot either"
	}
	return summary, hint
}

// entraExpectation predicts Entra's answer to a failed fetch, when Entra
// would most likely see the same failure.
func entraExpectation(host string, err error) []diag.Fact {
	var re *redirectError
	switch kind := transport.Classify(err); {
	case kind == transport.KindCancelled, kind == transport.KindProxy:
		// The worker's own problem: says nothing about Entra.
	case kind.Unreachable() && isSpaceliftHost(host):
		// Spacelift's SaaS issuer is public: the worker's network is at fault.
	case kind == transport.KindOther && !errors.Is(err, errTooLarge) && !errors.As(err, &re):
	default:
		return []diag.Fact{diag.F("entra expects", entraFetchFailed)}
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

func (r issuerResponse) facts() []diag.Fact {
	var f []diag.Fact
	if r.status != 0 {
		f = append(f, diag.F("HTTP status", strconv.Itoa(r.status)+" "+http.StatusText(r.status)))
	}
	f = append(f, diag.F("elapsed", strconv.FormatInt(r.elapsed.Milliseconds(), 10)+" ms"))
	if r.tls != nil {
		f = append(f, diag.F("TLS version", tls.VersionName(r.tls.Version)))
	}
	if ra := r.header.Get("Retry-After"); ra != "" && r.status != http.StatusOK {
		f = append(f, diag.F("Retry-After", ra))
	}
	if r.redirects > 0 {
		f = append(f, diag.F("redirected to", r.finalURL))
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
	ctx, stop := transport.SingleAttempt(ctx)
	defer stop()
	ctx, tr := transport.Trace(ctx)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return res, fmt.Errorf("building the request: %w", err)
	}
	req.Header.Set("Accept", "application/json")
	start := time.Now()
	resp, err := client.Do(req)
	res.elapsed = time.Since(start)
	if err != nil {
		return res, tr.Wrap(err)
	}
	defer resp.Body.Close()
	// A response can race the deadline inside net/http (the server answers
	// as the connection is being torn down); past the deadline it is out of
	// budget, whatever it says.
	if err := context.Cause(ctx); err != nil {
		return res, tr.Wrap(err)
	}
	res.status, res.header, res.tls = resp.StatusCode, resp.Header, resp.TLS
	res.finalURL = transport.RedactURL(resp.Request.URL)
	for r := resp.Request; r.Response != nil; r = r.Response.Request {
		res.redirects++
	}
	tr.Reading()
	res.body, err = io.ReadAll(io.LimitReader(resp.Body, issuerMaxBody+1))
	res.elapsed = time.Since(start)
	if err == nil {
		err = context.Cause(ctx)
	}
	if err != nil {
		return res, tr.Wrap(err)
	}
	if len(res.body) > issuerMaxBody {
		return res, errTooLarge
	}
	return res, nil
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
		to := transport.RedactURL(req.URL)
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
