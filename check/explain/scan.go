package explain

// Finding where errors are in pasted text, for Read: AADSTS codes, the
// Azure codes the catalogue knows, codes it does not know (after "code:"
// and its cousins), and the wordings that name an error without its code.
// Each scan is one pass over the text, or a fixed number of substring
// searches, so the whole is linear in the input.

import (
	"strconv"
	"strings"
)

// occKind is how an occurrence was found.
type occKind uint8

const (
	kindAADSTS  occKind = iota // "AADSTS" and digits
	kindKnown                  // an Azure code the catalogue knows
	kindUnknown                // a code after "code:" the catalogue does not know
	kindWording                // a known wording without its code
)

// occurrence is one error in the text.
type occurrence struct {
	start, end int // the code (or the wording) in the text
	kind       occKind
	code       string // as printed; for a wording, the code it implies
	num        int    // the AADSTS number
	back       int    // how many bytes before start may hold its values
	line       bool   // they may be anywhere in start's line (not only its sentence)
	wording    int    // for a wording, its index in wordings
	implies    string // for an unknown code, the code its message's wording implies
}

const (
	maxWindow = 4000 // bytes of text after a code that can belong to it
	maxQuoted = 2100 // longest quoted value (Spacelift subjects reach 2048)
	maxBack   = 400  // bytes before a wording that can hold its values
)

func isAlnum(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

func isWordByte(c byte) bool { return isAlnum(c) || c == '_' }

// scanAADSTS finds "AADSTS" followed by digits, standing alone, starting
// in s[from:to].
func scanAADSTS(s string, from, to int, emit func(occurrence)) {
	for pos := from; pos < to; {
		i := strings.Index(s[pos:min(len(s), to+5)], "AADSTS")
		if i < 0 {
			return
		}
		i += pos
		j := i + 6
		for j < len(s) && j-i < 16 && s[j] >= '0' && s[j] <= '9' {
			j++
		}
		pos = max(j, i+1)
		if j == i+6 || (i > 0 && isAlnum(s[i-1])) || (j < len(s) && isAlnum(s[j])) {
			continue
		}
		n, err := strconv.Atoi(s[i+6 : j])
		if err != nil {
			continue
		}
		emit(occurrence{start: i, end: j, kind: kindAADSTS, code: s[i:j], num: n})
	}
}

// knownNames are the codes the catalogue knows, exactly as printed.
var knownNames = func() map[string]bool {
	m := map[string]bool{}
	for _, ci := range armCodes {
		m[ci.Code] = true
	}
	return m
}()

// grpcCodes are words that follow "code =" in gRPC and Kubernetes text and
// are not Azure codes.
var grpcCodes = map[string]bool{"Unknown": true, "Internal": true, "Unavailable": true, "DeadlineExceeded": true,
	"NotFound": true, "PermissionDenied": true, "Unauthenticated": true, "InvalidArgument": true, "Canceled": true,
	"AlreadyExists": true, "ResourceExhausted": true, "FailedPrecondition": true, "Aborted": true, "OutOfRange": true,
	"Unimplemented": true, "DataLoss": true, "OK": true, "None": true}

// scanUnknown finds codes the catalogue does not know where text labels
// them: `"code": "X"`, `Code="X"`, `ERROR CODE: X`, `ErrorCode: X`,
// `<Code>X</Code>`, `x-ms-error-code: X` and `Error type: X`; those that
// start in s[from:to].
func scanUnknown(s string, from, to int, emit func(occurrence)) {
	for i := max(0, from-40); i+4 <= len(s) && i < to; i++ {
		if c := s[i] | 0x20; c != 'c' && c != 'e' {
			continue
		}
		j := labelEnd(s, i)
		if j < 0 {
			continue
		}
		for n := 0; j < len(s) && n < 20 && (s[j] == ' ' || s[j] == '"' || s[j] == '\\'); n++ {
			j++
		}
		k := j
		for k < len(s) && k-j < 80 && isWordByte(s[k]) {
			k++
		}
		if k-j < 4 || s[j] < 'A' || s[j] > 'Z' || (k < len(s) && (isWordByte(s[k]) || s[k] == '-' || s[k] == '.')) {
			continue
		}
		name := s[j:k]
		i = k - 1
		if j < from || j >= to || knownNames[name] || grpcCodes[name] || strings.HasPrefix(name, "AADSTS") || !hasLower(name) {
			continue
		}
		emit(occurrence{start: j, end: k, kind: kindUnknown, code: name})
	}
}

// labelEnd reports whether a code label starts at s[i] ("code" with its
// separator, or "Error type:") and returns where its value may start, or -1.
func labelEnd(s string, i int) int {
	c := s[i] | 0x20
	if c == 'e' && i+11 <= len(s) && strings.EqualFold(s[i:i+11], "error type:") && (i == 0 || !isWordByte(s[i-1])) {
		return i + 11
	}
	if c != 'c' || s[i+1]|0x20 != 'o' || s[i+2]|0x20 != 'd' || s[i+3]|0x20 != 'e' {
		return -1
	}
	if i > 0 && isWordByte(s[i-1]) && !hasSuffixFold(s[:i], "error") {
		return -1
	}
	j := i + 4
	if j < len(s) && s[j] == '\\' {
		j++
	}
	if j < len(s) && s[j] == '"' {
		j++
	}
	for j < len(s) && s[j] == ' ' {
		j++
	}
	if j >= len(s) || (s[j] != ':' && s[j] != '=' && s[j] != '>') {
		return -1
	}
	return j + 1
}

func hasSuffixFold(s, suffix string) bool {
	return len(s) >= len(suffix) && strings.EqualFold(s[len(s)-len(suffix):], suffix)
}

func hasLower(s string) bool {
	return strings.IndexFunc(s, func(r rune) bool { return r >= 'a' && r <= 'z' }) >= 0
}

// segment is how much text is scanned at a time: the occurrences of one
// segment are all that is held, so memory stays bounded however many
// errors the text repeats.
const segment = 256 << 10

// scanAll calls emit with every occurrence in s, in order, and where its
// window ends (the next occurrence's start, or the end of the text, at
// most maxWindow on). A wording inside the window of a code is that code's
// message, not a second error, and is dropped; when the code is unknown,
// the wording gives it its meaning. The text is scanned segment by
// segment, each scan one pass.
func scanAll(s string, emit func(o occurrence, end int)) {
	var seg, aad, words, unk []occurrence
	var pending occurrence
	havePending := false
	flush := func(next int) {
		if havePending {
			emit(pending, min(next, pending.start+maxWindow, len(s)))
		}
	}
	for from := 0; from < len(s); from += segment {
		to := min(len(s), from+segment)
		aad, words, unk = aad[:0], words[:0], unk[:0]
		scanAADSTS(s, from, to, func(o occurrence) { aad = append(aad, o) })
		scanWords(s, from, to, func(o occurrence) { words = append(words, o) })
		scanUnknown(s, from, to, func(o occurrence) { unk = append(unk, o) })
		seg = merge3(seg[:0], aad, words, unk)
		for k, o := range seg {
			if o.kind == kindWording {
				// What decides a wording's code is in its own window.
				limit := to + maxWindow
				if k+1 < len(seg) {
					limit = seg[k+1].start
				}
				if havePending && pending.kind != kindWording && o.start < pending.start+maxWindow {
					if pending.kind == kindUnknown && pending.implies == "" {
						pending.implies = resolve(s, o, limit)
					}
					continue
				}
				if o.code = resolve(s, o, limit); o.code == "" {
					continue
				}
				if n, ok := strings.CutPrefix(o.code, "AADSTS"); ok {
					o.num = atoiOr0(n)
				}
			}
			flush(o.start)
			pending, havePending = o, true
		}
	}
	flush(len(s))
}

// merge3 merges three lists, each in order of position, into dst: by
// position, and at one position a code before a wording.
func merge3(dst []occurrence, a, b, c []occurrence) []occurrence {
	before := func(x, y occurrence) bool {
		return x.start < y.start || (x.start == y.start && x.kind < y.kind)
	}
	for len(a)+len(b)+len(c) > 0 {
		var next *[]occurrence
		for _, l := range []*[]occurrence{&a, &b, &c} {
			if len(*l) > 0 && (next == nil || before((*l)[0], (*next)[0])) {
				next = l
			}
		}
		dst = append(dst, (*next)[0])
		*next = (*next)[1:]
	}
	return dst
}
