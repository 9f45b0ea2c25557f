package report

import (
	"bytes"
	"fmt"
	"html"
	"strings"
	"unicode/utf8"
)

// The display sanitiser. A report carries outside data: claims and claim
// names from a token anyone can mint, environment values, the text of a
// service's answer, a paste. None of it may rewrite the terminal it is
// printed on (ESC sequences, a bare CR, OSC-8 links, window titles, bidi
// overrides that reorder a line) or the ticket it is pasted into (headings,
// links, images, raw HTML). Every renderer passes every string it prints
// through one of the functions here; the renderers' own colour codes are
// added after, and are the only ESC that reaches a terminal.
//
// Control characters become visible escapes: \t \n \r, \xHH for the other C0
// characters, DEL and bytes that are not UTF-8, \u0080 to \u009f for C1,
// and \u202e (for example) for the bidi overrides, isolates and marks and
// the line and paragraph separators. A fix keeps its exact bytes for
// pasting, or says it cannot be printed safely.

// needsEscape reports whether r must not reach a terminal or a ticket as is.
func needsEscape(r rune) bool {
	switch {
	case r < 0x20, r == 0x7f, 0x80 <= r && r <= 0x9f:
		return true
	case r == 0x061c, r == 0x200e, r == 0x200f, // ALM, LRM, RLM
		0x202a <= r && r <= 0x202e, // LRE, RLE, PDF, LRO, RLO
		0x2066 <= r && r <= 0x2069, // LRI, RLI, FSI, PDI
		r == 0x2028, r == 0x2029:   // line and paragraph separators
		return true
	}
	return false
}

// escapeRune writes the visible escape of r.
func escapeRune(b *strings.Builder, r rune) {
	switch {
	case r == '\t':
		b.WriteString(`\t`)
	case r == '\n':
		b.WriteString(`\n`)
	case r == '\r':
		b.WriteString(`\r`)
	case r < 0x80:
		fmt.Fprintf(b, `\x%02x`, r)
	default:
		fmt.Fprintf(b, `\u%04x`, r)
	}
}

// sanitize escapes every character that needs it in s, except those in keep.
func sanitize(s, keep string) string {
	i := 0
	for i < len(s) {
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 || needsEscape(r) && !strings.ContainsRune(keep, r) {
			break
		}
		i += size
	}
	if i == len(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 16)
	b.WriteString(s[:i])
	for i < len(s) {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case needsEscape(r) && !strings.ContainsRune(keep, r):
			escapeRune(&b, r)
		default:
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String()
}

// visible is s on one line, every control character escaped: for
// summaries, hints, keys, titles and values shown on one line.
func visible(s string) string { return sanitize(s, "") }

// visibleLines is visible for a value that may span lines: its line breaks
// are kept, every other control character escaped.
func visibleLines(s string) string { return sanitize(s, "\n") }

// unprintable returns the first character of a fix that would need an
// escape, and its byte offset, or -1. Line breaks are part of a fix;
// anything else is not pasted safely.
func unprintable(fix string) (rune, int) {
	for i, r := range fix {
		if r == utf8.RuneError && !strings.HasPrefix(fix[i:], "\uFFFD") || needsEscape(r) && r != '\n' {
			return r, i
		}
	}
	return 0, -1
}

// fixText is a fix's text as printed: exact, or a note that it cannot be.
func fixText(text string) string {
	r, at := unprintable(text)
	if at < 0 {
		return text
	}
	var b strings.Builder
	escapeRune(&b, r)
	return fmt.Sprintf("# this fix holds a control character (%s at byte %d) and cannot be printed safely;\n# `--format json` shows it escaped\n", b.String(), at)
}

// jsonSafe escapes, in encoded JSON, what encoding/json leaves raw: DEL,
// the C1 controls and the bidi and separator characters, as \uXXXX. They
// can only occur inside strings, so the document stays the same document.
func jsonSafe(doc []byte) []byte {
	if !bytes.ContainsFunc(doc, func(r rune) bool { return r >= 0x7f && needsEscape(r) }) {
		return doc
	}
	var b bytes.Buffer
	b.Grow(len(doc) + 32)
	for i := 0; i < len(doc); {
		r, size := utf8.DecodeRune(doc[i:])
		if r >= 0x7f && needsEscape(r) {
			fmt.Fprintf(&b, `\u%04x`, r)
		} else {
			b.Write(doc[i : i+size])
		}
		i += size
	}
	return b.Bytes()
}

// Markdown, as GitHub renders it (CommonMark with the GFM tables, autolink
// and raw HTML extensions). Outside values go in code spans, whose content
// is literal; the sentences around them are escaped so that nothing in them
// starts a heading, a list, a link, an image, HTML, an entity, emphasis or a
// table cell, and a word that GFM would turn into a link by itself (a URL,
// "www.", an e-mail address) is set in a code span. Inside a table a code
// span still ends at a bare |, so there it is written \|.

// prose escapes s for running Markdown text.
func prose(s string) string { return markdownText(s, false) }

// cell escapes s for a GFM table cell.
func cell(s string) string { return markdownText(s, true) }

// markdownText escapes s, on one line, for prose or (table) a cell. Our
// sentences quote commands in backticks: each backtick-quoted part becomes
// a code span again, fenced anew, so one that a backtick in an outside value
// opened or closed early is still only a code span.
func markdownText(s string, table bool) string {
	s = visible(s)
	var b strings.Builder
	for s != "" {
		i := strings.IndexByte(s, '`')
		if i < 0 {
			appendMD(&b, markdownWords(s, table))
			break
		}
		appendMD(&b, markdownWords(s[:i], table))
		n := len(s[i:]) - len(strings.TrimLeft(s[i:], "`"))
		end := closingTicks(s[i+n:], n)
		if end < 0 {
			appendMD(&b, strings.Repeat("\\`", n))
			s = s[i+n:]
			continue
		}
		appendMD(&b, code(s[i+n:i+n+end], table))
		s = s[i+n+end+n:]
	}
	return blockSafe(b.String())
}

// appendMD appends piece to b, with a space between two backticks: two
// code spans side by side would merge their fences into one longer run.
func appendMD(b *strings.Builder, piece string) {
	if cur := b.String(); cur != "" && cur[len(cur)-1] == '`' && strings.HasPrefix(piece, "`") {
		b.WriteByte(' ')
	}
	b.WriteString(piece)
}

// closingTicks returns where in s the first run of exactly n backticks
// starts, or -1.
func closingTicks(s string, n int) int {
	for i := 0; i < len(s); {
		if s[i] != '`' {
			i++
			continue
		}
		m := len(s[i:]) - len(strings.TrimLeft(s[i:], "`"))
		if m == n {
			return i
		}
		i += m
	}
	return -1
}

// markdownWords escapes text outside code spans word by word.
func markdownWords(s string, table bool) string {
	words := strings.Split(s, " ")
	for i, w := range words {
		if !autolinks(w) {
			words[i] = escapeWord(w)
			continue
		}
		// What comes before a URL and the punctuation after it stay prose:
		// "(https://x/);" reads better with only the URL as code.
		lead, core := w[:linkStart(w)], w[linkStart(w):]
		core = strings.TrimRight(core, ".,;:!?)\"'")
		trail := w[len(lead)+len(core):]
		if !autolinks(core) {
			core, lead, trail = w, "", ""
		}
		words[i] = escapeWord(lead) + code(core, table) + escapeWord(trail)
	}
	return strings.Join(words, " ")
}

// blockSafe escapes the start of a line that would start a block: an ATX
// heading, a list item, a thematic break.
func blockSafe(s string) string {
	t := strings.TrimLeft(s, " ")
	at := len(s) - len(t)
	if t == "" {
		return s
	}
	spaceOrEnd := func(i int) bool { return i >= len(t) || t[i] == ' ' }
	hashes := len(t) - len(strings.TrimLeft(t, "#"))
	digits := len(t) - len(strings.TrimLeft(t, "0123456789"))
	switch {
	case hashes > 0 && spaceOrEnd(hashes),
		(t[0] == '-' || t[0] == '+') && spaceOrEnd(1),
		t[0] == '-' && strings.Trim(t, "- ") == "",
		t[0] == '=' && strings.Trim(t, "= ") == "":
		return s[:at] + `\` + t
	case digits > 0 && digits < len(t) && (t[digits] == '.' || t[digits] == ')') && spaceOrEnd(digits+1):
		return s[:at+digits] + `\` + t[digits:]
	}
	return s
}

// autolinks reports whether GFM would make a link of the word w by itself.
func autolinks(w string) bool {
	lw := strings.ToLower(w)
	return strings.Contains(lw, "://") || strings.Contains(lw, "www.") || strings.Contains(lw, "@") ||
		strings.Contains(lw, "mailto:") || strings.Contains(lw, "xmpp:")
}

// linkStart is where the URL, "www." name or e-mail address in w starts:
// at its scheme or local part.
func linkStart(w string) int {
	lw := strings.ToLower(w)
	start := len(w)
	if i := strings.Index(lw, "://"); i >= 0 {
		j := i
		for j > 0 && ('a' <= lw[j-1] && lw[j-1] <= 'z' || lw[j-1] == '+' || lw[j-1] == '-' || lw[j-1] == '.') {
			j--
		}
		start = min(start, j)
	}
	for _, p := range []string{"www.", "mailto:", "xmpp:"} {
		if i := strings.Index(lw, p); i >= 0 {
			start = min(start, i)
		}
	}
	if i := strings.IndexByte(lw, '@'); i >= 0 {
		j := i
		for j > 0 && (isAlnum(lw[j-1]) || strings.IndexByte(".+-_", lw[j-1]) >= 0) {
			j--
		}
		start = min(start, j)
	}
	return start
}

func isAlnum(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
}

// escapeWord backslash-escapes the ASCII punctuation in w that can start
// inline Markdown: links and images, HTML, entities, code, strikethrough,
// table cells and * emphasis. The underscore, which base64url and snake_case
// are full of, is left alone: at worst it makes emphasis, never a link, and
// escaping it would cut a token in two for the redaction backstop.
func escapeWord(w string) string {
	var b strings.Builder
	for i := 0; i < len(w); i++ {
		switch c := w[i]; c {
		case '\\', '`', '*', '[', ']', '<', '>', '&', '~', '|':
			b.WriteByte('\\')
			b.WriteByte(c)
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// htmlText is s, on one line, as text inside an HTML block such as a
// <summary>, where Markdown escapes do not apply but entities do.
func htmlText(s string) string { return html.EscapeString(visible(s)) }

// codeSpan quotes s, on one line, as inline code.
func codeSpan(s string) string { return code(visible(s), false) }

// cellCode quotes s, on one line, as inline code in a table cell.
func cellCode(s string) string { return code(visible(s), true) }

// code quotes s as inline code, with a backtick run longer than any inside
// s, as CommonMark requires; in a table its pipes are escaped.
func code(s string, table bool) string {
	if table {
		s = strings.ReplaceAll(s, "|", `\|`)
	}
	ticks := strings.Repeat("`", longestRun(s, '`')+1)
	if strings.HasPrefix(s, "`") || strings.HasSuffix(s, "`") {
		s = " " + s + " "
	}
	return ticks + s + ticks
}

// codeBlock is s, which may span lines, as a fenced code block with the
// info string lang, each line after the first prefixed with indent.
func codeBlock(s, lang, indent string) string {
	s = strings.TrimSuffix(visibleLines(s), "\n")
	fence := codeFence(s)
	return fence + visible(lang) + "\n" + indent + strings.ReplaceAll(s, "\n", "\n"+indent) + "\n" + indent + fence
}

// codeFence returns a fence of at least three backticks that cannot close
// early inside s.
func codeFence(s string) string {
	return strings.Repeat("`", max(3, longestRun(s, '`')+1))
}

func longestRun(s string, c byte) int {
	best, n := 0, 0
	for i := 0; i < len(s); i++ {
		if s[i] == c {
			n++
			best = max(best, n)
		} else {
			n = 0
		}
	}
	return best
}
