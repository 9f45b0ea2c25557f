package report

// Rules of output, for the text report here and for main's messages:
//
//   - The report goes to stdout. Errors go to stderr as
//     "oidc-doctor: error: ..." followed by optional "oidc-doctor: hint: ..."
//     lines: lower case, no final period, the hint an action to take.
//   - Verdict first: the chain of steps on one line, in words; then the root
//     cause in one sentence with the ONE fix to paste; then the details.
//   - Each check is one line starting at column 0 with a glyph AND a word,
//     "✓ pass", "! warn", "✗ fail" or "- skip", so it reads without colour
//     and `grep '✗ fail'` finds it. Its details follow, indented 8 spaces.
//   - A failure that another explains is folded into one line under its
//     root; skips are one line per reason; passes are one line. --verbose
//     shows every check in full.
//   - Colour is emphasis only, chosen by the caller through
//     TextOptions.Color; fatih/color's package global is never consulted.
//   - Details are "key: value" with the values aligned; a value's later
//     lines start at the value column. Prose wraps at TextOptions.Width;
//     fixes are blocks to copy as-is and never wrap. A fix is printed once.
//   - Nothing secret is printed: tokens appear as claims and sha256
//     fingerprints, and everything passes through redact.Writer regardless.
//   - Every string is sanitised (sanitize.go) before it is printed: no
//     control character from a claim, a variable or a service's answer
//     reaches the terminal; the palette's colour is the only ESC printed.
//   - The last lines repeat the root cause (a hook's log ends there), then
//     a count by status and a tip naming the other formats.

import (
	"bufio"
	"fmt"
	"io"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/fatih/color"

	"github.com/oidc-doctor/oidc-doctor/check/diag"
)

// indent is where a check's details start, under its ID.
const indent = "        "

// Tip ends the text report.
const Tip = "Tip: for a ticket, run `oidc-doctor --format markdown`; for scripts, `--format json`."

// palette holds one colour per role. Each is switched on or off explicitly,
// so the result does not depend on whether os.Stdout is a terminal.
type palette struct {
	pass, warn, fail, skip, id, label, title *color.Color
}

func newPalette(on bool) palette {
	p := palette{
		pass:  color.New(color.FgGreen),
		warn:  color.New(color.FgYellow),
		fail:  color.New(color.FgRed, color.Bold),
		skip:  color.New(color.Faint),
		id:    color.New(color.Bold),
		label: color.New(color.FgCyan),
		title: color.New(color.Bold),
	}
	for _, c := range []*color.Color{p.pass, p.warn, p.fail, p.skip, p.id, p.label, p.title} {
		if on {
			c.EnableColor()
		} else {
			c.DisableColor()
		}
	}
	return p
}

func (p palette) of(s diag.Status) *color.Color {
	switch s {
	case diag.StatusPass:
		return p.pass
	case diag.StatusWarn:
		return p.warn
	case diag.StatusFail:
		return p.fail
	case diag.StatusSkip:
		return p.skip
	}
	return nil
}

func (p palette) status(s diag.Status) string {
	text := glyph(s) + " " + string(s)
	if c := p.of(s); c != nil {
		return c.Sprint(text)
	}
	return text
}

// Text writes r for a terminal.
func Text(w io.Writer, r diag.Report, m Meta, o TextOptions) error {
	return redacted(w, func(bw *bufio.Writer) error { textRaw(bw, r, m, o); return nil })
}

// textRaw is Text without the redaction backstop. Write errors are left to
// the caller's bufio.Writer, which keeps the first one.
func textRaw(w io.Writer, r diag.Report, m Meta, o TextOptions) {
	t := &textWriter{w: w, p: newPalette(o.Color), o: o}
	t.prose("", toolLine(m)+": checking Spacelift → Microsoft Entra ID OIDC federation")
	fmt.Fprintln(w)
	t.prose("", t.chain(r))
	fmt.Fprintln(w)
	shown := t.verdict(r)
	fmt.Fprintln(w)
	if o.Verbose {
		t.everyCheck(r, shown)
		textEnvironment(w, t.p, r, m)
	} else {
		t.details(r, shown)
	}
	c := count(r)
	fmt.Fprintf(w, "\n%d checks: %d pass, %d warn, %d fail, %d skip\n", len(r.Results), c.pass, c.warn, c.fail, c.skip)
	if root := mainRoot(r); root != nil && root.Status == diag.StatusFail {
		t.prose(indent, fmt.Sprintf("%s  %s%s: %s", t.p.status(root.Status), visible(root.ID), visible(codeSuffix(*root)), visible(root.Summary)))
	}
	t.prose("", Tip)
}

// textWriter carries what every part of the text report needs.
type textWriter struct {
	w io.Writer
	p palette
	o TextOptions
}

// chain is the steps at a glance, in words so it reads without colour:
// "token pass → issuer pass → Entra FAIL (subject) → ARM skip".
func (t *textWriter) chain(r diag.Report) string {
	var parts []string
	for _, s := range steps(r) {
		word := string(s.status)
		if s.status == diag.StatusFail {
			word = "FAIL"
			if s.cause != "" {
				word += " (" + visible(causeWord(s.cause)) + ")"
			}
		}
		parts = append(parts, stepName(s.name)+" "+t.p.of(s.status).Sprint(word))
	}
	return strings.Join(parts, " → ")
}

// verdict writes the root cause in one sentence and its one fix, and
// returns that fix's text (so the details do not print it again).
func (t *textWriter) verdict(r diag.Report) string {
	root := mainRoot(r)
	if root == nil {
		t.prose("", "✓ every check passed"+passSummary(r))
		return ""
	}
	word := "root cause"
	if r.Outcome() == diag.OutcomeInconclusive {
		word = "inconclusive"
	}
	if root.Status == diag.StatusWarn {
		word = "warning"
	}
	t.prose("", t.p.of(root.Status).Sprint(glyph(root.Status)+" "+word)+": "+visible(root.Summary+codeSuffix(*root)))
	fix, ok := firstFix(*root)
	if ok {
		t.fix("  ", fix)
	}
	if others := otherRoots(r, root); len(others) > 0 {
		t.prose("", "  "+visible(strings.Join(others, "; ")))
	}
	return fix.Text
}

// details writes, for each root that failed or warned, its facts, hint and
// remaining fixes, then the failures folded under it; then the skips by
// reason and the passes on one line.
func (t *textWriter) details(r diag.Report, shown string) {
	ids := idWidth(r)
	for _, res := range r.Results {
		if res.Status == diag.StatusSkip || folded(res) || res.Status == diag.StatusPass && !listing(res) {
			continue
		}
		t.check(res, ids, shown, true)
		if f := foldedUnder(r, res.ID); len(f) > 0 {
			fmt.Fprintf(t.w, "%s  %s: same cause as %s\n", t.p.status(diag.StatusFail), visible(strings.Join(f, ", ")), visible(res.ID))
		}
	}
	for _, g := range skipGroups(r) {
		t.prose(indent, fmt.Sprintf("%s  %d %s skipped: %s", t.p.status(diag.StatusSkip), len(g.ids), plural(len(g.ids), "check", "checks"), visible(g.why)))
	}
	if passed := passedIDs(r); len(passed) > 0 {
		t.prose(indent, fmt.Sprintf("%s  %d %s: %s", t.p.status(diag.StatusPass), len(passed), plural(len(passed), "check", "checks"), visible(strings.Join(passed, ", "))))
		t.keyFacts(r)
	}
}

// everyCheck is --verbose: every check in full, in the order they ran.
func (t *textWriter) everyCheck(r diag.Report, shown string) {
	ids := idWidth(r)
	for _, res := range r.Results {
		t.check(res, ids, shown, false)
	}
}

// check writes one check: its line, its facts, hint and fixes. brief drops
// the facts of passing checks and clips the hint to three lines.
func (t *textWriter) check(res diag.Result, idWidth int, shown string, brief bool) {
	id := visible(res.ID)
	line := t.p.status(res.Status) + "  " + t.p.id.Sprint(id) + strings.Repeat(" ", max(0, idWidth-len(id))) + "  " + visible(res.Summary)
	if t.o.Verbose && res.Elapsed > 0 {
		line += fmt.Sprintf(" (%s)", res.Elapsed.Round(time.Millisecond))
	}
	t.prose(indent, line)
	var details []diag.Fact
	if !brief || res.Status != diag.StatusPass || listing(res) {
		for _, f := range res.Facts {
			if t.o.Verbose || !verboseFacts[f.Key] {
				details = append(details, f)
			}
		}
	}
	if res.ErrorCode != "" {
		details = append(details, diag.Fact{Key: "error code", Value: res.ErrorCode})
	}
	if res.Cause != "" {
		details = append(details, diag.Fact{Key: "cause", Value: string(res.Cause)})
	}
	if res.Hint != "" {
		h := visible(res.Hint)
		if brief {
			h = clipHint(h, t.o.Width)
		}
		details = append(details, diag.Fact{Key: "hint", Value: h})
	}
	t.facts(indent, details)
	for _, f := range res.Fixes {
		switch {
		case f.Text == shown:
			fmt.Fprintf(t.w, "%s%s %s\n", indent, t.p.label.Sprint("fix:"), "printed above")
		case brief && f.Lang == "hcl":
			// Terraform blocks are long: their titles say they exist.
			t.prose(indent+"     ", fmt.Sprintf("%s%s %s %s", indent, t.p.label.Sprint("fix:"), t.p.title.Sprint(visible(f.Title)), "(with --verbose or --format markdown)"))
		default:
			t.fix(indent, f)
		}
	}
}

// verboseFacts are facts that are evidence rather than findings, shown
// only with --verbose whatever the check's status: the resource provider
// namespaces that no azurerm registration set holds (rbac-providers).
var verboseFacts = map[string]bool{"other namespaces (not judged)": true}

// keyFacts shows what a passing run established: what the token says, who
// Entra signed in, which roles the identity holds.
func (t *textWriter) keyFacts(r diag.Report) {
	var out []diag.Fact
	for _, res := range r.Results {
		if res.Status != diag.StatusPass {
			continue
		}
		switch res.ID {
		case "token-claims":
			out = append(out, diag.Fact{Key: "token", Value: joinFacts(res.Facts, "iss", "aud", "sub", "exp")})
		case "entra-exchange":
			out = append(out, diag.Fact{Key: "signed in as", Value: joinFacts(res.Facts, "principal", "oid", "tid")})
		case "rbac-role-assignments":
			for _, f := range res.Facts {
				if f.Key == "role" {
					out = append(out, diag.Fact{Key: "role", Value: f.Value})
				}
			}
		}
	}
	t.facts(indent, out)
}

// fix writes one fix: its title, then its text exactly, never wrapped; a
// text that cannot be printed safely says so instead (see fixText).
func (t *textWriter) fix(prefix string, f diag.Fix) {
	textFix(t.w, t.p, prefix, f, t.o.Width)
}

// textFix writes one fix for fix and textFixes: its title wrapped at width
// (0: never), its text never.
func textFix(w io.Writer, p palette, prefix string, f diag.Fix, width int) {
	for _, l := range wrap(prefix+p.label.Sprint("fix:")+" "+p.title.Sprint(visible(f.Title)), width, len(prefix)+5) {
		fmt.Fprintln(w, l)
	}
	for _, line := range lines(fixText(f.Text)) {
		fmt.Fprintf(w, "%s    %s\n", prefix, line)
	}
}

// textFixes writes each fix, as explain's findings list them.
func textFixes(w io.Writer, p palette, fixes []diag.Fix, width int) {
	for _, f := range fixes {
		textFix(w, p, indent, f, width)
	}
}

// prose writes s wrapped at the terminal width, later lines starting at
// hang (nothing wraps when Width is 0, as in a hook's log).
func (t *textWriter) prose(hang, s string) {
	for _, l := range wrap(s, t.o.Width, len(hang)) {
		fmt.Fprintln(t.w, l)
	}
}

// facts writes aligned "key: value" lines; a value's later lines start at
// the value column.
func (t *textWriter) facts(prefix string, facts []diag.Fact) {
	textFacts(t.w, t.p, prefix, facts, t.o.Width)
}

// textFacts writes aligned "key: value" lines, wrapped at width (0: never).
// Keys so long that aligning their values would leave little room are
// written "key: value" instead, the value wrapping under the key.
func textFacts(w io.Writer, p palette, prefix string, facts []diag.Fact, width int) {
	keyWidth := 0
	for _, f := range facts {
		keyWidth = max(keyWidth, utf8.RuneCountInString(visible(f.Key)))
	}
	col := len(prefix) + keyWidth + 2
	aligned := width == 0 || col <= width*2/3
	for _, f := range facts {
		key := visible(f.Key)
		values := lines(visibleLines(f.Value))
		if !aligned {
			for i, vl := range values {
				head := prefix + "    "
				if i == 0 {
					head = prefix + p.label.Sprint(key+":") + " "
				}
				for _, l := range wrap(head+vl, width, len(prefix)+4) {
					fmt.Fprintln(w, l)
				}
			}
			continue
		}
		pad := strings.Repeat(" ", keyWidth-utf8.RuneCountInString(key)+1)
		first := true
		for _, vl := range values {
			for _, l := range wrap(vl, max(0, width-col), 0) {
				if first {
					fmt.Fprintf(w, "%s%s%s%s\n", prefix, p.label.Sprint(key+":"), pad, l)
					first = false
				} else {
					fmt.Fprintf(w, "%s%s %s\n", prefix, strings.Repeat(" ", keyWidth+1), l)
				}
			}
		}
	}
}

func textEnvironment(w io.Writer, p palette, r diag.Report, m Meta) {
	facts := []diag.Fact{{Key: "tool", Value: toolLine(m)}}
	if m.GoVersion != "" || m.OS != "" {
		facts = append(facts, diag.Fact{Key: "build", Value: strings.TrimSpace(m.GoVersion + " " + m.OS + "/" + m.Arch)})
	}
	if !m.Generated.IsZero() {
		facts = append(facts, diag.Fact{Key: "generated", Value: timeString(m.Generated)})
	}
	facts = append(facts, r.Environment...)
	fmt.Fprintln(w, "\nenvironment:")
	textFacts(w, p, indent, facts, 0)
}

// lines splits s into lines, dropping one trailing newline; an empty s is
// one empty line.
func lines(s string) []string {
	return strings.Split(strings.TrimSuffix(s, "\n"), "\n")
}

func codeSuffix(r diag.Result) string {
	if r.ErrorCode == "" {
		return ""
	}
	return " [" + r.ErrorCode + "]"
}

func idWidth(r diag.Report) int {
	n := 0
	for _, res := range r.Results {
		n = max(n, len(visible(res.ID)))
	}
	return n
}

// joinFacts is the named facts' values, "key value" joined by " · ".
func joinFacts(fs []diag.Fact, keys ...string) string {
	var out []string
	for _, k := range keys {
		for _, f := range fs {
			if f.Key == k {
				out = append(out, k+" "+f.Value)
				break
			}
		}
	}
	return strings.Join(out, " · ")
}
