package redact

import (
	"io"
	"strings"
)

// Writer is an io.WriteCloser that masks secrets, as String does, in the
// text written through it, even when a token is split across two Write
// calls or wrapped across lines.
//
// Writer passes on whole lines and holds back the unfinished last line until
// more arrives or Close is called. It also holds back the lines of a token
// that may continue on the next line (a wrapped token), from the start of
// the line where it begins. What it holds is bounded by maxPending: past
// that it cuts where no secret spans (see overflowCut), and a token longer
// than maxPending is masked in parts, each part continuing the mask of the
// one before. The model is tailscale's sanitizeWriter.
type Writer struct {
	w       io.Writer
	pending []byte
	err     error
	// cont says the last text written ended inside a token region, cut by
	// the overflow path: the next text's leading pieces belong to it.
	cont bool
}

// maxPending bounds the text Writer holds back.
const maxPending = 64 << 10

// NewWriter returns a Writer that writes redacted text to w. The caller must
// Close it to flush the last line; Close does not close w.
func NewWriter(w io.Writer) io.WriteCloser { return &Writer{w: w} }

// Write buffers p and writes every complete line that no token continues
// past, masked. It reports len(p) unless writing to the underlying writer
// failed.
func (x *Writer) Write(p []byte) (int, error) {
	if x.err != nil {
		return 0, x.err
	}
	x.pending = append(x.pending, p...)
	if err := x.flushLines(); err != nil {
		return 0, err
	}
	if len(x.pending) > maxPending {
		s := string(x.pending)
		_, open := maskTokens(s, x.cont)
		cut := overflowCut(s, open)
		if err := x.emit(s[:cut], cut == len(s) && open >= 0); err != nil {
			return 0, err
		}
		x.pending = x.pending[:copy(x.pending, x.pending[cut:])]
	}
	return len(p), nil
}

// flushLines writes the complete lines of pending, up to the line where a
// token that may continue begins.
func (x *Writer) flushLines() error {
	end := lastLineEnd(x.pending)
	if end == 0 {
		return nil
	}
	s := string(x.pending[:end])
	out, open := maskTokens(s, x.cont)
	if open >= 0 {
		end = strings.LastIndexByte(s[:open], '\n') + 1
		if end == 0 {
			return nil
		}
		s = s[:end]
		out, _ = maskTokens(s, x.cont)
	}
	x.cont = false
	if err := x.write(s, out); err != nil {
		return err
	}
	x.pending = x.pending[:copy(x.pending, x.pending[end:])]
	return nil
}

func lastLineEnd(b []byte) int {
	for i := len(b) - 1; i >= 0; i-- {
		if b[i] == '\n' {
			return i + 1
		}
	}
	return 0
}

// Close writes the held-back text, masked.
func (x *Writer) Close() error {
	if x.err != nil {
		return x.err
	}
	err := x.emit(string(x.pending), false)
	x.pending = nil
	return err
}

// emit masks s and writes it; cont says the text that follows continues a
// token region s ends in.
func (x *Writer) emit(s string, cont bool) error {
	out, _ := maskTokens(s, x.cont)
	x.cont = cont
	return x.write(s, out)
}

// write finishes masking s, whose tokens out has masked, and writes it.
func (x *Writer) write(s, out string) error {
	if len(s) == 0 {
		return nil
	}
	if mayHoldSecret(out) {
		out = maskRest(out)
	}
	_, err := io.WriteString(x.w, out)
	if err != nil {
		x.err = err
	}
	return err
}

// overflowCut chooses where to cut held-back text longer than maxPending.
// A token region that may continue is held back from its start; one that
// fills the whole text is written, and the next text continues its mask.
// Otherwise the cut falls before the trailing run of token characters, and
// before a secret key or "Bearer" that introduces that run. If the whole
// text is one run, all but its last two bytes (a header may be arriving)
// are written: a 64 KiB token is not a token.
func overflowCut(s string, open int) int {
	switch {
	case open > 0:
		return open
	case open == 0:
		return len(s)
	}
	i := len(s)
	for i > 0 && isTokenChar(s[i-1]) {
		i--
	}
	// Step back over a separator and the word before it, so a key and its
	// value stay together.
	j := i
	for j > 0 && (s[j-1] == ' ' || s[j-1] == '\t' || s[j-1] == '"' || s[j-1] == '\'' || s[j-1] == '\\' || s[j-1] == ':' || s[j-1] == '=') {
		j--
	}
	for j > 0 && isB64URL(s[j-1]) {
		j--
	}
	switch {
	case j > 0:
		return j
	case i > len(s)/2:
		return i // a long run before the trailing one: write it, keep the run
	case i > 0:
		return len(s) // a key and its value fill the text: write them together
	}
	return len(s) - 2
}
