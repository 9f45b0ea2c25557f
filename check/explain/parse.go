package explain

// Reading pasted text for Read: undoing the damage the places it was
// pasted from do (JSON escapes, per-line decoration, GitHub's log links,
// HTML entities, doubled quotes), and pulling labelled, quoted and JSON
// values out of it.

import (
	"regexp"
	"strconv"
	"strings"

	"github.com/oidc-doctor/oidc-doctor/check/diag"
)

// normalize undoes JSON escaping (nested up to three times), doubled
// quotes and per-line decoration (box borders, indentation, CI log
// timestamps) in one window of text. Line breaks stay as "\n": the
// extractors treat them as spaces between words and drop them inside quoted
// values, where they can only be wrapping.
func normalize(text string) string {
	for range 3 {
		if !strings.Contains(text, `\`) {
			break
		}
		text = unescape(text)
	}
	if strings.Contains(text, `""`) && (strings.Contains(text, `{""`) || strings.Contains(text, `"":`)) {
		text = strings.ReplaceAll(text, `""`, `"`)
	}
	if !needsLineCleaning(text) {
		return stripLogTime(text)
	}
	var b strings.Builder
	b.Grow(len(text))
	for len(text) > 0 {
		line := text
		if i := strings.IndexByte(text, '\n'); i >= 0 {
			line, text = text[:i], text[i+1:]
		} else {
			text = ""
		}
		b.WriteString(cleanLine(line))
		b.WriteByte('\n')
	}
	return b.String()
}

// needsLineCleaning reports whether text has line breaks, tabs, a leading
// space or the decoration cleanLine strips (│ ╷ ╵ start with 0xE2).
func needsLineCleaning(text string) bool {
	if strings.HasPrefix(text, " ") {
		return true
	}
	for i := 0; i < len(text); i++ {
		switch text[i] {
		case '\n', '\t', '|', '>', 0xE2:
			return true
		}
	}
	return false
}

func cleanLine(l string) string {
	l = strings.TrimRight(l, " \t\r")
	l = strings.TrimLeft(l, " \t")
	l = stripLogTime(l)
	for range 3 {
		t := l
		for _, p := range []string{"│", "|", "╷", "╵", ">"} {
			t = strings.TrimPrefix(t, p)
		}
		for _, p := range []string{"│", "|"} {
			t = strings.TrimSuffix(t, p)
		}
		t = strings.Trim(t, " \t")
		if t == l {
			break
		}
		l = t
	}
	return l
}

// stripLogTime removes a leading RFC 3339 timestamp, as GitHub Actions and
// Spacelift logs put on every line.
func stripLogTime(l string) string {
	if len(l) < 20 || l[4] != '-' || l[7] != '-' || l[10] != 'T' || l[13] != ':' {
		return l
	}
	i := strings.IndexByte(l, ' ')
	if i < 0 || i > 40 {
		return l
	}
	return strings.TrimLeft(l[i:], " ")
}

// unescape undoes the common JSON string escapes in one left-to-right pass.
func unescape(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '\\' || i+1 == len(s) {
			b.WriteByte(c)
			continue
		}
		switch n := s[i+1]; n {
		case '"', '\\', '/', '\'':
			b.WriteByte(n)
			i++
		case 'n':
			b.WriteByte('\n')
			i++
		case 'r':
			i++
			if strings.HasPrefix(s[i+1:], `\n`) {
				i += 2
			}
			b.WriteByte('\n')
		case 't':
			b.WriteByte(' ')
			i++
		case 'u':
			if i+6 <= len(s) {
				if v, err := strconv.ParseUint(s[i+2:i+6], 16, 32); err == nil {
					if v < 0x20 {
						v = ' '
					}
					b.WriteRune(rune(v))
					i += 5
					continue
				}
			}
			b.WriteByte(c)
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// fieldSet collects fields, first value per key wins.
type fieldSet map[string]string

func (fs *fieldSet) set(k, v string) {
	if *fs == nil {
		*fs = fieldSet{}
	}
	if _, ok := (*fs)[k]; ok || v == "" || looksLikeJWT(v) {
		return
	}
	(*fs)[k] = v
}

// setQuoted is set for a value that was quoted: an empty quote (”) is a
// value the text gives, and is kept.
func (fs *fieldSet) setQuoted(k, v string) {
	if v != "" {
		fs.set(k, v)
		return
	}
	if *fs == nil {
		*fs = fieldSet{}
	}
	if _, ok := (*fs)[k]; !ok {
		(*fs)[k] = ""
	}
}

func (fs *fieldSet) quoted(s, key string, labels ...string) {
	if _, ok := (*fs)[key]; ok {
		return
	}
	for _, l := range labels {
		if v, ok := quotedAfter(s, l); ok {
			fs.setQuoted(key, v)
			return
		}
	}
}

func (fs *fieldSet) word(s, key string, labels ...string) {
	if _, ok := (*fs)[key]; ok {
		return
	}
	for _, l := range labels {
		if v := wordAfter(s, l); v != "" {
			fs.set(key, v)
			return
		}
	}
}

func (fs fieldSet) facts() []diag.Fact {
	var out []diag.Fact
	for _, k := range fieldOrder {
		if v, ok := fs[k]; ok {
			out = append(out, diag.Fact{Key: k, Value: v})
		}
	}
	return out
}

// indexLabel finds label in s at or after from, with each space in label
// matching any run of whitespace (wrapped text). Plain (vectorised)
// substring search finds the first word without its first letter, whose
// case is then free; the rest compares without regard to ASCII case.
func indexLabel(s, label string, from int) int {
	if label == "" || from >= len(s) {
		return -1
	}
	w := label
	if i := strings.IndexByte(label, ' '); i > 0 {
		w = label[:i]
	}
	first := lowerASCII(w[0])
	if len(w) == 1 {
		for i := from; i < len(s); i++ {
			if lowerASCII(s[i]) == first && matchLabel(s[i:], label) >= 0 {
				return i
			}
		}
		return -1
	}
	tail := w[1:]
	for pos := from + 1; pos < len(s); {
		i := strings.Index(s[pos:], tail)
		if i < 0 {
			return -1
		}
		i += pos
		if lowerASCII(s[i-1]) == first && matchLabel(s[i-1:], label) >= 0 {
			return i - 1
		}
		pos = i + 1
	}
	return -1
}

// matchLabel returns the length of s's prefix that matches label, or -1.
func matchLabel(s, label string) int {
	j := 0
	for i := 0; i < len(label); i++ {
		c := label[i]
		if c == ' ' {
			k := j
			for k < len(s) && (s[k] == ' ' || s[k] == '\n' || s[k] == '\t') {
				k++
			}
			if k == j {
				return -1
			}
			j = k
			continue
		}
		if j >= len(s) || lowerASCII(s[j]) != lowerASCII(c) {
			return -1
		}
		j++
	}
	return j
}

// quotedAfter returns the '…'-quoted value that follows label (whitespace
// allowed between them), with line breaks inside it removed. Only the first
// place where label is followed by a quote counts, so the cost is linear.
func quotedAfter(s, label string) (string, bool) {
	for from := 0; ; {
		i := indexLabel(s, label, from)
		if i < 0 {
			return "", false
		}
		from = i + 1
		j := i + matchLabel(s[i:], label)
		for j < len(s) && (s[j] == ' ' || s[j] == '\n') {
			j++
		}
		if j >= len(s) || s[j] != '\'' {
			continue
		}
		rest := s[j+1 : min(len(s), j+1+maxQuoted)]
		k := strings.IndexByte(rest, '\'')
		if k < 0 {
			return "", false
		}
		return strings.ReplaceAll(rest[:k], "\n", ""), true
	}
}

// wordAfter returns the whitespace-delimited word after label, without
// quotes or trailing punctuation.
func wordAfter(s, label string) string {
	i := indexLabel(s, label, 0)
	if i < 0 {
		return ""
	}
	rest := strings.TrimLeft(s[i+matchLabel(s[i:], label):], " \n\t")
	rest = rest[:min(len(rest), maxQuoted+1)]
	end := len(rest)
	if j := strings.IndexAny(rest, " \n\t\"}]"); j >= 0 {
		end = j
		if j == 0 && rest[0] == '"' { // a value in double quotes
			if k := strings.IndexByte(rest[1:], '"'); k > 0 {
				return rest[1 : 1+k]
			}
		}
	}
	w := strings.Trim(rest[:end], `'"`)
	w = strings.TrimRight(w, ".,;)'\"")
	if len(w) > maxQuoted {
		return ""
	}
	return w
}

// jsonValue finds "key": "value" in s (after unescaping) and returns value.
func jsonValue(s, key string) string {
	i := -1
	for pos := 1; pos < len(s); {
		j := strings.Index(s[pos:], key)
		if j < 0 {
			return ""
		}
		j += pos
		if s[j-1] == '"' && j+len(key) < len(s) && s[j+len(key)] == '"' {
			i = j - 1
			break
		}
		pos = j + 1
	}
	if i < 0 {
		return ""
	}
	rest := strings.TrimLeft(s[i+len(key)+2:], " \n\t")
	if !strings.HasPrefix(rest, ":") {
		return ""
	}
	rest = strings.TrimLeft(rest[1:], " \n\t")
	if !strings.HasPrefix(rest, `"`) {
		return ""
	}
	end := strings.IndexByte(rest[1:], '"')
	if end < 0 || end > 300 {
		return ""
	}
	return rest[1 : 1+end]
}

var jwtRE = regexp.MustCompile(`eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*`)

func looksLikeJWT(v string) bool {
	return strings.Contains(v, "eyJ") && jwtRE.MatchString(v)
}

// clean collapses whitespace, masks anything shaped like a JWT, and cuts to n bytes.
func clean(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if strings.Contains(s, "eyJ") {
		s = jwtRE.ReplaceAllString(s, "[redacted JWT]")
	}
	return diag.Truncate(strings.TrimSpace(s), n)
}

// lowerASCII lower-cases an ASCII letter and leaves any other byte alone.
func lowerASCII(c byte) byte {
	if c >= 'A' && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}
