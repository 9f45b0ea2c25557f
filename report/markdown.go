package report

import (
	"bufio"
	"fmt"
	"io"
	"strings"

	"github.com/oidc-doctor/oidc-doctor/check/diag"
)

// Markdown writes r as a GitHub-flavoured Markdown document to paste into a
// ticket, in the manner of `go bug`: the verdict and the one fix first, a
// Mermaid flowchart of the chain (GitHub and GitLab render it), the table of
// all checks, then the details of each root failure or warning folded in a
// <details> block, the facts of the other checks, and the environment.
func Markdown(w io.Writer, r diag.Report, m Meta) error {
	return redacted(w, func(bw *bufio.Writer) error { markdownRaw(bw, r, m); return nil })
}

// markdownRaw is Markdown without the redaction backstop.
func markdownRaw(w io.Writer, r diag.Report, m Meta) {
	fmt.Fprintf(w, "# oidc-doctor report\n\n")
	shown := mdVerdict(w, r)
	mdChain(w, r)
	mdTable(w, r)
	for _, res := range r.Results {
		if (res.Status == diag.StatusWarn || res.Status == diag.StatusFail) && !folded(res) {
			mdCheck(w, r, res, shown)
		}
	}
	mdOtherFacts(w, r)
	mdEnvironment(w, r, m)
}

// mdVerdict writes the overall status, the root cause and its one fix, and
// returns that fix's text.
func mdVerdict(w io.Writer, r diag.Report) string {
	s := r.Status()
	t := count(r)
	fmt.Fprintf(w, "**Status: %s %s**: %d pass, %d warn, %d fail, %d skip\n\n", glyph(s), s, t.pass, t.warn, t.fail, t.skip)
	root := mainRoot(r)
	if root == nil {
		fmt.Fprintf(w, "Every check passed%s\n\n", prose(passSummary(r)))
		return ""
	}
	word := "Root cause"
	switch {
	case r.Outcome() == diag.OutcomeInconclusive:
		word = "Inconclusive"
	case root.Status == diag.StatusWarn:
		word = "Warning"
	}
	code := ""
	if root.ErrorCode != "" {
		code = " (" + codeSpan(root.ErrorCode) + ")"
	}
	fmt.Fprintf(w, "**%s** (%s): %s%s\n\n", word, codeSpan(root.ID), prose(root.Summary), code)
	fix, ok := firstFix(*root)
	if !ok {
		return ""
	}
	mdFix(w, fix)
	return fix.Text
}

func mdFix(w io.Writer, f diag.Fix) {
	fmt.Fprintf(w, "**Fix: %s**\n\n%s\n\n", prose(f.Title), codeBlock(fixText(f.Text), f.Lang, ""))
}

// mdChain draws the chain of steps as a Mermaid flowchart. Its labels are
// fixed words only (step names and statuses), never outside data.
func mdChain(w io.Writer, r diag.Report) {
	ss := steps(r)
	if len(ss) == 0 {
		return
	}
	fmt.Fprintf(w, "```mermaid\nflowchart LR\n")
	for i, s := range ss {
		node := fmt.Sprintf("s%d", i)
		fmt.Fprintf(w, "  %s[\"%s: %s\"]\n", node, mermaidWord(stepName(s.name)), s.status)
		if i > 0 {
			fmt.Fprintf(w, "  s%d --> %s\n", i-1, node)
		}
		switch s.status {
		case diag.StatusFail:
			fmt.Fprintf(w, "  style %s fill:#f8d0d0,stroke:#c00,stroke-width:2px\n", node)
		case diag.StatusWarn:
			fmt.Fprintf(w, "  style %s fill:#fff3c4,stroke:#b80\n", node)
		case diag.StatusSkip:
			fmt.Fprintf(w, "  style %s stroke-dasharray: 4 4\n", node)
		}
	}
	fmt.Fprintf(w, "```\n\n")
}

// mermaidWord keeps a step name to letters, so a label can never carry
// Mermaid syntax.
func mermaidWord(s string) string {
	for _, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z') {
			return "step"
		}
	}
	return s
}

func mdTable(w io.Writer, r diag.Report) {
	fmt.Fprintf(w, "| check | status | summary |\n|---|---|---|\n")
	for _, res := range r.Results {
		sum := cell(res.Summary)
		if folded(res) {
			sum = "same cause as " + cellCode(res.RootCause) + ": " + sum
		}
		fmt.Fprintf(w, "| %s | %s %s | %s |\n", cellCode(res.ID), glyph(res.Status), res.Status, sum)
	}
	fmt.Fprintln(w)
}

func mdCheck(w io.Writer, r diag.Report, res diag.Result, shown string) {
	title := res.ID
	if res.Title != "" {
		title += ": " + res.Title
	}
	fmt.Fprintf(w, "<details><summary>%s %s %s</summary>\n\n", glyph(res.Status), res.Status, htmlText(title))
	if res.Summary != "" {
		fmt.Fprintf(w, "%s\n\n", prose(res.Summary))
	}
	mdFacts(w, res.Facts)
	if res.ErrorCode != "" {
		fmt.Fprintf(w, "**Error code:** %s\n\n", codeSpan(res.ErrorCode))
	}
	if res.Cause != "" {
		fmt.Fprintf(w, "**Cause:** %s\n\n", codeSpan(string(res.Cause)))
	}
	if res.Hint != "" {
		fmt.Fprintf(w, "**Hint:** %s\n\n", prose(res.Hint))
	}
	for _, f := range res.Fixes {
		if f.Text == shown {
			fmt.Fprintf(w, "**Fix: %s**: printed at the top\n\n", prose(f.Title))
			continue
		}
		mdFix(w, f)
	}
	if f := foldedUnder(r, res.ID); len(f) > 0 {
		var ids []string
		for _, id := range f {
			ids = append(ids, codeSpan(id))
		}
		fmt.Fprintf(w, "Same cause: %s.\n\n", strings.Join(ids, ", "))
	}
	fmt.Fprintf(w, "</details>\n\n")
}

// mdOtherFacts folds the facts of the other checks (passing, skipped, and
// failures with the same cause as another) into one <details> block:
// evidence for the reader, not the headline.
func mdOtherFacts(w io.Writer, r diag.Report) {
	var quiet []diag.Result
	for _, res := range r.Results {
		if (res.Status != diag.StatusWarn && res.Status != diag.StatusFail || folded(res)) && len(res.Facts) > 0 {
			quiet = append(quiet, res)
		}
	}
	if len(quiet) == 0 {
		return
	}
	fmt.Fprintf(w, "<details><summary>Facts of the other checks</summary>\n\n")
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
