package report

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"

	"github.com/oidc-doctor/oidc-doctor/check/diag"
)

// JSON writes r as one indented Document (see schema.go), ending in a
// newline. HTML characters are not escaped, so hints stay readable; DEL, C1
// and bidi characters are, as \uXXXX, so no string can rewrite a terminal
// that shows the document.
func JSON(w io.Writer, r diag.Report, m Meta) error {
	return redacted(w, func(bw *bufio.Writer) error { return jsonRaw(bw, r, m) })
}

// jsonRaw is JSON without the redaction backstop.
func jsonRaw(w io.Writer, r diag.Report, m Meta) error { return encodeJSON(w, document(r, m)) }

// encodeJSON writes v indented, HTML characters as they are, and DEL, C1
// and bidi characters escaped (see jsonSafe).
func encodeJSON(w io.Writer, v any) error {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return err
	}
	_, err := w.Write(jsonSafe(buf.Bytes()))
	return err
}
