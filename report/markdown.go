package report

import (
	"bufio"
	"fmt"
	"io"
	"strings"

	"github.com/oidc-doctor/oidc-doctor/check/diag"
)

// Markdown writes r as a GitHub-flavoured Markdown document to paste into a
// ticket, in the manner of `go bug`: a heading and overall status, a table
// of all checks, a section for each check that warned or failed (skips are
// explained in the table), the facts of the other checks folded in a
// <details> block, and a final environment section.
func Markdown(w io.Writer, r diag.Report, m Meta) error {
	return redacted(w, func(bw *bufio.Writer) error { markdownRaw(bw, r, m); return nil })
}

// markdownRaw is Markdown without the redaction backstop.
func markdownRaw(w io.Writer, r diag.Report, m Meta) {
	fmt.Fprintf(w, "# oidc-doctor report\n\n")
	mdStatus(w, r)
	mdTable(w, r)
	for _, res := range r.Results {
		if res.Status == diag.StatusWarn || res.Status == diag.StatusFail {
			mdCheck(w, res)
		}
	}
	mdOtherFacts(w, r)
	mdEnvironment(w, r, m)
}

func mdStatus(w io.Writer, r diag.Report) {
	s := r.Status()
	t := count(r)
	fmt.Fprintf(w, "**Status: %s %s**: %d pass, %d warn, %d fail, %d skip\n\n",
		glyph(s), s, t.pass, t.warn, t.fail, t.skip)
}

func mdTable(w io.Writer, r diag.Report) {
	fmt.Fprintf(w, "| check | status | summary |\n|---|---|---|\n")
	for _, res := range r.Results {
		fmt.Fprintf(w, "| %s | %s %s | %s |\n", cellCode(res.ID), glyph(res.Status), res.Status, cell(res.Summary))
	}
	fmt.Fprintln(w)
}

func mdCheck(w io.Writer, res diag.Result) {
	title := res.ID
	if res.Title != "" {
		title += ": " + res.Title
	}
	fmt.Fprintf(w, "## %s %s %s\n\n", glyph(res.Status), res.Status, prose(title))
	if res.Summary != "" {
		fmt.Fprintf(w, "%s\n\n", prose(res.Summary))
	}
	mdFacts(w, res.Facts)
	if res.ErrorCode != "" {
		fmt.Fprintf(w, "**Error code:** %s\n\n", codeSpan(res.ErrorCode))
	}
	if res.Hint != "" {
		fmt.Fprintf(w, "**Hint:** %s\n\n", prose(res.Hint))
	}
	for _, f := range res.Fixes {
		fmt.Fprintf(w, "**Fix: %s**\n\n%s\n\n", prose(f.Title), codeBlock(fixText(f.Text), f.Lang, ""))
	}
}

// mdOtherFacts folds the facts of passing and skipped checks into one
// <details> block: evidence for the reader, not the headline.
func mdOtherFacts(w io.Writer, r diag.Report) {
	var quiet []diag.Result
	for _, res := range r.Results {
		if res.Status != diag.StatusWarn && res.Status != diag.StatusFail && len(res.Facts) > 0 {
			quiet = append(quiet, res)
		}
	}
	if len(quiet) == 0 {
		return
	}
	fmt.Fprintf(w, "<details><summary>Facts of passing and skipped checks</summary>\n\n")
	for _, res := range quiet {
		fmt.Fprintf(w, "#### %s %s %s\n\n", glyph(res.Status), res.Status, codeSpan(res.ID))
		mdFacts(w, res.Facts)
	}
	fmt.Fprintf(w, "</details>\n\n")
}

func mdEnvironment(w io.Writer, r diag.Report, m Meta) {
	fmt.Fprintf(w, "## Environment\n\n")
	fmt.Fprintf(w, "- tool: %s\n", codeSpan(toolLine(m)))
	if m.GoVersion != "" {
		fmt.Fprintf(w, "- Go: %s\n", codeSpan(m.GoVersion))
	}
	if m.OS != "" || m.Arch != "" {
		fmt.Fprintf(w, "- OS/arch: %s\n", codeSpan(m.OS+"/"+m.Arch))
	}
	if !m.Generated.IsZero() {
		fmt.Fprintf(w, "- generated: %s\n", codeSpan(timeString(m.Generated)))
	}
	if !r.Started.IsZero() {
		fmt.Fprintf(w, "- started: %s\n", codeSpan(timeString(r.Started)))
	}
	fmt.Fprintln(w)
	if len(r.Environment) == 0 {
		return
	}
	fmt.Fprintf(w, "<details><summary>Where the doctor ran (%d facts)</summary>\n\n", len(r.Environment))
	mdFacts(w, r.Environment)
	fmt.Fprintf(w, "</details>\n")
}

// mdFacts writes facts as a list, values as code; a multi-line value
// becomes a code block under its key. Keys are escaped as prose.
func mdFacts(w io.Writer, facts []diag.Fact) {
	if len(facts) == 0 {
		return
	}
	for _, f := range facts {
		v := strings.TrimSuffix(f.Value, "\n")
		switch {
		case v == "":
			fmt.Fprintf(w, "- **%s:** _(empty)_\n", prose(f.Key))
		case strings.Contains(v, "\n"):
			fmt.Fprintf(w, "- **%s:**\n\n  %s\n\n", prose(f.Key), codeBlock(v, "", "  "))
		default:
			fmt.Fprintf(w, "- **%s:** %s\n", prose(f.Key), codeSpan(v))
		}
	}
	fmt.Fprintln(w)
}
