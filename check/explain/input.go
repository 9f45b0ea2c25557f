package explain

import (
	"io"
	"strings"
	"unicode/utf8"
)

// ReadInput reads at most MaxInput bytes of pasted text from r. cutAt is
// the offset at which the rest was left unread (0 when r held no more);
// the cut falls on a character boundary. sizeHint, when positive, is the
// input's size, so that the text is read into one buffer of that size.
func ReadInput(r io.Reader, sizeHint int64) (text string, cutAt int64, err error) {
	var b strings.Builder
	if sizeHint > 0 {
		b.Grow(int(min(sizeHint, MaxInput) + 1))
	}
	n, err := io.Copy(&b, io.LimitReader(r, MaxInput+1))
	if err != nil {
		return "", 0, err
	}
	text = b.String()
	if n > MaxInput {
		i := MaxInput
		for i > 0 && !utf8.RuneStart(text[i]) {
			i--
		}
		text, cutAt = text[:i], int64(i)
	}
	return text, cutAt, nil
}
