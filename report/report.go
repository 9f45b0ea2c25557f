// Package report renders a diag.Report for people and scripts: Text for a
// terminal, Markdown for a ticket, JSON for automation. The renderers are
// pure functions from a Report to bytes; they never look at the process
// environment, never pick colour themselves and never decide the exit code.
//
// Every renderer writes through redact.NewWriter, so a secret that reached a
// Report by mistake prints as "[REDACTED JWT sha256:…]".
package report

import (
	"bufio"
	"io"
	"time"

	"github.com/oidc-doctor/oidc-doctor/check/diag"
	"github.com/oidc-doctor/oidc-doctor/check/redact"
)

// Meta describes the run that produced a report; it is printed alongside it.
type Meta struct {
	// Tool is the program name, "oidc-doctor".
	Tool string
	// Version is the tool's version, e.g. "v0.3.1".
	Version string
	// GoVersion, OS and Arch describe the build (runtime.Version, GOOS, GOARCH).
	GoVersion, OS, Arch string
	// Generated is when the report was rendered.
	Generated time.Time
}

// TextOptions control the Text format.
type TextOptions struct {
	// Color adds ANSI colour. The caller decides (flag, NO_COLOR, TTY);
	// Text never consults the environment.
	Color bool
	// Verbose shows every check in full, with its elapsed time and the
	// environment facts.
	Verbose bool
	// Width is the terminal's width in columns: prose wraps at it. Zero
	// means no wrapping (output to a file or a pipe, as in a hook); fix
	// commands never wrap.
	Width int
}

// redacted runs render on a buffered writer that masks secrets before they
// reach w. It returns the first error from rendering or writing.
func redacted(w io.Writer, render func(w *bufio.Writer) error) error {
	rw := redact.NewWriter(w)
	bw := bufio.NewWriter(rw)
	err := render(bw)
	if ferr := bw.Flush(); err == nil {
		err = ferr
	}
	if cerr := rw.Close(); err == nil {
		err = cerr
	}
	return err
}

// tally counts results by status.
type tally struct{ pass, warn, fail, skip int }

func count(r diag.Report) tally {
	var t tally
	for _, res := range r.Results {
		switch res.Status {
		case diag.StatusPass:
			t.pass++
		case diag.StatusWarn:
			t.warn++
		case diag.StatusFail:
			t.fail++
		case diag.StatusSkip:
			t.skip++
		}
	}
	return t
}

// glyph pairs each status with a symbol, so meaning survives without colour.
func glyph(s diag.Status) string {
	switch s {
	case diag.StatusPass:
		return "✓"
	case diag.StatusWarn:
		return "!"
	case diag.StatusFail:
		return "✗"
	case diag.StatusSkip:
		return "-"
	}
	return "?"
}

// toolLine is "oidc-doctor v0.3.1", or just the name when the version is unknown.
func toolLine(m Meta) string {
	name := m.Tool
	if name == "" {
		name = "oidc-doctor"
	}
	if m.Version == "" {
		return name
	}
	return name + " " + m.Version
}
