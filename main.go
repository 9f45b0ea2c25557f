// Command oidc-doctor diagnoses Spacelift → Microsoft Entra ID workload
// identity federation: it decodes the run's OIDC token, exchanges it with
// Entra ID, checks Azure RBAC, and says which setting is wrong and how to fix it.
//
// Output rules: the report goes to stdout (and --output); errors go to stderr
// as "oidc-doctor: error: ..." (lower case, no final period), followed by
// "oidc-doctor: hint: ..." lines. Every stream passes through a redacting
// writer, so nothing shaped like a JWT or bearer token is ever printed.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"runtime"
	"sync"
	"time"

	azlog "github.com/Azure/azure-sdk-for-go/sdk/azcore/log"

	"github.com/oidc-doctor/oidc-doctor/check"
	"github.com/oidc-doctor/oidc-doctor/check/diag"
	"github.com/oidc-doctor/oidc-doctor/check/emulator"
	"github.com/oidc-doctor/oidc-doctor/check/redact"
	"github.com/oidc-doctor/oidc-doctor/report"
)

// version is stamped at link time (-X main.version=v1.2.3).
var version string

func main() {
	ctx, stop := notifyInterrupt(context.Background())
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr, os.Getenv))
}

// run parses the command line, runs the command, renders its report and
// returns the exit code. A run that SIGINT or SIGTERM cancelled (see
// notifyInterrupt) still renders what it found, and exits 130 or 143.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer, getenv func(string) string) int {
	return interruptExit(ctx, runCommand(ctx, args, stdin, stdout, stderr, getenv))
}

func runCommand(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer, getenv func(string) string) int {
	outW, errW := redact.NewWriter(stdout), redact.NewWriter(stderr)
	defer outW.Close()
	defer errW.Close()
	defer sdkLog(getenv, errW)()
	o, code := parse(args, outW, errW)
	if o == nil {
		return code
	}
	topts := report.TextOptions{Color: useColor(o.color, getenv, stdout), Verbose: o.verbose, Width: terminalWidth(stdout, getenv)}
	cfg := check.Config{Getenv: getenv, TokenFile: o.tokenFile, Offline: o.offline, Timeout: o.timeout, Dir: o.dir}
	if o.format != "json" {
		cfg.Progress = progressLine(stderr)
	}
	switch o.cmd {
	case "version":
		fmt.Fprintln(outW, "oidc-doctor", toolVersion())
		return exitOK
	case "explain":
		return explain(o, stdin, outW, errW, topts, cfg)
	case "subjects":
		rep, err := check.Subjects(check.SubjectsInput{Space: o.space, Stack: o.stack, Module: o.module, Account: o.account, ClientID: o.clientID}, cfg)
		if err != nil {
			return usageErr(errW, err.Error(), "run `oidc-doctor subjects --space ID --stack ID --account HOST`, or give --token-file")
		}
		return emit(rep, o, topts, outW, errW)
	case "demo":
		if o.list {
			for _, s := range emulator.Scenarios() {
				fmt.Fprintf(outW, "%-28s %s\n", s.Name, s.Description)
			}
			return exitOK
		}
		e, err := emulator.Start(o.scenario, emulator.Options{})
		if err != nil {
			fmt.Fprintf(errW, "oidc-doctor: error: starting the emulator: %v\n", err)
			return exitBroken
		}
		defer e.Close()
		var cleanup func()
		if cfg, cleanup, err = demoConfig(e, cfg); err != nil {
			fmt.Fprintf(errW, "oidc-doctor: error: preparing the demo workspace: %v\n", err)
			return exitBroken
		}
		defer cleanup()
	}
	return emit(check.Run(ctx, cfg), o, topts, outW, errW)
}

// emit renders rep to --output, then to stdout, and maps its status to the
// exit code. The file comes first, so a closed pipe on stdout (SIGPIPE)
// still leaves it; a failed file is reported, and stdout still written.
func emit(rep diag.Report, o *options, topts report.TextOptions, stdout, stderr io.Writer) int {
	if o.redact {
		rep = report.RedactIDs(rep)
	}
	meta := metaNow(rep.Started)
	code := exitCode(rep, o.failOn)
	render := func(w io.Writer, t report.TextOptions) error { return report.Render(w, o.format, rep, meta, t) }
	if !writeOutput(o, topts, rep.TokenFiles, render, stderr) {
		code = exitBroken
	}
	if err := render(stdout, topts); err != nil {
		fmt.Fprintf(stderr, "oidc-doctor: error: writing the report: %v\n", err)
		return exitBroken
	}
	return code
}

// writeOutput writes the report to --output, if given, without colour or
// width, refusing any of inputs; false when that failed, which it reports.
func writeOutput(o *options, topts report.TextOptions, inputs []string, render func(io.Writer, report.TextOptions) error, stderr io.Writer) bool {
	if o.output == "" {
		return true
	}
	fopts := topts
	fopts.Color, fopts.Width = false, 0
	if err := report.WriteFile(o.output, inputs, func(w io.Writer) error { return render(w, fopts) }); err != nil {
		fmt.Fprintf(stderr, "oidc-doctor: error: writing --output %s: %v\n", o.output, err)
		return false
	}
	return true
}

// metaNow describes this build, generated now, and never before started.
func metaNow(started time.Time) report.Meta {
	now := time.Now().UTC()
	if now.Before(started) {
		now = started.UTC()
	}
	return report.Meta{Tool: "oidc-doctor", Version: toolVersion(), GoVersion: runtime.Version(), OS: runtime.GOOS, Arch: runtime.GOARCH, Generated: now}
}

// Exit codes; see usage and README. Precedence: 1 > 130/143 > 3 > 4 > 0.
const (
	exitOK           = 0
	exitBroken       = 1
	exitUsage        = 2
	exitFailed       = 3
	exitInconclusive = 4
	exitInterrupted  = 130 // SIGINT: 128 + 2
	exitTerminated   = 143 // SIGTERM: 128 + 15
)

// exitCode maps a report to its exit code: 3 for a misconfiguration, 4 when
// every failure is a fault of a service or the network. --fail-on never
// maps both to 0; --fail-on warn adds warnings to 3.
func exitCode(rep diag.Report, failOn string) int {
	if failOn == "never" {
		return exitOK
	}
	warned := failOn == "warn" && rep.Status() != diag.StatusPass
	switch rep.Outcome() {
	case diag.OutcomeFail:
		return exitFailed
	case diag.OutcomeInconclusive:
		if warned && hasStatus(rep, diag.StatusWarn) {
			return exitFailed
		}
		return exitInconclusive
	case diag.OutcomeWarn:
		if warned {
			return exitFailed
		}
	}
	return exitOK
}

func hasStatus(rep diag.Report, s diag.Status) bool {
	for _, r := range rep.Results {
		if r.Status == s {
			return true
		}
	}
	return false
}

// explain reads the paste (a file or stdin), explains it and renders it.
// With no error recognised it exits 3, as the report says.
func explain(o *options, stdin io.Reader, stdout, stderr io.Writer, topts report.TextOptions, cfg check.Config) int {
	in, name := stdin, "standard input"
	if o.paste != "" && o.paste != "-" {
		f, err := os.Open(o.paste)
		if err != nil {
			return usageErr(stderr, fmt.Sprintf("reading %s: %v", o.paste, err))
		}
		defer f.Close()
		in, name = f, o.paste
	}
	text, cutAt, err := check.ReadPaste(in)
	if err != nil {
		fmt.Fprintf(stderr, "oidc-doctor: error: reading %s: %v\n", name, err)
		return exitBroken
	}
	ex, err := check.ExplainPaste(text, cutAt, cfg)
	if err != nil {
		return usageErr(stderr, err.Error(), "give --token-file a readable Spacelift token, or leave it out")
	}
	if o.redact {
		ex = report.RedactExplain(ex)
	}
	code := exitOK
	if len(ex.Findings) == 0 && o.failOn != "never" {
		code = exitFailed // the report says no code was found
	}
	meta := metaNow(time.Time{})
	render := func(w io.Writer, t report.TextOptions) error { return report.RenderExplain(w, o.format, ex, meta, t) }
	var inputs []string
	for _, f := range []string{cfg.TokenFile, o.paste} {
		if f != "" && f != "-" {
			inputs = append(inputs, f)
		}
	}
	if !writeOutput(o, topts, inputs, render, stderr) {
		code = exitBroken
	}
	if err := render(stdout, topts); err != nil {
		fmt.Fprintf(stderr, "oidc-doctor: error: writing the report: %v\n", err)
		return exitBroken
	}
	return code
}

// sdkLog sends the Azure SDK's debug log (AZURE_SDK_GO_LOGGING=all)
// through the redacting writer instead of straight to os.Stderr, so debug
// logs never show a token. It returns the function that stops it.
func sdkLog(getenv func(string) string, w io.Writer) func() {
	if getenv("AZURE_SDK_GO_LOGGING") != "all" {
		return func() {}
	}
	var mu sync.Mutex
	azlog.SetListener(func(ev azlog.Event, msg string) {
		mu.Lock()
		defer mu.Unlock()
		fmt.Fprintf(w, "azure-sdk: %s: %s\n", ev, msg)
	})
	return func() { azlog.SetListener(nil) }
}
