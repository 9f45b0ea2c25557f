package check

import (
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
)

// newDefaultClient is the production HTTP client: proxy settings from the
// environment (HTTPS_PROXY, NO_PROXY), system roots (SSL_CERT_FILE), TLS 1.2+,
// and bounded dial, handshake and header waits so no step can hang.
func newDefaultClient() *http.Client {
	d := &net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}
	return &http.Client{Transport: &http.Transport{
		Proxy:                 http.ProxyFromEnvironment,
		DialContext:           d.DialContext,
		TLSClientConfig:       &tls.Config{MinVersion: tls.VersionTLS12},
		TLSHandshakeTimeout:   5 * time.Second,
		ResponseHeaderTimeout: 15 * time.Second,
		IdleConnTimeout:       30 * time.Second,
		MaxIdleConnsPerHost:   4,
		ForceAttemptHTTP2:     true,
	}}
}

// observer wraps the run's HTTP transport. It records, per host, the server's
// Date header (for the clock check: no extra request), the last transport
// error (azidentity drops it from AuthenticationFailedError), and the status
// and content type of its latest response.
type observer struct {
	base http.RoundTripper
	mu   sync.Mutex
	// Dates maps a host to the Date its latest response carried, and when it arrived.
	dates map[string][2]time.Time
	errs  map[string]error
	last  map[string][2]string // host -> status, content type of the latest response
	now   func() time.Time
}

func newObserver(c *http.Client, now func() time.Time) (*observer, *http.Client) {
	base := c.Transport
	if base == nil {
		base = http.DefaultTransport
	}
	o := &observer{base: base, dates: map[string][2]time.Time{}, errs: map[string]error{}, last: map[string][2]string{}, now: now}
	nc := *c
	nc.Transport = o
	return o, &nc
}

func (o *observer) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := o.base.RoundTrip(req)
	o.mu.Lock()
	defer o.mu.Unlock()
	host := req.URL.Hostname()
	if err != nil {
		o.errs[host] = err
		return nil, err
	}
	delete(o.errs, host)
	resp.Body = &boundedBody{rc: resp.Body, left: maxResponseBytes, host: host, o: o}
	o.last[host] = [2]string{strconv.Itoa(resp.StatusCode), resp.Header.Get("Content-Type")}
	if d, perr := http.ParseTime(resp.Header.Get("Date")); perr == nil {
		o.dates[host] = [2]time.Time{d, o.now()}
	}
	return resp, nil
}

// lastErr is the most recent transport error for host, if the last request failed.
func (o *observer) lastErr(host string) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.errs[host]
}

// maxResponseBytes bounds every response body the SDKs read: the largest
// legitimate answer (a page of role assignments) is far smaller.
const maxResponseBytes = 8 << 20

// boundedBody fails a read past maxResponseBytes, and records the failure
// for the host so the finding can name it.
type boundedBody struct {
	rc   io.ReadCloser
	left int64
	host string
	o    *observer
}

func (b *boundedBody) Read(p []byte) (int, error) {
	if b.left <= 0 {
		err := fmt.Errorf("the response from %s is larger than %d MiB: not a real service answer (a proxy or a misconfigured endpoint?)", b.host, maxResponseBytes>>20)
		b.o.mu.Lock()
		b.o.errs[b.host] = err
		b.o.mu.Unlock()
		return 0, err
	}
	if int64(len(p)) > b.left {
		p = p[:b.left]
	}
	n, err := b.rc.Read(p)
	b.left -= int64(n)
	return n, err
}

func (b *boundedBody) Close() error { return b.rc.Close() }

// lastResponse is the status and content type of host's latest response.
func (o *observer) lastResponse(host string) (int, string, bool) {
	o.mu.Lock()
	defer o.mu.Unlock()
	l, ok := o.last[host]
	n, _ := strconv.Atoi(l[0])
	return n, l[1], ok
}

// transporter adapts *http.Client to azcore's policy.Transporter.
type transporter struct{ c *http.Client }

func (t transporter) Do(req *http.Request) (*http.Response, error) { return t.c.Do(req) }

var _ policy.Transporter = transporter{}

// stepContext bounds one step by limit, within the run's own deadline.
func stepContext(ctx context.Context, limit time.Duration) (context.Context, context.CancelFunc) {
	return context.WithTimeout(ctx, limit)
}
