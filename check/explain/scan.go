package explain

// Finding where errors are in pasted text, for Read: AADSTS codes, the
// Azure codes the catalogue knows, codes it does not know (after "code:"
// and its cousins), and the wordings that name an error without its code.
// Each scan is one pass over the text, or a fixed number of substring
// searches, so the whole is linear in the input.

import (
	"sort"
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

// scanAADSTS finds "AADSTS" followed by digits, standing alone.
func scanAADSTS(s string, emit func(occurrence) bool) {
	for pos := 0; pos < len(s); {
		i := strings.Index(s[pos:], "AADSTS")
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
		if !emit(occurrence{start: i, end: j, kind: kindAADSTS, code: s[i:j], num: n}) {
			return
		}
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
// `<Code>X</Code>`, `x-ms-error-code: X` and `Error type: X`.
func scanUnknown(s string, emit func(occurrence) bool) {
	for i := 0; i+4 <= len(s); i++ {
		j := labelEnd(s, i)
		if j < 0 {
			continue
		}
		for j < len(s) && (s[j] == ' ' || s[j] == '"' || s[j] == '\\') {
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
		if knownNames[name] || grpcCodes[name] || strings.HasPrefix(name, "AADSTS") || !hasLower(name) {
			continue
		}
		if !emit(occurrence{start: j, end: k, kind: kindUnknown, code: name}) {
			return
		}
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

// scanAll finds every occurrence in s, sorted by position, at most limit of
// them: further codes are counted in more and passed to count (further
// wordings are not counted: they may be messages of counted codes). A
// wording inside the window of a code the catalogue knows is that code's
// message, not a second error, and is dropped; inside the window of an
// unknown code it gives that code its meaning.
func scanAll(s string, limit int, count func(code string)) (occ []occurrence, more int) {
	code := func(o occurrence) bool {
		if len(occ) >= limit {
			more++
			count(o.code)
			return true
		}
		occ = append(occ, o)
		return true
	}
	word := func(o occurrence) bool {
		if len(occ) < limit {
			occ = append(occ, o)
		}
		return true
	}
	scanAADSTS(s, code)
	scanWords(s, code, word)
	scanUnknown(s, code)
	sort.Slice(occ, func(a, b int) bool {
		if occ[a].start != occ[b].start {
			return occ[a].start < occ[b].start
		}
		return occ[a].kind < occ[b].kind
	})
	out, last := occ[:0], -1 // last is the index in out of the latest code
	for _, o := range occ {
		if o.kind != kindWording {
			out = append(out, o)
			last = len(out) - 1
			continue
		}
		if last >= 0 && last == len(out)-1 && o.start < out[last].start+maxWindow {
			if out[last].kind == kindUnknown && out[last].implies == "" {
				out[last].implies = resolve(s, o)
			}
			continue
		}
		if o.code = resolve(s, o); o.code != "" {
			if n, ok := strings.CutPrefix(o.code, "AADSTS"); ok {
				o.num = atoiOr0(n)
			}
			out = append(out, o)
		}
	}
	return out, more
}
