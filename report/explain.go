package report

import (
	"bufio"
	"fmt"
	"io"

	"github.com/oidc-doctor/oidc-doctor/check/diag"
	"github.com/oidc-doctor/oidc-doctor/check/explain"
)

// This file renders `oidc-doctor explain`: the findings explain.Paste read
// from pasted error output. The rules of output in text.go apply: a glyph
// and a word per finding, aligned details, fixes as blocks to copy, every
// format through the redaction backstop.

// ExplainTip ends the text output of explain.
const ExplainTip = "Tip: for a ticket, run `oidc-doctor explain --format markdown`; for scripts, `--format json`."

// ExplainDocument is the JSON form of explain's findings. Like Document it
// changes only by adding fields.
type ExplainDocument struct {
	Envelope
	// Findings are the distinct errors found, root causes first. Empty means
	// the input held no known error code.
	Findings []Finding `json:"findings"`
	// Omitted counts the errors found but not listed, because there were
	// more distinct ones than explain lists (or than it reads). Zeros mean
	// every error found is listed.
	Omitted ExplainOmitted `json:"omitted"`
	// InputCutAt is the byte offset at which the input was cut because it
	// was longer than explain reads (32 MiB); 0 means it was read whole.
	InputCutAt int64 `json:"input_cut_at"`
}

// ExplainOmitted counts errors found but not listed.
type ExplainOmitted struct {
	// Occurrences is how many errors were not listed.
	Occurrences int `json:"occurrences"`
	// Codes is how many distinct codes they have.
	Codes int `json:"codes"`
	// CodesAtLeast says Codes stopped counting at its bound: there are at
	// least that many.
	CodesAtLeast bool `json:"codes_at_least"`
}

// Finding is one error code found in the input, explained.
type Finding struct {
	// Code is the code as printed, e.g. "AADSTS700213" or "AuthorizationFailed". Never empty.
	Code string `json:"code"`
	// Cause is the stable root-cause category, e.g. "subject_mismatch"; "other"
	// when no finer category applies. Never empty.
	Cause string `json:"cause"`
	// Fields are the values the error text names, exactly as written, keyed
	// by issuer, subject, audience, expected_subject, client_id, object_id,
	// tenant, token_tenant, subscription, action, scope or namespace. Empty
	// means the text named none.
	Fields map[string]string `json:"fields"`
	// Title is a short lower-case label. Never empty.
	Title string `json:"title"`
	// Explanation says what happened in plain words.
	Explanation string `json:"explanation"`
	// Fix says what to do.
	Fix string `json:"fix"`
	// Message is the service's own text, trimmed to at most 500 bytes. Empty
	// means none could be read.
	Message string `json:"message"`
	// TraceID, CorrelationID and Timestamp identify the request in Entra's
	// sign-in logs. Empty means the text did not give them.
	TraceID       string `json:"trace_id"`
	CorrelationID string `json:"correlation_id"`
	Timestamp     string `json:"timestamp"`
	// Comparison compares the quoted values with a given token's, then ranks
	// the shapes of a credential mismatch: the most likely (key "likely"),
	// then the others worth checking (key "also check"). Empty means nothing
	// to compare.
	Comparison []Fact `json:"comparison"`
	// Fixes are commands or configuration to paste. Empty means none.
	Fixes []Fix `json:"fixes"`
	// Occurrences is how many times the error appears in the input (at
	// least 1).
	Occurrences int `json:"occurrences"`
}

func explainDocument(ex explain.Explanation, m Meta) ExplainDocument {
	d := ExplainDocument{
		Envelope:   envelope(m),
		Findings:   make([]Finding, 0, len(ex.Findings)),
		Omitted:    ExplainOmitted{Occurrences: ex.Omitted.Occurrences, Codes: ex.Omitted.Codes, CodesAtLeast: ex.Omitted.CodesAtLeast},
		InputCutAt: ex.CutAt,
	}
	for _, f := range ex.Findings {
		wf := Finding{
			Code: f.Code, Cause: string(f.Cause), Fields: map[string]string{},
			Title: f.Title, Explanation: f.Explanation, Fix: f.Fix, Message: f.Message,
			TraceID: f.TraceID, CorrelationID: f.CorrelationID, Timestamp: f.Timestamp,
			Comparison: facts(f.Comparison), Fixes: make([]Fix, 0, len(f.Fixes)), Occurrences: max(1, f.Occurrences),
		}
		for _, x := range f.Fields {
			wf.Fields[x.Key] = x.Value
		}
		for _, x := range f.Fixes {
			wf.Fixes = append(wf.Fixes, Fix{Title: x.Title, Lang: x.Lang, Text: x.Text})
		}
		d.Findings = append(d.Findings, wf)
	}
	return d
}

// ExplainJSON writes the findings as one indented ExplainDocument.
func ExplainJSON(w io.Writer, ex explain.Explanation, m Meta) error {
	return redacted(w, func(bw *bufio.Writer) error { return encodeJSON(bw, explainDocument(ex, m)) })
}

// ExplainText writes the findings for a terminal.
func ExplainText(w io.Writer, ex explain.Explanation, m Meta, o TextOptions) error {
	return redacted(w, func(bw *bufio.Writer) error { explainTextRaw(bw, ex, m, o); return nil })
}

func explainTextRaw(w io.Writer, ex explain.Explanation, m Meta, o TextOptions) {
	fs := ex.Findings
	p := newPalette(o.Color)
	fmt.Fprintf(w, "%s: explaining pasted error output\n\n", toolLine(m))
	if len(fs) == 0 {
		fmt.Fprintln(w, "no Entra ID (AADSTS) or Azure Resource Manager error code found in the input")
	}
	for i, f := range fs {
		if i > 0 {
			fmt.Fprintln(w)
		}
		fmt.Fprintf(w, "%s  %s  %s\n", p.status(diag.StatusFail), p.id.Sprint(visible(f.Code)), visible(f.Title))
		details := []diag.Fact{{Key: "cause", Value: string(f.Cause)}}
		details = append(details, f.Fields...)
		for _, kv := range [][2]string{{"trace id", f.TraceID}, {"correlation id", f.CorrelationID}, {"timestamp", f.Timestamp}, {"seen", seenTimes(f)}} {
			if kv[1] != "" {
				details = append(details, diag.Fact{Key: kv[0], Value: kv[1]})
			}
		}
		details = append(details, diag.Fact{Key: "why", Value: f.Explanation}, diag.Fact{Key: "hint", Value: f.Fix})
		if o.Verbose && f.Message != "" {
			details = append(details, diag.Fact{Key: "message", Value: f.Message})
		}
		for _, c := range f.Comparison {
			k := "vs token " + c.Key
			if c.Key == "likely" || c.Key == "also check" {
				k = c.Key
			}
			details = append(details, diag.Fact{Key: k, Value: c.Value})
		}
		textFacts(w, p, indent, details, o.Width)
		textFixes(w, p, f.Fixes, o.Width)
	}
	if o.Verbose {
		textEnvironment(w, p, diag.Report{}, m)
	}
	fmt.Fprintf(w, "\n%d %s found\n", len(fs), plural(len(fs), "error", "errors"))
	for _, l := range explainLimits(ex) {
		fmt.Fprintln(w, l)
	}
	fmt.Fprintln(w, ExplainTip)
}

// seenTimes says how often a finding's error appears, when more than once.
func seenTimes(f explain.Finding) string {
	if f.Occurrences <= 1 {
		return ""
	}
	return fmt.Sprintf("%d times in the input", f.Occurrences)
}

// explainLimits are the sentences that say what explain did not list or
// did not read.
func explainLimits(ex explain.Explanation) []string {
	var out []string
	if n := ex.Omitted.Occurrences; n > 0 {
		codes := fmt.Sprint(ex.Omitted.Codes)
		if ex.Omitted.CodesAtLeast {
			codes = "at least " + codes
		}
		out = append(out, fmt.Sprintf("%d more %s of %s %s not listed (explain lists %d distinct errors)",
			n, plural(n, "occurrence", "occurrences"), codes, plural(ex.Omitted.Codes, "code", "codes"), explain.MaxFindings))
	}
	if ex.CutAt > 0 {
		out = append(out, fmt.Sprintf("the input was cut at byte %d (%d MiB): the rest was not read", ex.CutAt, ex.CutAt>>20))
	}
	return out
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// ExplainMarkdown writes the findings for a ticket.
func ExplainMarkdown(w io.Writer, ex explain.Explanation, m Meta) error {
	return redacted(w, func(bw *bufio.Writer) error { explainMarkdownRaw(bw, ex, m); return nil })
}

func explainMarkdownRaw(w io.Writer, ex explain.Explanation, m Meta) {
	fs := ex.Findings
	fmt.Fprintln(w, "# oidc-doctor explain")
	fmt.Fprintln(w)
	if len(fs) == 0 {
		fmt.Fprintln(w, "No Entra ID (AADSTS) or Azure Resource Manager error code was found in the input.")
		fmt.Fprintln(w)
	} else {
		fmt.Fprintln(w, "| code | cause | title |")
		fmt.Fprintln(w, "|---|---|---|")
		for _, f := range fs {
			fmt.Fprintf(w, "| %s | %s | %s |\n", cellCode(f.Code), cell(string(f.Cause)), cell(f.Title))
		}
		fmt.Fprintln(w)
	}
	if ls := explainLimits(ex); len(ls) > 0 {
		for _, l := range ls {
			fmt.Fprintf(w, "> %s\n", prose(l))
		}
		fmt.Fprintln(w)
	}
	for _, f := range fs {
		mdFinding(w, f)
	}
	mdEnvironment(w, diag.Report{}, m)
}

func mdFinding(w io.Writer, f explain.Finding) {
	fmt.Fprintf(w, "## %s: %s\n\n", codeSpan(f.Code), prose(f.Title))
	details := []diag.Fact{{Key: "cause", Value: string(f.Cause)}}
	details = append(details, f.Fields...)
	for _, kv := range [][2]string{{"trace id", f.TraceID}, {"correlation id", f.CorrelationID}, {"timestamp", f.Timestamp}, {"seen", seenTimes(f)}} {
		if kv[1] != "" {
			details = append(details, diag.Fact{Key: kv[0], Value: kv[1]})
		}
	}
	for _, d := range details {
		fmt.Fprintf(w, "- **%s:** %s\n", prose(d.Key), codeSpan(d.Value))
	}
	fmt.Fprintf(w, "\n%s\n\n**Fix:** %s\n\n", prose(f.Explanation), prose(f.Fix))
	if len(f.Comparison) > 0 {
		for _, c := range f.Comparison {
			k := "vs token " + c.Key
			if c.Key == "likely" || c.Key == "also check" {
				k = c.Key
			}
			fmt.Fprintf(w, "- **%s:** %s\n", prose(k), prose(c.Value))
		}
		fmt.Fprintln(w)
	}
	for _, x := range f.Fixes {
		fmt.Fprintf(w, "%s:\n\n%s\n\n", prose(x.Title), codeBlock(fixText(x.Text), x.Lang, ""))
	}
	if f.Message != "" {
		fmt.Fprintf(w, "<details><summary>the service's message</summary>\n\n%s\n\n</details>\n\n", codeBlock(f.Message, "text", ""))
	}
}
