package report

import (
	"bufio"
	"encoding/json"
	"io"

	"github.com/oidc-doctor/oidc-doctor/check/diag"
)

// JSON writes r as one indented Document (see schema.go), ending in a
// newline. HTML characters are not escaped, so hints stay readable.
func JSON(w io.Writer, r diag.Report, m Meta) error {
	return redacted(w, func(bw *bufio.Writer) error { return jsonRaw(bw, r, m) })
}

// jsonRaw is JSON without the redaction backstop.
func jsonRaw(w io.Writer, r diag.Report, m Meta) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(document(r, m))
}
