package check_test

import (
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/oidc-doctor/oidc-doctor/check/backend"
	"github.com/oidc-doctor/oidc-doctor/check/diag"
	"github.com/oidc-doctor/oidc-doctor/check/emulator"
	"github.com/oidc-doctor/oidc-doctor/check/entra"
	"github.com/oidc-doctor/oidc-doctor/check/rbac"
)

// sweepPresets are healthy set-ups: each passes or warns unfaulted.
var sweepPresets = []string{"ok", "backend-ok", "graph-azuread-ok", "rbac-rg-only", "alias-other-tenant"}

// sweepFaults are the faults of a service or the network that the sweep
// injects, one endpoint at a time, on every request to it.
var sweepFaults = []struct {
	name  string
	fault emulator.Fault
}{
	{"reset", emulator.Fault{Reset: true}},
	{"500", emulator.Fault{Status: 500}},
	{"503", emulator.Fault{Status: 503}},
	{"429", emulator.Fault{Status: 429, RetryAfter: "30"}},
	{"truncate", emulator.Fault{Truncate: true}},
	{"hang", emulator.Fault{Hang: true}},
}

// Run timeouts of the sweep: short, so that a hang costs little; a fault
// that is retried still fits (azcore's retries add about two seconds).
// Such a hang ends on the run's deadline, before any step's own, so each
// endpoint also hangs once under sweepLongHangTimeout: there a step's own
// deadline must end the run, and the report must be just as right.
const (
	sweepTimeout     = 6 * time.Second
	sweepHangTimeout = 3 * time.Second
	sweepWorkers     = 24 // most of a faulted run waits on a retry delay or a deadline
)

// sweepStepDeadline is the longest deadline of a network step (the
// prefetched storage token's is backend.Timeout); a run under
// sweepLongHangTimeout still waiting when its own deadline fires has a
// step without one.
var (
	sweepStepDeadline    = max(entra.Timeout, rbac.Timeout, backend.Timeout)
	sweepLongHangTimeout = sweepStepDeadline + 5*time.Second
)

// TestFaultSweep: on a healthy set-up, a fault of a service or the network
// on any one endpoint (a reset, a 5xx, a 429 that outlives the retries, a
// truncated body, a hang, cut by the run's deadline or by the step's own)
// is never reported as a misconfiguration: the run is inconclusive (every
// failure has a fault cause) or still passes or warns and names the fault
// in some result, and it ends within its deadline.
func TestFaultSweep(t *testing.T) {
	t.Parallel()
	type job struct {
		preset, endpoint, fault string
		f                       emulator.Fault
		timeout                 time.Duration
	}
	var jobs, long []job
	seen := map[string]bool{}
	for _, p := range sweepPresets {
		for _, ep := range endpointsOf(t, p) {
			for _, f := range sweepFaults {
				timeout := sweepTimeout
				if f.fault.Hang {
					timeout = sweepHangTimeout
				}
				jobs = append(jobs, job{p, ep, f.name, f.fault, timeout})
			}
			if !seen[ep] {
				seen[ep] = true
				long = append(long, job{p, ep, "hang past the step's deadline", emulator.Fault{Hang: true}, sweepLongHangTimeout})
			}
		}
	}
	var mu sync.Mutex
	hit, failed, unreachable := 0, 0, 0
	run := func(j job) {
		name := j.preset + " + " + j.endpoint + " " + j.fault
		faulted, issuer, msg := sweepOne(t, j.preset, j.endpoint, j.f, j.timeout)
		mu.Lock()
		defer mu.Unlock()
		if faulted {
			hit++
		}
		if issuer {
			unreachable++
		}
		if msg != "" {
			failed++
			t.Errorf("%s: %s", name, msg)
		}
	}
	sem := make(chan struct{}, sweepWorkers)
	var wg sync.WaitGroup
	// The long hangs only wait: they run beside the workers, not in them.
	for _, j := range long {
		wg.Go(func() { run(j) })
	}
	for _, j := range jobs {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			run(j)
		})
	}
	wg.Wait()
	t.Logf("%d faulted runs of %d (%d hangs past a step's deadline): %d wrong, %d an unreachable issuer (exit 3)", hit, len(jobs)+len(long), len(long), failed, unreachable)
	if all := len(jobs) + len(long); hit < all/2 {
		t.Errorf("only %d of %d runs reached their faulted endpoint", hit, all)
	}
}

// unreachableIssuer reports whether rep is the one fault that is a
// misconfiguration: the issuer gave no answer (a reset, a truncated body, a
// hang) to oidc-doctor nor to Entra, which says AADSTS50166. Issue 12 makes
// that exit 3: Terraform gets the same answer, and an issuer Entra's network
// cannot reach is usually a firewall or a self-hosted issuer. The report
// must say so: every failure has that cause, and the issuer check's summary
// says neither could reach it.
func unreachableIssuer(endpoint string, f emulator.Fault, rep diag.Report) bool {
	if !strings.HasPrefix(endpoint, "issuer-") || !f.Reset && !f.Truncate && !f.Hang {
		return false
	}
	said := false
	for _, r := range rep.Results {
		switch {
		case r.Status != diag.StatusFail || r.Cause.Fault():
		case r.Cause != diag.CauseExternalOIDCUnreachable:
			return false
		case r.Step == "issuer":
			said = said || strings.HasPrefix(r.Summary, "neither oidc-doctor nor Entra")
		}
	}
	return said
}

// endpointsOf runs preset unfaulted, checks that it does not fail, and
// returns the endpoints it requests.
func endpointsOf(t *testing.T, preset string) []string {
	t.Helper()
	rep, e := runScenario(t, lookup(t, preset), 20*time.Second)
	if o := rep.Outcome(); o != diag.OutcomePass && o != diag.OutcomeWarn {
		t.Fatalf("%s unfaulted: %s\n%s", preset, o, dump(rep))
	}
	// Else a faulted run that passes would be said to name its fault.
	for _, f := range sweepFaults {
		if namesFault(rep, f.fault) {
			t.Fatalf("%s unfaulted names a %s fault:\n%s", preset, f.name, dump(rep))
		}
	}
	var eps []string
	for _, r := range e.Requests() {
		if r.Endpoint != "" && !slices.Contains(eps, r.Endpoint) {
			eps = append(eps, r.Endpoint)
		}
	}
	if len(eps) == 0 {
		t.Fatalf("%s made no request", preset)
	}
	return eps
}

// sweepOne runs preset with fault f on endpoint and says whether the fault
// was applied, whether the report is an unreachable issuer, and what is
// wrong with it ("" if nothing).
func sweepOne(t *testing.T, preset, endpoint string, f emulator.Fault, timeout time.Duration) (faulted, issuer bool, wrong string) {
	sc := lookup(t, preset)
	sc.Faults = map[string]emulator.Fault{endpoint: f}
	e, err := emulator.Start(sc, emulator.Options{})
	if err != nil {
		return false, false, err.Error()
	}
	defer e.Close()
	start := time.Now()
	rep := runOn(t, e, timeout)
	el := time.Since(start)
	faulted = slices.ContainsFunc(e.Requests(), func(r emulator.Request) bool { return r.Fault != "" })
	issuer = rep.Outcome() == diag.OutcomeFail && unreachableIssuer(endpoint, f, rep)
	var msgs []string
	// Generous slack: this checks that the deadline holds, not speed.
	if el > timeout+5*time.Second {
		msgs = append(msgs, fmt.Sprintf("took %s with a run timeout of %s", el.Round(time.Millisecond), timeout))
	}
	if timeout > sweepStepDeadline && el >= timeout {
		msgs = append(msgs, fmt.Sprintf("the run's deadline (%s) ended it, not a step's own (at most %s)", timeout, sweepStepDeadline))
	}
	if o := rep.Outcome(); faulted && (o == diag.OutcomePass || o == diag.OutcomeWarn) && !namesFault(rep, f) {
		msgs = append(msgs, fmt.Sprintf("ends %s and no result names the fault:\n%s", o, dump(rep)))
	}
	if rep.Outcome() == diag.OutcomeFail && !issuer {
		for _, r := range rep.Results {
			if r.Status == diag.StatusFail && !r.Cause.Fault() {
				msgs = append(msgs, fmt.Sprintf("%s fails with cause %q (root %q): %s", r.ID, r.Cause, r.RootCause, r.Summary))
			}
		}
	}
	return faulted, issuer, strings.Join(msgs, "; ")
}

// namesFault reports whether some result of rep, whatever its status,
// says that the fault f kept it from finding something out: a fault cause
// (on a failure or a warning), or, on a best-effort check that skipped, a
// summary or fact in the words the checks use for f ("not read: …
// answered HTTP 503", "… timed out").
func namesFault(rep diag.Report, f emulator.Fault) bool {
	var words []string
	switch {
	case f.Status != 0:
		words = []string{fmt.Sprintf("HTTP %d", f.Status)}
	case f.Reset:
		words = []string{"reset", "closed the connection"}
	case f.Truncate:
		words = []string{"closed the connection", "cut short", "unexpected EOF"}
	case f.Hang:
		words = []string{"timed out", "deadline"}
	}
	return slices.ContainsFunc(rep.Results, func(r diag.Result) bool {
		if r.Cause.Fault() {
			return true
		}
		text := r.Summary
		for _, fc := range r.Facts {
			text += "\n" + fc.Value
		}
		return slices.ContainsFunc(words, func(w string) bool { return strings.Contains(text, w) })
	})
}
