package main

// The command line: each command's arguments, flags and help, and the
// parser that turns os.Args into options or a usage error.

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"slices"
	"strings"
	"time"

	"github.com/oidc-doctor/oidc-doctor/check"
	"github.com/oidc-doctor/oidc-doctor/check/emulator"
)

// options is what the command line asked for.
type options struct {
	cmd                                      string // "" (diagnose), demo, explain, subjects, version
	tokenFile, format, output, color, failOn string
	dir                                      string // --dir, the Terraform project root
	offline, redact, verbose, list           bool
	timeout                                  time.Duration
	space, stack, module, account, clientID  string
	paste                                    string            // explain's FILE or -
	scenario                                 emulator.Scenario // demo's
}

// command is one subcommand: its arguments, its flags, its help.
type command struct {
	name, args, summary string
	flags               func(fs *flag.FlagSet, o *options)
	maxArgs             int
}

var commands = []command{
	{"", "", "diagnose this run's Spacelift OIDC token against Azure", func(fs *flag.FlagSet, o *options) {
		runFlags(fs, o)
		fs.StringVar(&o.tokenFile, "token-file", "", "")
		fs.StringVar(&o.dir, "dir", "", "")
	}, 0},
	{"demo", "[SCENARIO]", "the same diagnosis against the built-in emulator (demo --list)", func(fs *flag.FlagSet, o *options) {
		runFlags(fs, o)
		fs.BoolVar(&o.list, "list", false, "")
	}, 1},
	{"explain", "[FILE|-]", "explain every AADSTS and ARM error in pasted output", func(fs *flag.FlagSet, o *options) {
		reportFlags(fs, o)
		timeoutFlag(fs, o)
		fs.StringVar(&o.tokenFile, "token-file", "", "")
	}, 1},
	{"subjects", "", "every subject a stack or module needs, with the commands", func(fs *flag.FlagSet, o *options) {
		reportFlags(fs, o)
		timeoutFlag(fs, o)
		fs.StringVar(&o.tokenFile, "token-file", "", "")
		fs.StringVar(&o.space, "space", "", "")
		fs.StringVar(&o.stack, "stack", "", "")
		fs.StringVar(&o.module, "module", "", "")
		fs.StringVar(&o.account, "account", "", "")
		fs.StringVar(&o.clientID, "client-id", "", "")
	}, 0},
	{"help", "[COMMAND]", "this help, or a command's", func(*flag.FlagSet, *options) {}, 1},
	{"version", "", "print the version", func(*flag.FlagSet, *options) {}, 0},
}

func reportFlags(fs *flag.FlagSet, o *options) {
	fs.StringVar(&o.format, "format", "text", "")
	fs.StringVar(&o.output, "output", "", "")
	fs.StringVar(&o.color, "color", "auto", "")
	fs.StringVar(&o.failOn, "fail-on", "fail", "")
	fs.BoolVar(&o.redact, "redact", false, "")
	fs.BoolVar(&o.verbose, "verbose", false, "")
}

func runFlags(fs *flag.FlagSet, o *options) {
	reportFlags(fs, o)
	timeoutFlag(fs, o)
	fs.BoolVar(&o.offline, "offline", false, "")
}

func timeoutFlag(fs *flag.FlagSet, o *options) {
	fs.Var(durationFlag{&o.timeout}, "timeout", "")
	o.timeout = check.DefaultTimeout
}

// durationFlag is a duration that must carry its unit: "--timeout 5" is an
// error that names the flag and gives an example.
type durationFlag struct{ d *time.Duration }

func (f durationFlag) String() string {
	if f.d == nil {
		return ""
	}
	return f.d.String()
}

func (f durationFlag) Set(s string) error {
	if s != "" && strings.Trim(s, "0123456789.") == "" {
		return fmt.Errorf("a duration needs a unit: write %ss or %sm", s, s)
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		return errors.New("not a duration: write it like 30s, 2m or 1m30s")
	}
	*f.d = d
	return nil
}

// parse reads args into options. When it returns nil options, the command
// line was handled (help) or wrong, and code is the exit code.
func parse(args []string, stdout, stderr io.Writer) (*options, int) {
	o := &options{}
	cmd := commands[0]
	if len(args) > 0 {
		for _, c := range commands[1:] {
			if args[0] == c.name {
				cmd, args = c, args[1:]
				break
			}
		}
	}
	o.cmd = cmd.name
	fs := flag.NewFlagSet("oidc-doctor "+cmd.name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	cmd.flags(fs, o)
	version := false
	if cmd.name == "" {
		fs.BoolVar(&version, "version", false, "")
	}
	// Flags may follow positional arguments (demo NAME --format json).
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				fmt.Fprint(stdout, help(cmd.name))
				return nil, exitOK
			}
			return nil, usageErr(stderr, err.Error(), strings.TrimSpace("run `oidc-doctor help "+cmd.name)+"` for its flags")
		}
		if fs.NArg() == 0 {
			break
		}
		pos, args = append(pos, fs.Arg(0)), fs.Args()[1:]
	}
	switch {
	case len(pos) > cmd.maxArgs:
		return nil, usageErr(stderr, fmt.Sprintf("unexpected argument %q", pos[cmd.maxArgs]), "`"+strings.TrimSpace("oidc-doctor "+cmd.name+" "+cmd.args)+"` takes no more")
	case cmd.name == "help":
		return nil, helpCommand(pos, stdout, stderr)
	case version:
		o.cmd = "version"
	}
	if err := o.finish(pos); err != nil {
		return nil, usageErr(stderr, err.Error())
	}
	return o, exitOK
}

// finish checks the flags' values and reads the positional argument.
func (o *options) finish(pos []string) error {
	switch {
	case o.cmd == "version" || o.cmd == "help":
		return nil
	case o.format != "text" && o.format != "json" && o.format != "markdown":
		return fmt.Errorf("--format %q: want text, json or markdown", o.format)
	case o.output == "json" || o.output == "text" || o.output == "markdown":
		return fmt.Errorf("--output %s names a file; to choose the format, use --format %s (and --output FILE to also write it to a file)", o.output, o.output)
	case o.color != "auto" && o.color != "always" && o.color != "never":
		return fmt.Errorf("--color %q: want auto, always or never", o.color)
	case o.failOn != "fail" && o.failOn != "warn" && o.failOn != "never":
		return fmt.Errorf("--fail-on %q: want fail, warn or never", o.failOn)
	case o.stack != "" && o.module != "":
		return errors.New("--stack and --module: give one, a subject names either a stack or a module")
	case o.timeout <= 0:
		return fmt.Errorf("--timeout %s: want a positive duration such as 20s", o.timeout)
	}
	if err := checkDir(o.dir); err != nil {
		return err
	}
	if len(pos) == 1 {
		o.paste = pos[0]
	}
	if o.cmd == "demo" && !o.list {
		name := "ok"
		if len(pos) == 1 {
			name = pos[0]
		}
		sc, ok := emulator.Lookup(name)
		if !ok {
			return fmt.Errorf("no demo scenario %q (run `oidc-doctor demo --list` to see them)", name)
		}
		o.scenario = sc
	}
	return nil
}

// checkDir refuses a --dir that is not a directory.
func checkDir(dir string) error {
	if dir == "" {
		return nil
	}
	st, err := os.Stat(dir)
	switch {
	case err != nil:
		return fmt.Errorf("--dir %s: %v", dir, errors.Unwrap(err))
	case !st.IsDir():
		return fmt.Errorf("--dir %s: not a directory; give the Terraform project root", dir)
	}
	return nil
}

// helpCommand is `oidc-doctor help [COMMAND]`.
func helpCommand(pos []string, stdout, stderr io.Writer) int {
	if len(pos) == 0 {
		fmt.Fprint(stdout, help(""))
		return exitOK
	}
	for _, c := range commands[1:] {
		if c.name == pos[0] {
			fmt.Fprint(stdout, help(c.name))
			return exitOK
		}
	}
	return usageErr(stderr, fmt.Sprintf("no command %q", pos[0]), "the commands are demo, explain, subjects, help and version")
}

// help is the help of one command; "" is the diagnosis, with the overview.
func help(cmd string) string {
	var b strings.Builder
	for _, c := range commands {
		if c.name == cmd {
			fmt.Fprintf(&b, "Usage: %s\n    %s\n\n", strings.Join(strings.Fields("oidc-doctor "+c.name+" [flags] "+c.args), " "), c.summary)
			if f := flagHelp[cmd]; f != "" {
				b.WriteString("Flags:\n" + f + "\n")
			}
		}
	}
	if cmd == "" {
		b.WriteString("Commands:\n")
		for _, c := range commands[1:] {
			fmt.Fprintf(&b, "    %-28s %s\n", strings.TrimSpace(c.name+" "+c.args), c.summary)
		}
		b.WriteString("    (each takes -h or --help for its own flags)\n\n" + exitHelp + examples)
	}
	return b.String()
}

const reportFlagHelp = `    --format FORMAT       text, json or markdown (default text)
    --output FILE         also write the report to FILE, before stdout: a new file of mode 0600
                          renamed into place (a symlink there is replaced, not followed);
                          a path that is not a regular file (/dev/stdout, /dev/stderr, a FIFO)
                          is written directly; a token file read by the run is refused
    --color WHEN          auto, always or never (default auto; NO_COLOR turns auto off)
    --fail-on LEVEL       exit non-zero on: fail, warn or never (default fail)
    --redact              mask tenant, subscription, client and object ids and the account,
                          whole values only
    --verbose             show every check in full
`

const timeoutFlagHelp = `    --timeout DURATION    bound for the whole run, with a unit (default 30s)
`

const runFlagHelp = reportFlagHelp + timeoutFlagHelp + `    --offline             only checks that need no network
`

const tokenFlagHelp = `    --token-file PATH     read the token from PATH (default: ARM_OIDC_TOKEN, ARM_OIDC_TOKEN_FILE_PATH,
                          SPACELIFT_OIDC_TOKEN, $TF_VAR_spacelift_workspace_root/spacelift.oidc,
                          /mnt/workspace/spacelift.oidc)
`

const dirFlagHelp = `    --dir DIR             the Terraform project root to read (default: the working directory, where
                          the before_init hook runs): *.tf, *.tf.json and the azurerm backend
`

var flagHelp = map[string]string{
	"":        tokenFlagHelp + dirFlagHelp + runFlagHelp + "    --version             print the version\n",
	"demo":    runFlagHelp + "    --list                list the emulator's scenarios\n",
	"explain": reportFlagHelp + timeoutFlagHelp + tokenFlagHelp + "                          to compare the values the errors quote with the token's\n",
	"subjects": reportFlagHelp + timeoutFlagHelp + tokenFlagHelp + `    --space ID            the space id (with its ULID suffix, as in the token)
    --stack ID | --module ID
    --account HOST        the account host, e.g. acme.app.spacelift.io
    --client-id ID        the app registration's client id, for the commands
`,
}

const exitHelp = `Exit codes (the same in every format):
    0  no check failed (warnings allowed)
    1  oidc-doctor itself could not run
    2  usage error
    3  at least one check failed: a misconfiguration the run will hit
       (explain: no error code recognised)
    4  inconclusive: a service or network fault stopped a step, and
       nothing is known to be misconfigured
    130, 143  interrupted (SIGINT, SIGTERM); what was known is still rendered
    Precedence: 1 > 130/143 > 3 > 4 > 0. --fail-on never maps 3 and 4 to 0;
    --fail-on warn adds warnings to 3.

`

const examples = `Examples:
    oidc-doctor --color always                 # as a Spacelift before_init hook
    oidc-doctor --format markdown > report.md  # for a support ticket
    oidc-doctor demo subject-scope             # see a failure diagnosed, no Azure needed
    terraform plan 2>&1 | oidc-doctor explain -
`

// usageErr prints a usage error and its hints and returns exit code 2.
// The last hint points at help, unless one of hints already does.
func usageErr(w io.Writer, msg string, hints ...string) int {
	fmt.Fprintf(w, "oidc-doctor: error: %s\n", msg)
	if !slices.ContainsFunc(hints, func(h string) bool { return strings.Contains(h, "`oidc-doctor help") }) {
		hints = append(hints, "run `oidc-doctor help` for usage")
	}
	for _, h := range hints {
		fmt.Fprintf(w, "oidc-doctor: hint: %s\n", h)
	}
	return exitUsage
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
