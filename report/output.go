package report

import (
	"errors"
	"io"
	"os"

	"github.com/oidc-doctor/oidc-doctor/check/redact"
)

// WriteFile writes what render produces to path (--output), through the
// redaction backstop, and reports the first error of rendering, writing or
// closing.
func WriteFile(path string, render func(io.Writer) error) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := redact.NewWriter(f)
	return errors.Join(render(w), w.Close(), f.Close())
}
