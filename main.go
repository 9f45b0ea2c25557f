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
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime"
	"runtime/debug"
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

type options struct {
	tokenFile, format, output, color, failOn string
	offline, redact, verbose, version, list  bool
	timeout                                  time.Duration
	space, stack, module, account, clientID  string
}

// run parses flags, runs the diagnosis, renders it and returns the exit
// code. A run that SIGINT or SIGTERM cancelled (see notifyInterrupt) still
// renders what it found, and exits 130 or 143.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer, getenv func(string) string) int {
	return interruptExit(ctx, runCommand(ctx, args, stdin, stdout, stderr, getenv))
}

func runCommand(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer, getenv func(string) string) int {
	outW, errW := redact.NewWriter(stdout), redact.NewWriter(stderr)
	defer outW.Close()
	defer errW.Close()
	if getenv("AZURE_SDK_GO_LOGGING") == "all" {
		// The SDK's own logger writes to os.Stderr directly; send it through
		// the redacting writer instead, so debug logs never show a token.
		var mu sync.Mutex
		azlog.SetListener(func(ev azlog.Event, msg string) {
			mu.Lock()
			defer mu.Unlock()
			fmt.Fprintf(errW, "azure-sdk: %s: %s\n", ev, msg)
		})
		defer azlog.SetListener(nil)
	}
	cmd := ""
	if len(args) > 0 && (args[0] == "demo" || args[0] == "explain" || args[0] == "subjects") {
		cmd, args = args[0], args[1:]
	}
	var o options
	fs := flag.NewFlagSet("oidc-doctor", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.StringVar(&o.tokenFile, "token-file", "", "")
	fs.StringVar(&o.format, "format", "text", "")
	fs.StringVar(&o.output, "output", "", "")
	fs.StringVar(&o.color, "color", "auto", "")
	fs.StringVar(&o.failOn, "fail-on", "fail", "")
	fs.BoolVar(&o.offline, "offline", false, "")
	fs.BoolVar(&o.redact, "redact", false, "")
	fs.BoolVar(&o.verbose, "verbose", false, "")
	fs.BoolVar(&o.version, "version", false, "")
	fs.BoolVar(&o.list, "list", false, "")
	fs.DurationVar(&o.timeout, "timeout", check.DefaultTimeout, "")
	fs.StringVar(&o.space, "space", "", "")
	fs.StringVar(&o.stack, "stack", "", "")
	fs.StringVar(&o.module, "module", "", "")
	fs.StringVar(&o.account, "account", "", "")
	fs.StringVar(&o.clientID, "client-id", "", "")
	// Flags may follow positional arguments (demo NAME --format json).
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				fmt.Fprint(outW, usage)
				return 0
			}
			return usageErr(errW, err.Error())
		}
		if fs.NArg() == 0 {
			break
		}
		pos, args = append(pos, fs.Arg(0)), fs.Args()[1:]
	}
	if o.version {
		fmt.Fprintln(outW, "oidc-doctor", toolVersion())
		return 0
	}
	if err := validate(o); err != nil {
		return usageErr(errW, err.Error())
	}
	meta := report.Meta{Tool: "oidc-doctor", Version: toolVersion(), GoVersion: runtime.Version(), OS: runtime.GOOS, Arch: runtime.GOARCH, Generated: time.Now().UTC()}
	topts := report.TextOptions{Color: useColor(o.color, getenv, stdout), Verbose: o.verbose}
	cfg := check.Config{Getenv: getenv, TokenFile: o.tokenFile, Offline: o.offline, Timeout: o.timeout}
	switch cmd {
	case "explain":
		return explain(pos, stdin, outW, errW, o, meta, topts, cfg)
	case "subjects":
		rep, err := check.Subjects(check.SubjectsInput{Space: o.space, Stack: o.stack, Module: o.module, Account: o.account, ClientID: o.clientID}, cfg)
		if err != nil {
			return usageErr(errW, err.Error(), "run `oidc-doctor subjects --space ID --stack ID --account HOST`, or give --token-file")
		}
		return emit(rep, o, meta, topts, outW, errW)
	case "demo":
		if o.list {
			for _, s := range emulator.Scenarios() {
				fmt.Fprintf(outW, "%-26s %s\n", s.Name, s.Description)
			}
			return 0
		}
		name := "ok"
		if len(pos) > 0 {
			name = pos[0]
		}
		sc, ok := emulator.Lookup(name)
		if !ok {
			return usageErr(errW, fmt.Sprintf("no demo scenario %q", name), "run `oidc-doctor demo --list` to see them")
		}
		e, err := emulator.Start(sc, emulator.Options{})
		if err != nil {
			fmt.Fprintf(errW, "oidc-doctor: error: starting the emulator: %v\n", err)
			return 1
		}
		defer e.Close()
		var cleanup func()
		if cfg, cleanup, err = demoConfig(e, cfg); err != nil {
			fmt.Fprintf(errW, "oidc-doctor: error: preparing the demo workspace: %v\n", err)
			return 1
		}
		defer cleanup()
	default:
		if len(pos) > 0 {
			return usageErr(errW, fmt.Sprintf("unexpected argument %q", pos[0]), "run `oidc-doctor --help`")
		}
	}
	return emit(check.Run(ctx, cfg), o, meta, topts, outW, errW)
}

// demoConfig points the diagnosis at the emulator: a temporary workspace
// holding its token, its environment, its HTTP client. The diagnosis sees
// only what a real run would.
func demoConfig(e *emulator.Emulator, cfg check.Config) (check.Config, func(), error) {
	dir, err := os.MkdirTemp("", "oidc-doctor-demo-")
	if err != nil {
		return cfg, nil, err
	}
	env, path, err := e.RunEnv(dir)
	if err != nil {
		os.RemoveAll(dir)
		return cfg, nil, err
	}
	cfg.Getenv = func(k string) string { return env[k] }
	cfg.HTTPClient = e.Client()
	cfg.DefaultTokenPath = path
	return cfg, func() { os.RemoveAll(dir) }, nil
}

func validate(o options) error {
	switch {
	case o.format != "text" && o.format != "json" && o.format != "markdown":
		return fmt.Errorf("--format %q: want text, json or markdown", o.format)
	case o.color != "auto" && o.color != "always" && o.color != "never":
		return fmt.Errorf("--color %q: want auto, always or never", o.color)
	case o.failOn != "fail" && o.failOn != "warn" && o.failOn != "never":
		return fmt.Errorf("--fail-on %q: want fail, warn or never", o.failOn)
	case o.stack != "" && o.module != "":
		return fmt.Errorf("--stack and --module: give one, a subject names either a stack or a module")
	case o.timeout <= 0:
		return fmt.Errorf("--timeout %s: want a positive duration such as 20s", o.timeout)
	}
	return nil
}

func usageErr(w io.Writer, msg string, hints ...string) int {
	fmt.Fprintf(w, "oidc-doctor: error: %s\n", msg)
	for _, h := range append(hints, "run `oidc-doctor --help` for usage") {
		fmt.Fprintf(w, "oidc-doctor: hint: %s\n", h)
	}
	return 2
}

// useColor decides colour once: --color, then NO_COLOR, then whether stdout is a terminal.
func useColor(when string, getenv func(string) string, stdout io.Writer) bool {
	switch {
	case when != "auto":
		return when == "always"
	case getenv("NO_COLOR") != "" || getenv("TERM") == "dumb":
		return false
	}
	f, ok := stdout.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// emit renders rep to --output, then to stdout, and maps its status to the
// exit code. The file comes first, so a closed pipe on stdout (SIGPIPE)
// still leaves it; a failed file is reported, and stdout still written.
func emit(rep diag.Report, o options, meta report.Meta, topts report.TextOptions, stdout, stderr io.Writer) int {
	if o.redact {
		rep = report.RedactIDs(rep)
	}
	code := exitCode(rep, o.failOn)
	if o.output != "" {
		fopts := topts
		fopts.Color = false
		err := report.WriteFile(o.output, rep.TokenFiles, func(w io.Writer) error { return report.Render(w, o.format, rep, meta, fopts) })
		if err != nil {
			fmt.Fprintf(stderr, "oidc-doctor: error: writing --output %s: %v\n", o.output, err)
			code = exitBroken
		}
	}
	if err := report.Render(stdout, o.format, rep, meta, topts); err != nil {
		fmt.Fprintf(stderr, "oidc-doctor: error: writing the report: %v\n", err)
		return exitBroken
	}
	return code
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

func explain(args []string, stdin io.Reader, stdout, stderr io.Writer, o options, meta report.Meta, topts report.TextOptions, cfg check.Config) int {
	in, name := stdin, "standard input"
	if len(args) > 1 {
		return usageErr(stderr, "explain takes one FILE or -")
	}
	if len(args) == 1 && args[0] != "-" {
		f, err := os.Open(args[0])
		if err != nil {
			return usageErr(stderr, fmt.Sprintf("reading %s: %v", args[0], err))
		}
		defer f.Close()
		in, name = f, args[0]
	}
	text, cutAt, err := check.ReadPaste(in)
	if err != nil {
		fmt.Fprintf(stderr, "oidc-doctor: error: reading %s: %v\n", name, err)
		return 1
	}
	ex, err := check.ExplainPaste(text, cutAt, cfg)
	if err != nil {
		return usageErr(stderr, err.Error(), "give --token-file a readable Spacelift token, or leave it out")
	}
	if o.redact {
		ex = report.RedactExplain(ex)
	}
	if err := report.RenderExplain(stdout, o.format, ex, meta, topts); err != nil {
		fmt.Fprintf(stderr, "oidc-doctor: error: writing the report: %v\n", err)
		return 1
	}
	if len(ex.Findings) == 0 && o.failOn != "never" {
		return 3 // the report says no code was found
	}
	return 0
}

// toolVersion is the stamped version, else the module version for go install builds.
func toolVersion() string {
	if version != "" {
		return version
	}
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "devel"
}
