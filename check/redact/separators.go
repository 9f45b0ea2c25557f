package redact

import "strings"

// What may stand between two pieces of one token as a reader sees it. A
// token is wrapped across lines by a terminal or a log viewer, boxed by
// Terraform's diagnostics ("│ " at the start of each line, often coloured),
// split by a space or a tab when pasted, and printed with its line breaks
// and control characters escaped: `\n` in JSON and in Go's %q, `\x1b` or
// `\u202e` by the report's display sanitiser, `\|` in a Markdown table.

// borders are the box-drawing characters tools draw around wrapped text.
var borders = []string{"│", "┃", "║", "|"}

// skipSeparators returns the end of the run of separators that starts at
// s[i:]; i itself when there is none.
func skipSeparators(s string, i int) int {
	for i < len(s) {
		j := separatorEnd(s, i)
		if j == i {
			break
		}
		i = j
	}
	return i
}

// mayStartSeparator reports whether a separator can start with c.
func mayStartSeparator(c byte) bool {
	switch c {
	case ' ', '\t', '\n', '\r', '\v', '\f', 0x1b, '\\', '|', "│"[0]:
		return true
	}
	return false
}

// separatorEnd returns the end of the one separator at s[i:], or i.
func separatorEnd(s string, i int) int {
	switch c := s[i]; c {
	case ' ', '\t', '\n', '\r', '\v', '\f':
		return i + 1
	case 0x1b:
		return csiEnd(s, i+1)
	case '\\':
		return escapeEnd(s, i)
	}
	for _, b := range borders {
		if strings.HasPrefix(s[i:], b) {
			return i + len(b)
		}
	}
	return i
}

// csiEnd returns the end of an ANSI control sequence whose ESC ends just
// before s[i:] ("[1;31m"), or i when none follows: a bare ESC is itself a
// separator.
func csiEnd(s string, i int) int {
	if i >= len(s) || s[i] != '[' {
		return i
	}
	j := i + 1
	for j < len(s) && ('0' <= s[j] && s[j] <= '9' || s[j] == ';') {
		j++
	}
	if j < len(s) && 0x40 <= s[j] && s[j] <= 0x7e {
		return j + 1
	}
	return i
}

// escapeEnd returns the end of the escaped control character or border at
// s[i:], which starts with one or more backslashes (Markdown doubles them),
// or i when the backslashes escape something else.
func escapeEnd(s string, i int) int {
	j := i
	for j < len(s) && s[j] == '\\' {
		j++
	}
	if j == len(s) {
		return i
	}
	hex := func(from, n int) bool {
		if from+n > len(s) {
			return false
		}
		for k := from; k < from+n; k++ {
			if !isHex(s[k]) {
				return false
			}
		}
		return true
	}
	switch c := s[j]; {
	case c == 'n' || c == 'r' || c == 't' || c == '|':
		return j + 1
	case c == 'x' && hex(j+1, 2):
		if s[j+1:j+3] == "1b" || s[j+1:j+3] == "1B" {
			return csiEnd(s, j+3)
		}
		return j + 3
	case c == 'u' && hex(j+1, 4):
		if strings.EqualFold(s[j+1:j+5], "001b") {
			return csiEnd(s, j+5)
		}
		return j + 5
	}
	return i
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}
