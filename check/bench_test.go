package check_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptrace"
	"runtime"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/oidc-doctor/oidc-doctor/check"
	"github.com/oidc-doctor/oidc-doctor/check/diag"
	"github.com/oidc-doctor/oidc-doctor/check/emulator"
	"github.com/oidc-doctor/oidc-doctor/report"
)

// BenchmarkOffline is what `oidc-doctor --offline --token-file T` does after
// flag parsing: read and decode the token, run every offline check, and render
// the report in one format. The "check" case is the diagnosis alone, so the
// renderers' share is the difference. The network run is BenchmarkFullRun in
// run_test.go; .ci/bench runs both.
func BenchmarkOffline(b *testing.B) {
	// The emulator only mints the token and the Spacelift environment; it is
	// closed before timing starts and nothing here touches the network.
	cfg := runConfig(b, startScenario(b, "ok"))
	cfg.TokenFile, cfg.Offline, cfg.HTTPClient = cfg.DefaultTokenPath, true, nil
	meta := report.Meta{Tool: "oidc-doctor", Version: "bench", GoVersion: runtime.Version(), OS: runtime.GOOS, Arch: runtime.GOARCH, Generated: time.Now().UTC()}

	if rep := check.Run(context.Background(), cfg); rep.Status() == diag.StatusFail {
		b.Fatalf("offline run of the ok scenario failed:\n%s", dump(rep))
	}
	renderers := []struct {
		name   string
		render func(io.Writer, diag.Report) error
	}{
		{"check", nil},
		{"text", func(w io.Writer, r diag.Report) error { return report.Text(w, r, meta, report.TextOptions{}) }},
		{"json", func(w io.Writer, r diag.Report) error { return report.JSON(w, r, meta) }},
		{"markdown", func(w io.Writer, r diag.Report) error { return report.Markdown(w, r, meta) }},
	}
	for _, rr := range renderers {
		b.Run(rr.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				rep := check.Run(context.Background(), cfg)
				if rr.render == nil {
					continue
				}
				if err := rr.render(io.Discard, rep); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkFullRunColdConn is BenchmarkFullRun with what a new process
// really has: an empty connection pool, so every run pays its TCP and TLS
// handshakes. (BenchmarkFullRun builds a new http.Client per run, but
// emulator.Client shares one transport, so its connections stay warm.) It
// reports new connections per run, and logs them per host; fewer conns/op
// than requests/op is reuse. The emulator speaks HTTP/1.1 only, so concurrent
// calls to one host each take a connection; Entra and ARM speak HTTP/2, where
// the production client (ForceAttemptHTTP2) would share one.
func BenchmarkFullRunColdConn(b *testing.B) {
	for _, name := range []string{"ok", "backend-ok", "subject-scope"} {
		b.Run(name, func(b *testing.B) {
			e := startScenario(b, name)
			cfg := runConfig(b, e)
			base, ok := e.Client().Transport.(*http.Transport)
			if !ok {
				b.Skipf("emulator transport is %T, not *http.Transport", e.Client().Transport)
			}
			e.ResetRequests()
			ct := &connTracer{reqs: map[string]int{}, conns: map[string]int{}}
			b.ReportAllocs()
			runs := 0
			for b.Loop() {
				runs++
				tr := base.Clone() // same TLS roots and dialer, empty pool
				cfg.HTTPClient = &http.Client{Transport: ct.wrap(tr)}
				check.Run(context.Background(), cfg)
				tr.CloseIdleConnections()
			}
			b.StopTimer()
			reqs, conns := ct.total()
			b.ReportMetric(float64(conns)/float64(runs), "conns/op")
			b.ReportMetric(float64(reqs)/float64(runs), "requests/op")
			b.Logf("%s, per run: %s", name, ct.perHost(runs))
			b.Logf("%s, the requests of one run: %s", name, requestList(e))
		})
	}
}

// connTracer counts requests and newly dialled connections per host.
type connTracer struct {
	mu          sync.Mutex
	reqs, conns map[string]int
}

type tracingTransport struct {
	base http.RoundTripper
	ct   *connTracer
}

func (ct *connTracer) wrap(rt http.RoundTripper) http.RoundTripper {
	return tracingTransport{rt, ct}
}

func (t tracingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	host := req.URL.Hostname()
	trace := &httptrace.ClientTrace{GotConn: func(info httptrace.GotConnInfo) {
		if !info.Reused {
			t.ct.mu.Lock()
			t.ct.conns[host]++
			t.ct.mu.Unlock()
		}
	}}
	t.ct.mu.Lock()
	t.ct.reqs[host]++
	t.ct.mu.Unlock()
	return t.base.RoundTrip(req.WithContext(httptrace.WithClientTrace(req.Context(), trace)))
}

func (ct *connTracer) total() (reqs, conns int) {
	ct.mu.Lock()
	defer ct.mu.Unlock()
	for _, n := range ct.reqs {
		reqs += n
	}
	for _, n := range ct.conns {
		conns += n
	}
	return reqs, conns
}

func (ct *connTracer) perHost(runs int) string {
	ct.mu.Lock()
	defer ct.mu.Unlock()
	hosts := make([]string, 0, len(ct.reqs))
	for h := range ct.reqs {
		hosts = append(hosts, h)
	}
	sort.Strings(hosts)
	var b strings.Builder
	for i, h := range hosts {
		if i > 0 {
			b.WriteString("; ")
		}
		fmt.Fprintf(&b, "%s %.3g requests over %.3g connections", h, float64(ct.reqs[h])/float64(runs), float64(ct.conns[h])/float64(runs))
	}
	return b.String()
}

// requestList is the distinct requests the emulator answered (not its own
// key fetches), on one line (benchmark logs are cut at ten lines), without
// query strings or bodies.
func requestList(e *emulator.Emulator) string {
	seen := map[string]bool{}
	var lines []string
	for _, r := range e.Requests() {
		k := r.Method + " https://" + r.Host + r.Path
		if r.Internal || seen[k] {
			continue
		}
		seen[k] = true
		lines = append(lines, k)
	}
	return strings.Join(lines, ", ")
}
