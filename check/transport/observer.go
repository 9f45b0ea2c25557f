package transport

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sort"
	"sync"
	"time"
)

// Observer wraps the run's HTTP transport. It records, per host, the
// server's Date header (for the clock check: no extra request), and, for
// the requests sent under a context from Observe, the last transport error
// (azidentity drops it from AuthenticationFailedError) and the status,
// content type and first bytes of the latest response. It also bounds
// every response body at MaxResponseBytes.
type Observer struct {
	base http.RoundTripper
	now  func() time.Time

	mu    sync.Mutex
	dates map[string][2]time.Time // host -> Date of its latest response, local clock on arrival
}

// NewObserver returns an Observer around c's transport and a copy of c that
// sends through it. now is the local clock the Date headers are compared with.
func NewObserver(c *http.Client, now func() time.Time) (*Observer, *http.Client) {
	base := c.Transport
	if base == nil {
		base = http.DefaultTransport
	}
	o := &Observer{base: base, dates: map[string][2]time.Time{}, now: now}
	nc := *c
	nc.Transport = o
	return o, &nc
}

// RoundTrip implements http.RoundTripper.
func (o *Observer) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := o.base.RoundTrip(req)
	calls, _ := req.Context().Value(callsKey{}).(*Calls)
	if err != nil {
		calls.failed(err)
		return nil, err
	}
	host := req.URL.Hostname()
	a := calls.answered(resp.StatusCode, resp.Header.Get("Content-Type"))
	resp.Body = &boundedBody{rc: resp.Body, left: MaxResponseBytes, host: host, calls: calls, answer: a}
	if d, perr := http.ParseTime(resp.Header.Get("Date")); perr == nil {
		o.mu.Lock()
		o.dates[host] = [2]time.Time{d, o.now()}
		o.mu.Unlock()
	}
	return resp, nil
}

// Calls is what the requests sent under one context (see Observe) met: the
// last transport or body-read error, and the latest response. Requests
// that run at the same time under other contexts (the Graph token, the
// storage token, a provider block's exchange, all to the same sign-in host)
// never overwrite it.
type Calls struct {
	mu   sync.Mutex
	err  error
	last *answer // nil until a response arrives
}

// answer is one response: its status and content type, the first
// HeadBytes of its body as far as it was read, how many bytes were read,
// and whether the body was read to its end.
type answer struct {
	status      int
	contentType string
	head        []byte
	n           int64
	eof         bool
}

// HeadBytes is how much of a response's body Calls keeps (lastBody):
// a sign-in answer whole (a token response is a few KiB), far less than
// a page of results.
const HeadBytes = 64 << 10

type callsKey struct{}

// Observe returns a context whose requests, sent through an Observer, are
// recorded in the returned Calls.
func Observe(ctx context.Context) (context.Context, *Calls) {
	c := &Calls{}
	return context.WithValue(ctx, callsKey{}, c), c
}

func (c *Calls) failed(err error) {
	if c == nil {
		return
	}
	c.mu.Lock()
	c.err = err
	c.mu.Unlock()
}

// answered records a response as the latest and returns it, for its body
// to fill; nil for a nil Calls.
func (c *Calls) answered(status int, contentType string) *answer {
	if c == nil {
		return nil
	}
	a := &answer{status: status, contentType: contentType}
	c.mu.Lock()
	c.err, c.last = nil, a
	c.mu.Unlock()
	return a
}

// read keeps what was read of a's body, up to HeadBytes, and whether the
// read reached its end.
func (c *Calls) read(a *answer, p []byte, eof bool) {
	if c == nil || a == nil {
		return
	}
	c.mu.Lock()
	if n := HeadBytes - len(a.head); n > 0 {
		a.head = append(a.head, p[:min(n, len(p))]...)
	}
	a.n += int64(len(p))
	a.eof = a.eof || eof
	c.mu.Unlock()
}

// lastErr is the error of the latest request, or of reading its body; nil
// when it was answered and read, or for a nil Calls.
func (c *Calls) lastErr() error {
	if c == nil {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.err
}

// lastResponse is the status and content type of the latest response; ok
// is false when none arrived.
func (c *Calls) lastResponse() (status int, contentType string, ok bool) {
	if c == nil {
		return 0, "", false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.last == nil {
		return 0, "", false
	}
	return c.last.status, c.last.contentType, true
}

// lastBody is the start of the latest response's body (at most HeadBytes),
// as far as it was read; nil when none arrived. It may be a token
// response, token and all: read it for its shape, never show it.
func (c *Calls) lastBody() []byte {
	if c == nil {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.last == nil {
		return nil
	}
	return bytes.Clone(c.last.head)
}

// lastWhole reports whether the latest response's body was read to its
// end and its head, of n bytes, holds all of it.
func (c *Calls) lastWhole(n int) bool {
	if c == nil {
		return false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.last != nil && c.last.eof && c.last.n == int64(n)
}

// Unanswered is why a call (a token request, with its discovery requests)
// that failed got no answer its client could read.
type Unanswered struct {
	// Err is what the network did: the latest request's transport or
	// body-read error, else the error that ended the call's context (a
	// deadline that fired between requests), else the call's own error
	// when nothing was recorded. Nil when Response is set.
	Err error
	// Response is set when a response arrived, read whole, that the
	// client could not use (an HTML page where JSON belongs); Status and
	// ContentType are its status and Content-Type, and Body the start of
	// its body (lastBody: it may hold a token, so read it for its shape).
	// Whole says Body is all of it: the body was read to its end, and no
	// longer than HeadBytes.
	Response    bool
	Status      int
	ContentType string
	Body        []byte
	Whole       bool
}

// Unanswered says why the call whose requests c recorded, and which failed
// with err, got no answer its client could read. azidentity keeps no cause
// in an AuthenticationFailedError without a response (a deadline, a reset,
// a body cut short all become text), so the cause is read from what the
// requests met, in this order: the latest request's error; ctxErr, the
// error that ended the call's context (read it before cancelling it); the
// latest response; err. The caller has ruled out an answer it could read.
func (c *Calls) Unanswered(ctxErr, err error) Unanswered {
	if last := c.lastErr(); last != nil {
		return Unanswered{Err: last}
	}
	if ctxErr != nil {
		return Unanswered{Err: ctxErr}
	}
	if st, ct, ok := c.lastResponse(); ok {
		body := c.lastBody()
		return Unanswered{Response: true, Status: st, ContentType: ct, Body: body, Whole: c.lastWhole(len(body))}
	}
	return Unanswered{Err: err}
}

// Now is the observer's local clock.
func (o *Observer) Now() time.Time { return o.now() }

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

// boundedBody fails a read past MaxResponseBytes, and records that failure,
// or any other failure to read the body (a connection cut mid-body), in
// the request's Calls so the finding can name it; it keeps the body's
// first bytes in its answer there.
type boundedBody struct {
	rc     io.ReadCloser
	left   int64
	host   string
	calls  *Calls
	answer *answer
}

func (b *boundedBody) Read(p []byte) (int, error) {
	if b.left <= 0 {
		err := fmt.Errorf("the response from %s is larger than %d MiB: not a real service answer (a proxy or a misconfigured endpoint?)", b.host, MaxResponseBytes>>20)
		b.calls.failed(err)
		return 0, err
	}
	if int64(len(p)) > b.left {
		p = p[:b.left]
	}
	n, err := b.rc.Read(p)
	b.left -= int64(n)
	b.calls.read(b.answer, p[:n], errors.Is(err, io.EOF))
	if err != nil && !errors.Is(err, io.EOF) {
		b.calls.failed(err)
	}
	return n, err
}

func (b *boundedBody) Close() error { return b.rc.Close() }
