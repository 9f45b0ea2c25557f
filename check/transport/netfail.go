package transport

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"net"
	"net/http/httptrace"
	"net/url"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/oidc-doctor/oidc-doctor/check/diag"
	"github.com/oidc-doctor/oidc-doctor/check/redact"
)

// Kind names the cause of a failed request. Values are stable.
type Kind string

const (
	KindCancelled    Kind = "cancelled"
	KindProxy        Kind = "proxy"
	KindDNS          Kind = "dns"
	KindUnknownCA    Kind = "tls-unknown-authority"
	KindCertExpired  Kind = "tls-expired"
	KindCertInvalid  Kind = "tls-invalid"
	KindCertHostname Kind = "tls-hostname"
	KindNotTLS       Kind = "tls-not-tls"
	KindTLSAlert     Kind = "tls-alert"
	KindRefused      Kind = "refused"
	KindReset        Kind = "reset"
	KindEOF          Kind = "eof"
	KindTimeout      Kind = "timeout"
	KindUnreachable  Kind = "unreachable"
	KindOther        Kind = "other"
)

// Classify finds the cause of err from its types and sentinel values
// (errors.As / errors.Is), never from its Error() text.
func Classify(err error) Kind {
	var (
		dnsErr    *net.DNSError
		opErr     *net.OpError
		unknownCA x509.UnknownAuthorityError
		invalid   x509.CertificateInvalidError
		hostErr   x509.HostnameError
		recordErr tls.RecordHeaderError
		alertErr  tls.AlertError
	)
	switch {
	case errors.Is(err, ErrNotReplayed):
		return KindEOF
	case errors.Is(err, context.Canceled):
		return KindCancelled
	case errors.As(err, &opErr) && opErr.Op == "proxyconnect":
		return KindProxy
	case errors.As(err, &dnsErr):
		return KindDNS
	case errors.As(err, &unknownCA):
		return KindUnknownCA
	case errors.As(err, &invalid) && invalid.Reason == x509.Expired:
		return KindCertExpired
	case errors.As(err, &invalid):
		return KindCertInvalid
	case errors.As(err, &hostErr):
		return KindCertHostname
	case errors.As(err, &recordErr):
		return KindNotTLS
	case errors.As(err, &alertErr):
		return KindTLSAlert
	case errors.Is(err, syscall.ECONNREFUSED):
		return KindRefused
	case errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.EPIPE):
		return KindReset
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return KindEOF
	case IsTimeout(err):
		return KindTimeout
	case errors.Is(err, syscall.ENETUNREACH), errors.Is(err, syscall.EHOSTUNREACH):
		return KindUnreachable
	}
	return KindOther
}

// unreachable reports whether kind means no HTTP exchange happened with the
// host at all: the worker could not get to it.
func (k Kind) Unreachable() bool {
	switch k {
	case KindDNS, KindRefused, KindTimeout, KindUnreachable, KindProxy:
		return true
	}
	return false
}

// Cause is what a request that got no answer means for the run: a fault
// that a retry may change (a timeout, a reset, a refused or unreachable
// host, a resolver that did not answer), or a network set-up that Terraform
// will hit the same way (a certificate, a name that does not exist, a
// proxy, a port that does not speak TLS).
func Cause(err error) diag.Cause {
	var dnsErr *net.DNSError
	switch Classify(err) {
	case KindTimeout, KindCancelled:
		return diag.CauseTimeout
	case KindReset, KindEOF, KindRefused, KindUnreachable, KindOther:
		return diag.CauseNetworkFault
	case KindDNS:
		if errors.As(err, &dnsErr) && dnsErr.IsNotFound {
			return diag.CauseNetworkConfig
		}
		return diag.CauseNetworkFault
	}
	return diag.CauseNetworkConfig
}

// certificate reports whether kind is a problem with the server's certificate.
func (k Kind) Certificate() bool {
	switch k {
	case KindUnknownCA, KindCertExpired, KindCertInvalid, KindCertHostname:
		return true
	}
	return false
}

// Describe turns a failed HTTP request to host into one sentence saying
// what went wrong and a hint saying what to try. It works on error types and
// sentinel values, never on Error() text, and never puts the token or a URL
// query in either string. The issuer, Entra and ARM checks share it.
//
// A timeout, reset or early close names the step that did not finish when err
// carries a *StepError (see Trace).
func Describe(host string, err error) (summary, hint string) {
	if err == nil {
		return "", ""
	}
	if host == "" {
		host = "the server"
	}
	switch k := Classify(err); {
	case k == KindProxy || k == KindDNS:
		return describeRoute(k, host, err)
	case k.Certificate() || k == KindNotTLS || k == KindTLSAlert:
		return describeTLS(k, host, err)
	default:
		return describeConnection(k, host, err)
	}
}

// describeRoute words a request that never reached host: the proxy or
// the DNS lookup failed.
func describeRoute(k Kind, host string, err error) (summary, hint string) {
	if k == KindProxy {
		var opErr *net.OpError
		errors.As(err, &opErr)
		return "could not connect to the HTTPS proxy on the way to " + host + ": " + KindProxyCause(opErr.Err),
			"check HTTPS_PROXY and NO_PROXY (hosts that bypass the proxy) in this run's environment with " +
				"`env | grep -i _proxy`; a private worker's launcher passes its own variables to runs only " +
				"when they are listed in SPACELIFT_WHITELIST_ENVS"
	}
	var dnsErr *net.DNSError
	errors.As(err, &dnsErr)
	if dnsErr.IsNotFound {
		return "DNS lookup of " + host + " failed: no such host",
			"check the spelling of the host name; a private (split-horizon) DNS name resolves only inside " +
				"its own network. Try `nslookup " + host + "` from the worker"
	}
	why := "the resolver failed"
	if dnsErr.IsTimeout {
		why = "the resolver timed out"
	}
	return "DNS lookup of " + host + " failed: " + why,
		"check the worker's DNS configuration (/etc/resolv.conf); try `nslookup " + host + "`"
}

// describeTLS words a failed TLS handshake with host: its certificate, no
// TLS at all, or an alert.
func describeTLS(k Kind, host string, err error) (summary, hint string) {
	var (
		unknown  x509.UnknownAuthorityError
		invalid  x509.CertificateInvalidError
		hostErr  x509.HostnameError
		alertErr tls.AlertError
	)
	s := " -connect " + host + ":443 -servername " + host
	switch k {
	case KindUnknownCA:
		errors.As(err, &unknown)
		return "the TLS certificate of " + host + " is signed by an authority this worker does not trust" + netIssuedBy(unknown.Cert),
			"a corporate TLS-inspecting proxy often causes this: set SSL_CERT_FILE to a bundle holding the " +
				"standard roots plus the proxy's CA. If the server itself uses a private CA, Entra will not trust it either"
	case KindCertExpired:
		errors.As(err, &invalid)
		return "the TLS certificate of " + host + " is expired or not yet valid" + netValidity(invalid.Cert),
			"renew the server's certificate; if it looks valid, check this worker's clock with `date -u`"
	case KindCertInvalid:
		errors.As(err, &invalid)
		return "the TLS certificate of " + host + " is invalid (" + StripURLs(invalid.Error()) + ")",
			"inspect the chain with `openssl s_client" + s + "`"
	case KindCertHostname:
		errors.As(err, &hostErr)
		return "the TLS certificate presented for " + host + " is not valid for that name" + netCertNames(hostErr.Certificate),
			"the server, or a proxy in between, serves a certificate for another host; inspect it with " +
				"`openssl s_client" + s + "`"
	case KindNotTLS:
		return host + " did not answer with TLS (it may speak plain HTTP on this port)",
			"serve the endpoint over HTTPS on port 443; check the load balancer's listener"
	}
	errors.As(err, &alertErr)
	return "the TLS handshake with " + host + " failed: the server sent alert \"" + alertErr.Error() + "\"",
		"the server may not offer TLS 1.2 or later; inspect it with `openssl s_client" + s + "`"
}

// describeConnection words a connection to host that was refused, cut,
// timed out or cancelled, naming the step that did not finish when err
// carries a *StepError; and any other failure.
func describeConnection(k Kind, host string, err error) (summary, hint string) {
	var stepErr *StepError
	errors.As(err, &stepErr)
	switch k {
	case KindCancelled:
		return "the request to " + host + " was cancelled", "the run was interrupted; run oidc-doctor again"
	case KindRefused:
		return "connection to " + host + " was refused: nothing listens on that port, or a firewall rejects it",
			"check that the service is up and that port 443 is open to this worker: `curl -sSI https://" + host + "/`"
	case KindReset:
		return "the connection to " + host + " was reset" + netDuring(stepErr),
			"a firewall or proxy in between may be dropping the connection; retry, then try `curl -sSI https://" + host + "/`"
	case KindEOF:
		return host + " closed the connection before the response was complete" + netDuring(stepErr),
			"a proxy or load balancer in between may be cutting connections; retry, then try `curl -sSI https://" + host + "/`"
	case KindTimeout:
		return "the request to " + host + " timed out" + netDuring(stepErr), KindTimeoutHint(host, stepErr)
	case KindUnreachable:
		return "no route to " + host + " from this worker",
			"the worker's network cannot reach that address; check routing, VPN and firewall egress rules"
	}
	return "the request to " + host + " failed: " + SafeCause(err),
		"retry; if it persists, try `curl -sSI https://" + host + "/` from the worker"
}

// IsTimeout reports a deadline or a network timeout.
func IsTimeout(err error) bool {
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, os.ErrDeadlineExceeded) {
		return true
	}
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

func KindTimeoutHint(host string, s *StepError) string {
	if s != nil && s.Step == netStepDNS {
		return "the DNS resolver did not answer; check /etc/resolv.conf and try `nslookup " + host + "`"
	}
	if s != nil && (s.Step == netStepConnect || s.Step == netStepTLS) {
		return "the server did not accept the connection in time; a firewall may silently drop traffic to it. " +
			"Try `curl -sSI --max-time 10 https://" + host + "/` from the worker"
	}
	return "the server accepted the connection but was slow to answer; retry, and try " +
		"`curl -sS --max-time 10 -o /dev/null -w '%{time_total}\\n' https://" + host + "/`"
}

func netDuring(s *StepError) string {
	if s == nil {
		return ""
	}
	return " (while " + s.Step + ")"
}

// KindProxyCause says why connecting to the proxy failed, without its address's credentials.
func KindProxyCause(err error) string {
	var dnsErr *net.DNSError
	switch {
	case errors.As(err, &dnsErr):
		return "its host name does not resolve"
	case errors.Is(err, syscall.ECONNREFUSED):
		return "connection refused"
	case IsTimeout(err):
		return "timed out"
	case errors.Is(err, syscall.ECONNRESET), errors.Is(err, io.EOF):
		return "the proxy closed the connection"
	}
	return SafeCause(err)
}

func netIssuedBy(c *x509.Certificate) string {
	if c == nil || c.Issuer.CommonName == "" {
		return ""
	}
	return " (issued by " + c.Issuer.CommonName + ")"
}

func netValidity(c *x509.Certificate) string {
	if c == nil {
		return ""
	}
	return " (valid " + c.NotBefore.UTC().Format(time.RFC3339) + " to " + c.NotAfter.UTC().Format(time.RFC3339) + ")"
}

func netCertNames(c *x509.Certificate) string {
	if c == nil {
		return ""
	}
	names := c.DNSNames
	if len(names) == 0 && c.Subject.CommonName != "" {
		names = []string{c.Subject.CommonName}
	}
	if len(names) == 0 {
		return ""
	}
	if len(names) > 4 {
		names = append(names[:4:4], "…")
	}
	return " (it names " + strings.Join(names, ", ") + ")"
}

// SafeCause is err's text with any URL's query, fragment and userinfo
// removed, any token masked (redact.String), and no answer MSAL quotes.
// *url.Error is unwrapped first, since it repeats the full request URL.
func SafeCause(err error) string {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	s := err.Error()
	// MSAL quotes an answer it could not decode whole, token and all
	// (apps/internal/oauth/ops/internal/comm/comm.go at v1.10.1:
	// "json decode error: ...\nraw message was: %s", and "json message
	// bytes were: %s").
	for _, quote := range []string{"raw message was:", "json message bytes were:"} {
		if i := strings.Index(s, quote); i >= 0 {
			s = strings.TrimSpace(s[:i]) + " (the answer's text is not shown)"
		}
	}
	return redact.String(StripURLs(s))
}

// StripURLs removes the query, fragment and userinfo of every http(s) URL in s.
func StripURLs(s string) string {
	var b strings.Builder
	for {
		i := strings.Index(s, "http")
		if i < 0 {
			b.WriteString(s)
			return b.String()
		}
		b.WriteString(s[:i])
		s = s[i:]
		end := strings.IndexAny(s, " \t\n\"'<>")
		if end < 0 {
			end = len(s)
		}
		word := s[:end]
		if u, err := url.Parse(word); err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != "" {
			b.WriteString(RedactURL(u))
		} else {
			b.WriteString(word[:min(4, len(word))])
			end = min(4, len(word))
		}
		s = s[end:]
	}
}

// RedactURL is u without userinfo, query and fragment.
func RedactURL(u *url.URL) string {
	c := *u
	c.User, c.RawQuery, c.Fragment, c.RawFragment, c.ForceQuery = nil, "", "", "", false
	return c.String()
}

// The steps of one HTTP request, as a timeout names them.
const (
	netStepDNS     = "looking up the host name"
	netStepConnect = "connecting"
	netStepTLS     = "doing the TLS handshake"
	netStepSend    = "sending the request"
	netStepWait    = "waiting for the response headers"
	netStepBody    = "reading the response body"
)

// ErrNotReplayed is the cause of a request stopped before net/http could
// replay it on a new connection: the reused connection closed before any
// response (see SingleAttempt).
var ErrNotReplayed = errors.New("the connection closed before any response, and the request was not sent again")

// StepError is a request failure together with the step it failed in.
type StepError struct {
	Step string
	Err  error
}

func (e *StepError) Error() string { return e.Step + ": " + e.Err.Error() }
func (e *StepError) Unwrap() error { return e.Err }

// RequestTrace follows one request through DNS, connect, TLS, send and wait
// with net/http/httptrace, so that a failure can say where it stopped.
type RequestTrace struct {
	mu   sync.Mutex
	step string
}

// Trace returns ctx instrumented to record the request's progress.
func Trace(ctx context.Context) (context.Context, *RequestTrace) {
	t := &RequestTrace{step: netStepConnect}
	set := func(s string) func() {
		return func() { t.set(s) }
	}
	ct := &httptrace.ClientTrace{
		DNSStart:             func(httptrace.DNSStartInfo) { t.set(netStepDNS) },
		DNSDone:              func(httptrace.DNSDoneInfo) { t.set(netStepConnect) },
		ConnectStart:         func(string, string) { t.set(netStepConnect) },
		TLSHandshakeStart:    set(netStepTLS),
		GotConn:              func(httptrace.GotConnInfo) { t.set(netStepSend) },
		WroteRequest:         func(httptrace.WroteRequestInfo) { t.set(netStepWait) },
		GotFirstResponseByte: set(netStepWait),
	}
	return httptrace.WithClientTrace(ctx, ct), t
}

func (t *RequestTrace) set(s string) {
	t.mu.Lock()
	t.step = s
	t.mu.Unlock()
}

// reading marks that the headers arrived and the body is being read.
func (t *RequestTrace) Reading() { t.set(netStepBody) }

// wrap attaches the current step to err; nil stays nil.
func (t *RequestTrace) Wrap(err error) error {
	if err == nil {
		return nil
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	return &StepError{Step: t.step, Err: err}
}

// SingleAttempt keeps each request (the issuer checks use it) to one attempt. net/http
// replays an idempotent GET on a new connection when a reused keep-alive
// connection dies before the first response byte; that would be a third
// request to an issuer that is already failing. A second GetConn with no
// response since the first is that replay: it is cancelled (with cause
// ErrNotReplayed) before a request is written. A response in between means
// the next GetConn is a redirect, which the caller's redirect policy judges.
func SingleAttempt(ctx context.Context) (context.Context, func()) {
	ctx, cancel := context.WithCancelCause(ctx)
	var conns atomic.Int32
	ctx = httptrace.WithClientTrace(ctx, &httptrace.ClientTrace{
		GetConn: func(string) {
			if conns.Add(1) > 1 {
				cancel(ErrNotReplayed)
			}
		},
		GotFirstResponseByte: func() { conns.Store(0) },
	})
	return ctx, func() { cancel(nil) }
}
