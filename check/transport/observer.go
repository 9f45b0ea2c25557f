package transport

import (
	"fmt"
	"io"
	"net/http"
	"sort"
	"strconv"
	"sync"
	"time"
)

// Observer wraps the run's HTTP transport. It records, per host, the
// server's Date header (for the clock check: no extra request), the last
// transport error (azidentity drops it from AuthenticationFailedError), and
// the status and content type of its latest response. It also bounds every
// response body at MaxResponseBytes.
type Observer struct {
	base http.RoundTripper
	now  func() time.Time

	mu    sync.Mutex
	dates map[string][2]time.Time // host -> Date of its latest response, local clock on arrival
	errs  map[string]error
	last  map[string][2]string // host -> status, content type of the latest response
}

// NewObserver returns an Observer around c's transport and a copy of c that
// sends through it. now is the local clock the Date headers are compared with.
func NewObserver(c *http.Client, now func() time.Time) (*Observer, *http.Client) {
	base := c.Transport
	if base == nil {
		base = http.DefaultTransport
	}
	o := &Observer{base: base, dates: map[string][2]time.Time{}, errs: map[string]error{}, last: map[string][2]string{}, now: now}
	nc := *c
	nc.Transport = o
	return o, &nc
}

// RoundTrip implements http.RoundTripper.
func (o *Observer) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := o.base.RoundTrip(req)
	o.mu.Lock()
	defer o.mu.Unlock()
	host := req.URL.Hostname()
	if err != nil {
		o.errs[host] = err
		return nil, err
	}
	delete(o.errs, host)
	resp.Body = &boundedBody{rc: resp.Body, left: MaxResponseBytes, host: host, o: o}
	o.last[host] = [2]string{strconv.Itoa(resp.StatusCode), resp.Header.Get("Content-Type")}
	if d, perr := http.ParseTime(resp.Header.Get("Date")); perr == nil {
		o.dates[host] = [2]time.Time{d, o.now()}
	}
	return resp, nil
}

// Now is the observer's local clock.
func (o *Observer) Now() time.Time { return o.now() }

// LastErr is the most recent transport error for host, if the last request failed.
func (o *Observer) LastErr(host string) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.errs[host]
}

// LastResponse is the status and content type of host's latest response.
func (o *Observer) LastResponse(host string) (status int, contentType string, ok bool) {
	o.mu.Lock()
	defer o.mu.Unlock()
	l, ok := o.last[host]
	n, _ := strconv.Atoi(l[0])
	return n, l[1], ok
}

// HostDate is what one host's latest Date header said, and when it arrived.
type HostDate struct {
	Host          string
	Server, Local time.Time
}

// Dates lists the Date header of each host's latest response, by host name.
func (o *Observer) Dates() []HostDate {
	o.mu.Lock()
	defer o.mu.Unlock()
	out := make([]HostDate, 0, len(o.dates))
	for h, d := range o.dates {
		out = append(out, HostDate{Host: h, Server: d[0], Local: d[1]})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Host < out[j].Host })
	return out
}

// MaxResponseBytes bounds every response body the SDKs read: the largest
// legitimate answer (a page of role assignments) is far smaller.
const MaxResponseBytes = 8 << 20

// boundedBody fails a read past MaxResponseBytes, and records the failure
// for the host so the finding can name it.
type boundedBody struct {
	rc   io.ReadCloser
	left int64
	host string
	o    *Observer
}

func (b *boundedBody) Read(p []byte) (int, error) {
	if b.left <= 0 {
		err := fmt.Errorf("the response from %s is larger than %d MiB: not a real service answer (a proxy or a misconfigured endpoint?)", b.host, MaxResponseBytes>>20)
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
