package redact

import (
	"bytes"
	"io"
)

// Writer is an io.WriteCloser that masks secrets, as String does, in the
// text written through it, even when a token is split across two Write
// calls.
//
// Secrets never span a line break, so Writer passes on whole lines and holds
// back the unfinished last line until more arrives or Close is called. A line
// longer than maxPending is cut early, at a point no secret spans (see
// overflowCut). The model is tailscale's sanitizeWriter.
type Writer struct {
	w       io.Writer
	pending []byte
	err     error
}

// maxPending bounds the unfinished line Writer holds back.
const maxPending = 64 << 10

// NewWriter returns a Writer that writes redacted text to w. The caller must
// Close it to flush the last line; Close does not close w.
func NewWriter(w io.Writer) io.WriteCloser { return &Writer{w: w} }

// Write buffers p and writes every complete line, masked. It reports
// len(p) unless writing to the underlying writer failed.
func (x *Writer) Write(p []byte) (int, error) {
	if x.err != nil {
		return 0, x.err
	}
	if len(x.pending) == 0 {
		// Fast path: no leftover, so complete lines go straight from p.
		cut := bytes.LastIndexByte(p, '\n') + 1
		if err := x.emit(p[:cut]); err != nil {
			return 0, err
		}
		x.pending = append(x.pending, p[cut:]...)
	} else {
		x.pending = append(x.pending, p...)
		cut := bytes.LastIndexByte(x.pending, '\n') + 1
		if err := x.emit(x.pending[:cut]); err != nil {
			return 0, err
		}
		x.pending = x.pending[:copy(x.pending, x.pending[cut:])]
	}
	if len(x.pending) > maxPending {
		cut := overflowCut(x.pending)
		if err := x.emit(x.pending[:cut]); err != nil {
			return 0, err
		}
		x.pending = x.pending[:copy(x.pending, x.pending[cut:])]
	}
	return len(p), nil
}

// Close writes the held-back last line, masked.
func (x *Writer) Close() error {
	if x.err != nil {
		return x.err
	}
	err := x.emit(x.pending)
	x.pending = nil
	return err
}

func (x *Writer) emit(b []byte) error {
	if len(b) == 0 {
		return nil
	}
	s := string(b)
	out := String(s)
	var err error
	if len(out) == len(s) && out == s {
		_, err = x.w.Write(b)
	} else {
		_, err = io.WriteString(x.w, out)
	}
	if err != nil {
		x.err = err
	}
	return err
}

// overflowCut chooses where to cut a long unfinished line: before its
// trailing run of token characters, and before a secret key or "Bearer" that
// introduces that run. If the whole line is one run, it is all written: a
// 64 KiB token is not a token.
func overflowCut(b []byte) int {
	i := len(b)
	for i > 0 && isTokenChar(b[i-1]) {
		i--
	}
	// Step back over a separator and the word before it, so a key and its
	// value stay together.
	j := i
	for j > 0 && (b[j-1] == ' ' || b[j-1] == '\t' || b[j-1] == '"' || b[j-1] == '\'' || b[j-1] == '\\' || b[j-1] == ':' || b[j-1] == '=') {
		j--
	}
	for j > 0 && (isB64URL(b[j-1])) {
		j--
	}
	if j == 0 {
		return len(b)
	}
	return j
}
