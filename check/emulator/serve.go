package emulator

import (
	"bufio"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/oidc-doctor/oidc-doctor/check/redact"
)

// response is what a route handler produces; ServeHTTP applies faults to it
// and writes it. Handlers never touch the http.ResponseWriter.
type response struct {
	status int
	header http.Header
	body   []byte
}

func jsonResponse(status int, v any) response {
	b, err := json.Marshal(v)
	if err != nil {
		b = []byte(`{}`)
	}
	h := http.Header{}
	h.Set("Content-Type", "application/json; charset=utf-8")
	return response{status: status, header: h, body: b}
}

func textResponse(status int, contentType, body string) response {
	h := http.Header{}
	h.Set("Content-Type", contentType)
	return response{status: status, header: h, body: []byte(body)}
}

// service names used to pick error shapes.
const (
	svcIssuer  = "issuer"
	svcEntra   = "entra"
	svcARM     = "arm"
	svcStorage = "storage"
	svcGraph   = "graph"
)

type handlerFunc func(*http.Request) response

// route picks the handler for r by host and path. endpoint is the fault key
// ("" for routes that have none, such as unknown paths).
func (e *Emulator) route(r *http.Request) (endpoint, service string, h handlerFunc) {
	host := strings.ToLower(r.Host)
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	switch {
	case host == IssuerHost:
		ep, h := e.issuerRoute(r)
		return ep, svcIssuer, h
	case contains(entraHosts, host):
		ep, h := e.entraRoute(r, host)
		return ep, svcEntra, h
	case contains(armHosts, host):
		ep, h := e.armRoute(r, host)
		return ep, svcARM, h
	case contains(graphHosts, host):
		ep, h := e.graphRoute(r, host)
		return ep, svcGraph, h
	}
	if _, ok := blobAccountName(host); ok {
		ep, h := e.storageRoute(r, host)
		return ep, svcStorage, h
	}
	return "", "", func(*http.Request) response {
		return textResponse(http.StatusMisdirectedRequest, "text/plain; charset=utf-8", "421 misdirected request: the emulator does not serve "+host+"\n")
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// ServeHTTP routes, records, applies faults and writes the response.
func (e *Emulator) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Body != nil {
		r.Body = http.MaxBytesReader(w, r.Body, maxBody)
	}
	if r.Method == http.MethodPost {
		_ = r.ParseForm() // the handler reports a bad body in the service's words
	}
	endpoint, service, h := e.route(r)
	rec := e.record(r, endpoint)
	fault, faulted := e.fault(endpoint)
	if faulted {
		e.setFault(rec, endpoint)
	}

	if fault.Delay > 0 {
		t := time.NewTimer(fault.Delay)
		select {
		case <-t.C:
		case <-r.Context().Done():
			t.Stop()
			return
		case <-e.done:
			t.Stop()
			hijackClose(w)
			return
		}
	}
	if fault.Hang {
		select {
		case <-r.Context().Done():
		case <-e.done:
			hijackClose(w) // no response at all, not an empty 200
		}
		return
	}
	if fault.Reset {
		hijackClose(w)
		return
	}

	resp := h(r)
	if resp.header == nil {
		resp.header = http.Header{}
	}
	if fault.Status != 0 {
		resp = errorForStatus(service, fault.Status, e.serviceNow())
	}
	if fault.RetryAfter != "" {
		resp.header.Set("Retry-After", fault.RetryAfter)
	}
	if fault.Body != "" {
		resp.body = []byte(fault.Body)
	}
	if fault.ContentType != "" {
		resp.header.Set("Content-Type", fault.ContentType)
	}
	resp.header.Set("Date", e.serviceNow().Add(e.opts.ClockSkew).UTC().Format(http.TimeFormat))
	addServiceHeaders(service, r, resp.header)
	if service == svcStorage && resp.status >= 400 {
		setStorageErrorCode(resp)
	}

	if fault.Truncate {
		writeTruncated(w, resp)
		return
	}
	e.setStatus(rec, resp.status)
	for k, v := range resp.header {
		w.Header()[k] = v
	}
	w.Header().Set("Content-Length", strconv.Itoa(len(resp.body)))
	w.WriteHeader(resp.status)
	if r.Method != http.MethodHead {
		_, _ = w.Write(resp.body)
	}
}

// addServiceHeaders adds the headers each real service sends on every
// response. ARM answers carry x-ms-correlation-request-id (the client's,
// when it sent one) and x-ms-request-id
// (https://learn.microsoft.com/azure/azure-resource-manager/management/request-limits-and-throttling#remaining-requests).
func addServiceHeaders(service string, r *http.Request, h http.Header) {
	switch service {
	case svcEntra:
		h.Set("Cache-Control", "no-store, no-cache")
		h.Set("Pragma", "no-cache")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
	case svcStorage:
		h.Set("Server", "Windows-Azure-Blob/1.0 Microsoft-HTTPAPI/2.0")
		h.Set("x-ms-version", storageMSVers)
	case svcARM:
		corr := r.Header.Get("x-ms-correlation-request-id")
		if !guidRE.MatchString(corr) {
			corr = newUUID()
		}
		h.Set("x-ms-correlation-request-id", corr)
		h.Set("x-ms-request-id", newUUID())
		h.Set("Cache-Control", "no-cache")
		h.Set("Pragma", "no-cache")
		h.Set("Expires", "-1")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
	}
}

// hijackClose drops the connection without answering (a reset).
func hijackClose(w http.ResponseWriter) {
	hj, ok := w.(http.Hijacker)
	if !ok {
		panic(http.ErrAbortHandler)
	}
	conn, _, err := hj.Hijack()
	if err != nil {
		return
	}
	if tc, ok := conn.(interface{ NetConn() net.Conn }); ok {
		if t, ok := tc.NetConn().(*net.TCPConn); ok {
			_ = t.SetLinger(0)
		}
	}
	_ = conn.Close()
}

// writeTruncated writes the status line, the headers with the full
// Content-Length, half the body, and closes the connection.
func writeTruncated(w http.ResponseWriter, resp response) {
	hj, ok := w.(http.Hijacker)
	if !ok {
		panic(http.ErrAbortHandler)
	}
	conn, buf, err := hj.Hijack()
	if err != nil {
		return
	}
	defer conn.Close()
	writeRaw(buf, resp)
}

func writeRaw(buf *bufio.ReadWriter, resp response) {
	fmt.Fprintf(buf, "HTTP/1.1 %d %s\r\n", resp.status, http.StatusText(resp.status))
	resp.header.Set("Content-Length", strconv.Itoa(len(resp.body)))
	_ = resp.header.Write(buf)
	buf.WriteString("\r\n")
	_, _ = buf.Write(resp.body[:len(resp.body)/2])
	_ = buf.Flush()
}

// record appends r to the request log and returns the entry.
func (e *Emulator) record(r *http.Request, endpoint string) *Request {
	rec := &Request{
		Time:     e.now(),
		Endpoint: endpoint,
		Method:   r.Method,
		Host:     r.Host,
		Path:     r.URL.Path,
		Query:    r.URL.Query(),
		Bearer:   strings.HasPrefix(r.Header.Get("Authorization"), "Bearer "),
		Internal: r.Header.Get(internalHeader) == e.secret,
	}
	if r.PostForm != nil && r.Method == http.MethodPost {
		rec.Form = map[string][]string{}
		for k, v := range r.PostForm {
			if k == "client_assertion" {
				continue
			}
			rec.Form[k] = append([]string(nil), v...)
		}
		if a := r.PostForm.Get("client_assertion"); a != "" {
			rec.AssertionPresent = true
			rec.AssertionFingerprint = redact.Fingerprint(a)
		}
	}
	e.mu.Lock()
	e.reqs = append(e.reqs, rec)
	e.mu.Unlock()
	return rec
}

func (e *Emulator) setStatus(rec *Request, status int) {
	e.mu.Lock()
	rec.Status = status
	e.mu.Unlock()
}

func (e *Emulator) setFault(rec *Request, name string) {
	e.mu.Lock()
	rec.Fault = name
	e.mu.Unlock()
}

// fault returns the fault configured for endpoint, honouring Fault.Times.
func (e *Emulator) fault(endpoint string) (Fault, bool) {
	if endpoint == "" {
		return Fault{}, false
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if endpoint == "issuer-jwks" && e.scn.Issuer.KeysUnreachable {
		return Fault{Reset: true}, true
	}
	f, ok := e.scn.Faults[endpoint]
	if !ok && (endpoint == "entra-token-graph" || endpoint == "entra-token-storage") {
		// A Graph or Storage token request is a token request:
		// entra-token's faults apply unless it has its own.
		endpoint = "entra-token"
		f, ok = e.scn.Faults[endpoint]
	}
	if !ok {
		return Fault{}, false
	}
	e.faultHits[endpoint]++
	if f.Times > 0 && e.faultHits[endpoint] > f.Times {
		return Fault{}, false
	}
	return f, true
}

// errorForStatus is the body a service sends for a bare failure status.
func errorForStatus(service string, status int, now time.Time) response {
	switch service {
	case svcEntra:
		// UNCONFIRMED: the exact AADSTS code Entra uses for throttling and
		// internal errors on the token endpoint varies; these are plausible.
		code, errName, text := 90033, "temporarily_unavailable", "A transient error has occurred. Please try again."
		if status == http.StatusTooManyRequests {
			code, text = 90055, "The request is throttled temporarily. Please try after some time."
		} else if status >= 500 && status != http.StatusServiceUnavailable {
			errName = "server_error"
		}
		return entraError(status, errName, code, text, now)
	case svcARM:
		code, msg := "InternalServerError", "Encountered internal server error. Diagnostic information: timestamp '"+now.UTC().Format("20060102T150405Z")+"'."
		switch {
		case status == http.StatusTooManyRequests:
			code, msg = "TooManyRequests", "The request is being throttled as the limit has been reached for operation type - Read_ObservationWindow_00:05:00. For more information, see - https://aka.ms/srpthrottlinglimits"
		case status == http.StatusServiceUnavailable:
			code, msg = "ServiceUnavailable", "The server is currently unable to handle the request. Please retry."
		case status < 500:
			code, msg = http.StatusText(status), http.StatusText(status)
		}
		return armError(status, code, msg)
	case svcStorage:
		return storageErrorForStatus(status, now)
	case svcGraph:
		return graphErrorForStatus(status, now)
	}
	return textResponse(status, "text/plain; charset=utf-8", fmt.Sprintf("%d %s\n", status, http.StatusText(status)))
}
