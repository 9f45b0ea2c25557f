package report

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/oidc-doctor/oidc-doctor/check/diag"
	"github.com/oidc-doctor/oidc-doctor/check/explain"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	east "github.com/yuin/goldmark/extension/ast"
	"github.com/yuin/goldmark/renderer/html"
	"github.com/yuin/goldmark/text"
)

// The vectors an adversarial review used to rewrite a terminal or a ticket
// with what a token, a variable or a paste carries.
var vectors = map[string]string{
	"ESC sequence":            "x\x1b[2K\x1b[1A\x1b[32m✓ pass  entra-exchange\x1b[0m",
	"bare CR":                 "evil\r✓ pass  entra-exchange  signed in",
	"OSC-8 link":              "\x1b]8;;https://evil.example/\x1b\\click\x1b]8;;\x1b\\",
	"OSC-0 window title":      "\x1b]0;all checks passed\x07",
	"bidi override":           "safe\u202eexe.txt\u202c",
	"bidi isolate":            "a\u2066b\u2069c",
	"C1 CSI":                  "a\u009b2Kb",
	"DEL":                     "a\x7fb",
	"link":                    "[re-authenticate here](https://evil.example/login)",
	"image":                   "![](https://evil.example/pixel.png)",
	"raw HTML":                "<img src=x onerror=alert(1)>",
	"backslash to HTML":       `\<img src=x onerror=alert(1)>`,
	"heading":                 "\n# All checks passed\n",
	"heading after CR":        "x\r# All checks passed",
	"autolink":                "see https://evil.example/login now",
	"www autolink":            "see www.evil.example now",
	"email autolink":          "mail it@evil.example",
	"entity":                  "&#x202e;&lt;script&gt;",
	"table break":             "a | b\r\n| --- |\n| c |",
	"backticks":               "a `` ` `` b ``` c",
	"code spans side by side": "`0`0<A>x@y.example``",
	"list and rule":           "- item\n---\n1. one",
	"code fence":              "```\n<script>x</script>\n```",
	"invalid UTF-8":           "a\xff\xfe\x9bb",
	"line separator":          "a\u2028b\u2029c",
}

// vectorReport puts v in every string a report can hold: as the claims,
// claim names, variables and service messages that reach summaries, hints,
// facts (keys and values), fixes and the environment.
func vectorReport(v string) diag.Report {
	return diag.Report{
		Results: []diag.Result{
			{ID: "token-claims", Title: "Token claims", Status: diag.StatusPass,
				Summary: "issuer " + v + ", subject " + v,
				Facts:   []diag.Fact{{Key: "iss", Value: v}, {Key: "sub", Value: v}, {Key: "kid", Value: v}, {Key: v, Value: v}, {Key: "multi", Value: "line one\n" + v + "\nline three"}}},
			{ID: "claim-sub", Title: "Subject claim", Status: diag.StatusFail, Summary: "not a Spacelift subject: " + v,
				Hint: "use " + v, ErrorCode: v, Cause: diag.Cause(v),
				Facts: []diag.Fact{{Key: "sub", Value: v}},
				Fixes: []diag.Fix{
					{Title: "create the credential for " + v, Lang: "sh", Text: "az ad app federated-credential create --subject '" + v + "'\n"},
					{Title: "a clean fix", Lang: "sh", Text: "az login\n"},
				}},
			{ID: "entra-exchange", Title: "Exchange", Status: diag.StatusWarn, Summary: "Entra answered: " + v},
		},
		Environment: []diag.Fact{{Key: "spacelift_run_id", Value: v}, {Key: "NO_PROXY", Value: v}},
	}
}

func vectorFindings(v string) []explain.Finding {
	return []explain.Finding{{
		Code: "AADSTS700213" + v, Cause: diag.Cause(v), Title: "no match for " + v,
		Fields:      []diag.Fact{{Key: "subject", Value: v}, {Key: v, Value: v}},
		Explanation: "The subject " + v + " matched nothing.", Fix: "Create one for " + v,
		Message: "AADSTS700213: " + v, TraceID: v, CorrelationID: v, Timestamp: v,
		Comparison: []diag.Fact{{Key: "subject", Value: "differs: " + v}, {Key: "likely", Value: v}},
		Fixes:      []diag.Fix{{Title: "fix " + v, Lang: "sh", Text: "echo '" + v + "'\n"}},
	}}
}

// sgr matches the colour codes of the palette: the only escapes allowed.
var sgr = regexp.MustCompile(`\x1b\[[0-9;]*m`)

// controlIn returns the first control character, bidi or separator
// character, or invalid UTF-8 byte in out, or "". Line breaks are allowed.
func controlIn(out string) string {
	for i, r := range out {
		if r == utf8.RuneError && !strings.HasPrefix(out[i:], "\uFFFD") {
			return fmt.Sprintf("byte %#x at %d", out[i], i)
		}
		if r == '\n' {
			continue
		}
		if needsEscape(r) {
			return fmt.Sprintf("%U at %d, near %q", r, i, out[max(0, i-30):min(len(out), i+10)])
		}
	}
	return ""
}

type rendered struct{ text, color, markdown, json, etext, ecolor, emarkdown, ejson string }

func renderAll(t testing.TB, r diag.Report, fs []explain.Finding) rendered {
	m := Meta{Tool: "oidc-doctor", Version: "v1.0.0"}
	ex := explain.Explanation{Findings: fs}
	var out rendered
	for _, x := range []struct {
		dst    *string
		render func(*bytes.Buffer) error
	}{
		{&out.text, func(b *bytes.Buffer) error { return Text(b, r, m, TextOptions{Verbose: true}) }},
		{&out.color, func(b *bytes.Buffer) error { return Text(b, r, m, TextOptions{Verbose: true, Color: true}) }},
		{&out.markdown, func(b *bytes.Buffer) error { return Markdown(b, r, m) }},
		{&out.json, func(b *bytes.Buffer) error { return JSON(b, r, m) }},
		{&out.etext, func(b *bytes.Buffer) error { return ExplainText(b, ex, m, TextOptions{Verbose: true}) }},
		{&out.ecolor, func(b *bytes.Buffer) error { return ExplainText(b, ex, m, TextOptions{Verbose: true, Color: true}) }},
		{&out.emarkdown, func(b *bytes.Buffer) error { return ExplainMarkdown(b, ex, m) }},
		{&out.ejson, func(b *bytes.Buffer) error { return ExplainJSON(b, ex, m) }},
	} {
		var b bytes.Buffer
		if err := x.render(&b); err != nil {
			t.Fatal(err)
		}
		*x.dst = b.String()
	}
	return out
}

// checkRendered asserts what every vector must leave intact, for the
// rendered report and findings of v.
func checkRendered(t testing.TB, out rendered, baseline mdShape) {
	t.Helper()
	for name, s := range map[string]string{"text": out.text, "explain text": out.etext} {
		if strings.ContainsRune(s, 0x1b) {
			t.Errorf("%s without colour holds an ESC", name)
		}
		if c := controlIn(s); c != "" {
			t.Errorf("%s holds %s", name, c)
		}
	}
	for name, s := range map[string]string{"colour text": out.color, "explain colour text": out.ecolor} {
		if c := controlIn(sgr.ReplaceAllString(s, "")); c != "" {
			t.Errorf("%s holds %s besides the palette's colour", name, c)
		}
	}
	for name, s := range map[string]string{"markdown": out.markdown, "explain markdown": out.emarkdown} {
		if c := controlIn(s); c != "" {
			t.Errorf("%s holds %s", name, c)
		}
	}
	for name, s := range map[string]string{"json": out.json, "explain json": out.ejson} {
		if c := controlIn(s); c != "" {
			t.Errorf("%s holds %s raw", name, c)
		}
		if !json.Valid([]byte(s)) {
			t.Errorf("%s is not valid JSON", name)
		}
	}
	for name, md := range map[string]struct {
		src  string
		base shapeCount
	}{"markdown": {out.markdown, baseline.report}, "explain markdown": {out.emarkdown, baseline.explain}} {
		if got := shapeOf(md.src); got != md.base {
			t.Errorf("%s renders %+v, want %+v (what a report without outside data renders):\n%s", name, got, md.base, md.src)
		}
	}
}

// shapeCount is what a Markdown document renders that a claim must never
// add to: headings, links, images, autolinks and HTML, and table cells.
type shapeCount struct{ headings, links, images, autolinks, html, rows, cells int }

type mdShape struct{ report, explain shapeCount }

// gfm parses Markdown as GitHub renders it: GFM tables, strikethrough,
// autolinks (linkify) and task lists, raw HTML allowed.
var gfm = goldmark.New(goldmark.WithExtensions(extension.GFM), goldmark.WithRendererOptions(html.WithUnsafe()))

func shapeOf(src string) shapeCount {
	var c shapeCount
	doc := gfm.Parser().Parse(text.NewReader([]byte(src)))
	ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		switch n.Kind() {
		case ast.KindHeading:
			c.headings++
		case ast.KindLink:
			c.links++
		case ast.KindImage:
			c.images++
		case ast.KindAutoLink:
			c.autolinks++
		case ast.KindHTMLBlock, ast.KindRawHTML:
			c.html++
		case east.KindTableRow, east.KindTableHeader:
			c.rows++
		case east.KindTableCell:
			c.cells++
		}
		return ast.WalkContinue, nil
	})
	return c
}

func baselineShape(t testing.TB) mdShape {
	out := renderAll(t, vectorReport("X"), vectorFindings("X"))
	return mdShape{shapeOf(out.markdown), shapeOf(out.emarkdown)}
}

// TestOutsideDataCannotRewriteOutput renders each vector in every field of
// a report and of explain's findings, in every format, and checks the
// output: no control character but the palette's colour, no heading, link,
// image, autolink, HTML or table cell that a report without it lacks
// (parsed by goldmark as GitHub would), and JSON that decodes to the same
// values.
func TestOutsideDataCannotRewriteOutput(t *testing.T) {
	base := baselineShape(t)
	if base.report.headings == 0 || base.report.html == 0 || base.report.cells == 0 {
		t.Fatalf("baseline %+v: the parse finds nothing; the test would check nothing", base)
	}
	for name, v := range vectors {
		t.Run(name, func(t *testing.T) {
			out := renderAll(t, vectorReport(v), vectorFindings(v))
			checkRendered(t, out, base)
			r, _, err := Decode(strings.NewReader(out.json))
			if err != nil {
				t.Fatal(err)
			}
			if utf8.ValidString(v) && r.Results[0].Facts[0].Value != v {
				t.Errorf("JSON changed the value: %q, want %q", r.Results[0].Facts[0].Value, v)
			}
		})
	}
}

// TestFixKeepsItsBytes: a fix prints exactly, or says it cannot be printed;
// never a changed command.
func TestFixKeepsItsBytes(t *testing.T) {
	clean := "az ad app federated-credential create --id 1 --parameters '{\"subject\": \"a b\"}'\n  second line\n"
	if got := fixText(clean); got != clean {
		t.Errorf("fixText changed a clean fix: %q", got)
	}
	bad := "az role assignment create --scope '/x\x1b[2K'\n"
	got := fixText(bad)
	if strings.Contains(got, "az role") || !strings.Contains(got, `\x1b at byte 37`) {
		t.Errorf("fixText(%q) = %q, want it to say it cannot be printed", bad, got)
	}
	var buf bytes.Buffer
	r := vectorReport("\x1b]0;title\x07")
	if err := Text(&buf, r, Meta{}, TextOptions{}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), "    az login\n") || !strings.Contains(buf.String(), "cannot be printed safely") {
		t.Errorf("text report: the clean fix must print as is and the other must say it cannot:\n%s", buf.String())
	}
}
