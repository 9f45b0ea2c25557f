package report

// Rules of output, for the text report here and for main's messages:
//
//   - The report goes to stdout. Errors go to stderr as
//     "oidc-doctor: error: ..." followed by optional "oidc-doctor: hint: ..."
//     lines: lower case, no final period, the hint an action to take.
//   - Each check is one line starting at column 0 with a glyph AND a word,
//     "✓ pass", "! warn", "✗ fail" or "- skip", so it reads without colour
//     and `grep '✗ fail'` finds it. Its details follow, indented 8 spaces.
//   - Colour is emphasis only, chosen by the caller through
//     TextOptions.Color; fatih/color's package global is never consulted.
//   - Details are "key: value" with the values aligned; a value's later
//     lines start at the value column. Fixes are blocks to copy as-is.
//   - Nothing secret is printed: tokens appear as claims and sha256
//     fingerprints, and everything passes through redact.Writer regardless.
//   - Every string is sanitised (sanitize.go) before it is printed: no
//     control character from a claim, a variable or a service's answer
//     reaches the terminal; the palette's colour is the only ESC printed.
//   - The last lines are a count by status and a tip naming the other
//     formats.

import (
	"bufio"
	"fmt"
	"io"
	"strings"
	"time"

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

func (p palette) status(s diag.Status) string {
	var c *color.Color
	switch s {
	case diag.StatusPass:
		c = p.pass
	case diag.StatusWarn:
		c = p.warn
	case diag.StatusFail:
		c = p.fail
	case diag.StatusSkip:
		c = p.skip
	}
	text := glyph(s) + " " + string(s)
	if c == nil {
		return text
	}
	return c.Sprint(text)
}

// Text writes r for a terminal.
func Text(w io.Writer, r diag.Report, m Meta, o TextOptions) error {
	return redacted(w, func(bw *bufio.Writer) error { textRaw(bw, r, m, o); return nil })
}

// textRaw is Text without the redaction backstop. Write errors are left to
// the caller's bufio.Writer, which keeps the first one.
func textRaw(w io.Writer, r diag.Report, m Meta, o TextOptions) {
	p := newPalette(o.Color)
	fmt.Fprintf(w, "%s: checking Spacelift → Microsoft Entra ID OIDC federation\n\n", toolLine(m))
	idWidth := 0
	for _, res := range r.Results {
		idWidth = max(idWidth, len(visible(res.ID)))
	}
	for _, res := range r.Results {
		textCheck(w, p, res, idWidth, o.Verbose)
	}
	if o.Verbose {
		textEnvironment(w, p, r, m)
	}
	t := count(r)
	fmt.Fprintf(w, "\n%d checks: %d pass, %d warn, %d fail, %d skip\n",
		len(r.Results), t.pass, t.warn, t.fail, t.skip)
	// Repeat what failed last, where a hook's log ends, so the cause is the
	// first thing a reader sees.
	for _, res := range r.Results {
		if res.Status == diag.StatusFail {
			code := ""
			if res.ErrorCode != "" {
				code = " [" + res.ErrorCode + "]"
			}
			fmt.Fprintf(w, "%s  %s%s: %s\n", p.status(res.Status), visible(res.ID), visible(code), visible(res.Summary))
		}
	}
	fmt.Fprintln(w, Tip)
}

func textCheck(w io.Writer, p palette, res diag.Result, idWidth int, verbose bool) {
	id := visible(res.ID)
	fmt.Fprintf(w, "%s  %s%s  %s", p.status(res.Status), p.id.Sprint(id),
		strings.Repeat(" ", max(0, idWidth-len(id))), visible(res.Summary))
	if verbose && res.Elapsed > 0 {
		fmt.Fprintf(w, " (%s)", res.Elapsed.Round(time.Millisecond))
	}
	fmt.Fprintln(w)
	var details []diag.Fact
	if verbose || res.Status != diag.StatusPass || alwaysFacts[res.ID] {
		details = append(details, res.Facts...)
	}
	if res.ErrorCode != "" {
		details = append(details, diag.Fact{Key: "error code", Value: res.ErrorCode})
	}
	if res.Hint != "" {
		details = append(details, diag.Fact{Key: "hint", Value: visible(res.Hint)})
	}
	textFacts(w, p, indent, details)
	textFixes(w, p, res.Fixes)
}

// textFixes writes each fix's title and its text, exact, to copy as is; a
// text that cannot be printed safely says so instead (see fixText).
func textFixes(w io.Writer, p palette, fixes []diag.Fix) {
	for _, f := range fixes {
		fmt.Fprintf(w, "%s%s %s\n", indent, p.label.Sprint("fix:"), p.title.Sprint(visible(f.Title)))
		for _, line := range lines(fixText(f.Text)) {
			fmt.Fprintf(w, "%s    %s\n", indent, line)
		}
	}
}

// alwaysFacts are the passing checks whose facts the text report shows
// without --verbose: what the token says, who Entra signed in, which roles
// the identity holds. Other passing checks show their facts with --verbose.
var alwaysFacts = map[string]bool{"token-claims": true, "entra-exchange": true, "rbac-role-assignments": true, "fic-subjects": true}

// textFacts writes aligned "key: value" lines; a value's later lines start
// at the value column. Keys and values are sanitised: a value keeps its
// line breaks, and nothing else in it can move the cursor.
func textFacts(w io.Writer, p palette, prefix string, facts []diag.Fact) {
	width := 0
	for _, f := range facts {
		width = max(width, len(visible(f.Key)))
	}
	for _, f := range facts {
		key := visible(f.Key)
		pad := strings.Repeat(" ", width-len(key)+1)
		for i, line := range lines(visibleLines(f.Value)) {
			if i == 0 {
				fmt.Fprintf(w, "%s%s%s%s\n", prefix, p.label.Sprint(key+":"), pad, line)
			} else {
				fmt.Fprintf(w, "%s%s %s\n", prefix, strings.Repeat(" ", width+1), line)
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
	textFacts(w, p, indent, facts)
}

// lines splits s into lines, dropping one trailing newline; an empty s is
// one empty line.
func lines(s string) []string {
	return strings.Split(strings.TrimSuffix(s, "\n"), "\n")
}
