package report

import (
	"fmt"
	"io"

	"github.com/oidc-doctor/oidc-doctor/check/diag"
	"github.com/oidc-doctor/oidc-doctor/check/explain"
)

// Render writes r in format ("text", "json" or "markdown").
func Render(w io.Writer, format string, r diag.Report, m Meta, o TextOptions) error {
	switch format {
	case "text":
		return Text(w, r, m, o)
	case "json":
		return JSON(w, r, m)
	case "markdown":
		return Markdown(w, r, m)
	}
	return fmt.Errorf("unknown format %q", format)
}

// RenderExplain writes what explain found in format.
func RenderExplain(w io.Writer, format string, f explain.Explanation, m Meta, o TextOptions) error {
	switch format {
	case "text":
		return ExplainText(w, f, m, o)
	case "json":
		return ExplainJSON(w, f, m)
	case "markdown":
		return ExplainMarkdown(w, f, m)
	}
	return fmt.Errorf("unknown format %q", format)
}
