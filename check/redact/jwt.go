package redact

import "strings"

// Finding a JWT the way a reader would see one: wrapped across lines, boxed
// by Terraform's │ borders, split by a space or a tab, lower-cased for
// display, or with a JSON header written with spaces. A token region starts
// at a JSON-object header and runs through its base64url segments; after a
// separator (see skipSeparators) it takes in the next piece of base64url text
// when that piece is long enough to be part of a token and not an id. The
// whole region, separators included, becomes one mask, fingerprinted over
// its pieces joined, so a wrapped token reads the same as the unwrapped one.

const (
	// minJWTRun is the shortest dot-free "eyJ..." run that is masked.
	// Shorter runs carry no secret and are left readable.
	minJWTRun = 8
	// minWeakHead is the shortest first segment of a region with a weak
	// header (see headerAt) that is masked; the region must also hold the
	// two dots of a JWS. Such headers also start words and file names
	// ("eyAlignment.config.json"), so they need more evidence; the
	// shortest JWS header, `{"alg":"RS256"}`, is 20 characters.
	minWeakHead = 16
	// minWeakRun is the shortest region with a weak header and a single
	// dot that is masked: a payload and signature whose header was masked
	// apart, or lost to a cut.
	minWeakRun = 80
	// minAdjacentRun is the shortest piece of base64url text, after a
	// separator, that joins the token before it. GUIDs (36 characters,
	// which trace and correlation ids are), ULIDs (26) and words are
	// shorter; the pieces of a wrapped signature are longer.
	minAdjacentRun = 40
	// minNoisyRun is the shortest piece, after a separator, that joins the
	// token before it when it reads like base64url noise: upper and lower
	// case letters and a digit, as the last line of a wrapped signature
	// does and ids, words and version strings don't.
	minNoisyRun = 4
	// maxShortPieces is how many shorter pieces a region looks through for
	// a long one: a token split twice close together leaves a short piece
	// between two long ones, and the long one must still be masked.
	maxShortPieces = 4
)

// headerAt reports whether a token's header starts at s[i:], and whether
// it is the strong "eyJ" (base64url of `{"`), which may even be glued to
// the word before it. The weak headers are any other letter case of "eyJ"
// (a token lower-cased for display), "eyA" (`{ "`: JSON with a space) and
// "ewo" (`{` and a line break); they must start a word. Separators may
// split the three letters too, as a wrap can.
func headerAt(s string, i int) (ok, strong bool) {
	if i+2 >= len(s) || s[i]|0x20 != 'e' {
		return false, false
	}
	if c := s[i+1] | 0x20; c != 'y' && c != 'w' && !mayStartSeparator(s[i+1]) {
		return false, false // the fast path: most e's are in words
	}
	j := skipSeparators(s, i+1)
	if j >= len(s) {
		return false, false
	}
	k := skipSeparators(s, j+1)
	if k >= len(s) {
		return false, false
	}
	if s[i] == 'e' && s[j] == 'y' && s[k] == 'J' {
		return true, true
	}
	c1, c2 := s[j]|0x20, s[k]|0x20
	if !(c1 == 'y' && (c2 == 'j' || c2 == 'a') || c1 == 'w' && c2 == 'o') {
		return false, false
	}
	return i == 0 || !isB64URL(s[i-1]) || escapeBefore(s, i), false
}

// escapeBefore reports whether an escaped control character (a separator)
// ends just before s[i:], as in `\u202eeyAi...`.
func escapeBefore(s string, i int) bool {
	for n := 2; n <= 16 && n <= i; n++ { // \n, \xHH, \uHHHH, \x1b[1;31m
		if s[i-n] == '\\' && escapeEnd(s, i-n) == i {
			return true
		}
	}
	return false
}

// nextHeader returns the index of the first header at or after from, or -1.
func nextHeader(s string, from int) (int, bool) {
	for i := from; i+3 <= len(s); i++ {
		k := strings.IndexAny(s[i:len(s)-2], "eE")
		if k < 0 {
			return -1, false
		}
		i += k
		if ok, strong := headerAt(s, i); ok {
			return i, strong
		}
	}
	return -1, false
}

// hasHeader is the fast test of whether s may hold a token.
func hasHeader(s string) bool {
	i, _ := nextHeader(s, 0)
	return i >= 0
}

// region is the extent of a token found in text.
type region struct {
	end  int // where it ends in the text
	n    int // base64url characters and dots in it, separators not counted
	dots int
	// open reports that the text ended while the region could still grow:
	// a Writer holds such a region back until more text arrives.
	open bool
}

// isToken reports whether the region, whose pieces joined are token, is
// evidence enough of a token.
func (r region) isToken(strong bool, token string) bool {
	if strong {
		return r.dots > 0 || r.n >= minJWTRun
	}
	head := strings.IndexByte(token, '.')
	return head >= minWeakHead && (r.dots >= 2 || r.n >= minWeakRun)
}

// run returns the end of the run of base64url characters and dots starting
// at s[i:], and how many dots it holds.
func run(s string, i int) (end, dots int) {
	j := i
	for ; j < len(s); j++ {
		if c := s[j]; c == '.' {
			dots++
		} else if !isB64URL(c) {
			break
		}
	}
	return j, dots
}

// scanRegion measures the token region whose first run starts at s[i:].
func scanRegion(s string, i int) region {
	end, dots := run(s, i)
	r := region{end: end, n: end - i, dots: dots}.join(s, end, false)
	// A single trailing dot after one or three segments ends a sentence.
	if r.end > i && s[r.end-1] == '.' && r.dots != 2 && r.dots != 4 {
		r.end, r.n, r.dots = r.end-1, r.n-1, r.dots-1
	}
	return r
}

// join extends r, which ends at s[cursor:], with the pieces that follow
// it. A piece after a separator joins when it is long and not an id, or
// reads like base64url noise, or when a piece that joins follows within
// maxShortPieces pieces. A piece that starts with "eyJ" is a token of its
// own; a weak header (another case, a lower-cased wrap) is just a piece.
// glued lets the first piece follow without a separator (after a mask).
func (r region) join(s string, cursor int, glued bool) region {
	pendN, pendDots, shorts := 0, 0, 0
	for ; ; glued = false {
		if cursor == len(s) {
			r.open = true
			break
		}
		k := skipSeparators(s, cursor)
		if k == cursor && !glued {
			break
		}
		if k == len(s) {
			r.open = true
			break
		}
		if ok, strong := headerAt(s, k); ok && strong {
			break
		}
		p, took := run(s, k)
		n := p - k
		if n == 0 {
			break
		}
		if n >= minAdjacentRun && isHexID(s[k:p]) {
			break
		}
		if n >= minAdjacentRun || n >= minNoisyRun && isNoisy(s[k:p]) {
			r.end, r.n, r.dots = p, r.n+pendN+n, r.dots+pendDots+took
			pendN, pendDots, shorts = 0, 0, 0
			cursor = p
			continue
		}
		if shorts++; shorts > maxShortPieces {
			break
		}
		pendN, pendDots, cursor = pendN+n, pendDots+took, p
	}
	return r
}

// nextMask returns where the first JWT mask at or after from starts and
// ends, or -1: this package's own ("[REDACTED JWT sha256:1a2b3c4d]") and
// the plainer "[redacted JWT]" that some steps write. What follows a mask may
// be the rest of the token it masked, split off by a space or a wrap.
func nextMask(s string, from int) (start, end int) {
	for i := from; i < len(s); i++ {
		j := strings.IndexByte(s[i:], '[')
		if j < 0 {
			return -1, -1
		}
		i += j
		if e := maskEnd(s, i); e > i {
			return i, e
		}
	}
	return -1, -1
}

// maskEnd returns the end of the mask starting at s[i:], or i.
func maskEnd(s string, i int) int {
	const plain = "[redacted jwt]"
	if len(s)-i >= len(plain) && strings.EqualFold(s[i:i+len(plain)], plain) {
		return i + len(plain)
	}
	const ours = "[REDACTED JWT sha256:"
	if j := i + len(ours); strings.HasPrefix(s[i:], ours) && j+9 <= len(s) && s[j+8] == ']' && isHexID(s[j:j+8]) {
		return j + 9
	}
	return i
}

// hasMask is the fast test of whether s may hold a mask.
func hasMask(s string) bool {
	return strings.Contains(s, "[REDACTED JWT") || strings.Contains(s, "[redacted JWT") || strings.Contains(s, "[Redacted JWT")
}

// isHexID reports whether piece is only hex digits and dashes: a GUID, a
// W3C trace id or traceparent, a hash. A long piece of a signature never is.
func isHexID(piece string) bool {
	for i := 0; i < len(piece); i++ {
		if c := piece[i]; !isHex(c) && c != '-' {
			return false
		}
	}
	return true
}

// isNoisy reports whether piece holds upper and lower case letters and a
// digit, as random base64url text of a few characters mostly does.
func isNoisy(piece string) bool {
	var upper, lower, digit bool
	for i := 0; i < len(piece); i++ {
		switch c := piece[i]; {
		case 'A' <= c && c <= 'Z':
			upper = true
		case 'a' <= c && c <= 'z':
			lower = true
		case '0' <= c && c <= '9':
			digit = true
		}
	}
	return upper && lower && digit
}

// squeeze returns the region's pieces joined: the token as it was before
// it was wrapped or split, for its fingerprint.
func squeeze(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); {
		if j := skipSeparators(s, i); j > i {
			i = j
			continue
		}
		b.WriteByte(s[i])
		i++
	}
	return b.String()
}

// maskTokens masks every token region in s. cont says that s continues a
// region cut off at its start (see Writer). It also returns where the last
// region starts when s ends inside it, or -1.
func maskTokens(s string, cont bool) (string, int) {
	var b strings.Builder
	last, open := 0, -1
	from := 0
	if cont {
		r := scanRegion(s, 0)
		if r.open {
			open = 0
		}
		if r.n > 0 {
			b.WriteString(mask(squeeze(s[:r.end])))
			last, from = r.end, r.end
		}
	}
	// The next header and the next mask, each found again only once the
	// scan has passed it, so the scan stays linear.
	i, strong, m, mend := -2, false, -2, -2
	for from < len(s) {
		if i != -1 && i < from {
			i, strong = nextHeader(s, from)
		}
		if m != -1 && m < from {
			m, mend = nextMask(s, from)
		}
		if m >= 0 && (i < 0 || m < i) {
			// The rest of a masked token: mask what joins the mask.
			r := region{end: mend}.join(s, mend, true)
			if r.open {
				open = m
			}
			if r.n > 0 {
				b.WriteString(s[last:mend])
				b.WriteString(" " + mask(squeeze(s[mend:r.end])))
				last = r.end
			}
			from = max(r.end, mend)
			continue
		}
		if i < 0 {
			break
		}
		r := scanRegion(s, i)
		if r.open {
			open = i
		}
		token := squeeze(s[i:r.end])
		if !r.isToken(strong, token) {
			from = i + 3
			continue
		}
		b.WriteString(s[last:i])
		b.WriteString(mask(token))
		last, from = r.end, r.end
	}
	if last == 0 {
		return s, open
	}
	b.WriteString(s[last:])
	return b.String(), open
}
