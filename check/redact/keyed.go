package redact

import "strings"

// secretKeys name parameters whose value is always a credential. They are
// matched case-insensitively and must be followed by ":" or "=" (after
// optional quotes, backslashes and spaces) to count.
var secretKeys = []string{
	"access_token",
	"refresh_token",
	"id_token",
	"client_assertion",
	"client_secret",
}

// minKeyedValue is the shortest value after a secret key or "Bearer" that is
// masked; real credentials are far longer, and short values are prose.
const minKeyedValue = 8

// hasKeyword reports whether s may hold a secret key or "Bearer".
func hasKeyword(s string) bool {
	k, _, _ := nextKey(s, 0)
	return k >= 0
}

// nextKey finds the first secret key or "Bearer" in s at or after from. It
// returns its start and length and whether it is "Bearer", or -1.
func nextKey(s string, from int) (start, n int, bearer bool) {
	us := underscoreKey(s, from)
	bs := bearerKey(s, from)
	switch {
	case us < 0 && bs < 0:
		return -1, 0, false
	case bs < 0 || us >= 0 && us < bs:
		for _, k := range secretKeys {
			if us+len(k) <= len(s) && strings.EqualFold(s[us:us+len(k)], k) {
				return us, len(k), false
			}
		}
		panic("unreachable")
	default:
		return bs, len("bearer"), true
	}
}

// underscoreKey returns where the first secret key at or after from starts,
// or -1. Every key holds an underscore, which is rare in prose, so the search
// is driven by IndexByte.
func underscoreKey(s string, from int) int {
	for i := from; i < len(s); i++ {
		j := strings.IndexByte(s[i:], '_')
		if j < 0 {
			return -1
		}
		i += j
		for _, k := range secretKeys {
			o := strings.IndexByte(k, '_')
			if st := i - o; st >= from && st+len(k) <= len(s) && strings.EqualFold(s[st:st+len(k)], k) {
				return st
			}
		}
	}
	return -1
}

// bearerKey returns where the first "Bearer", "bearer" or "BEARER" at or
// after from starts, or -1.
func bearerKey(s string, from int) int {
	best := -1
	for _, k := range [...]string{"Bearer", "bearer", "BEARER"} {
		if j := strings.Index(s[from:], k); j >= 0 && (best < 0 || from+j < best) {
			best = from + j
		}
	}
	return best
}

// maskKeyed masks the values of secret parameters and bearer credentials.
func maskKeyed(s string) string {
	var b strings.Builder
	last := 0
	for from := 0; from < len(s); {
		k, n, bearer := nextKey(s, from)
		if k < 0 {
			break
		}
		from = k + n
		vstart, ok := skipSeparator(s, from, bearer)
		if !ok {
			continue
		}
		vend := vstart
		for vend < len(s) && isTokenChar(s[vend]) {
			vend++
		}
		v := s[vstart:vend]
		if len(v) < minKeyedValue || bearer && isWord(v) {
			continue
		}
		b.WriteString(s[last:vstart])
		b.WriteString(mask(v))
		last, from = vend, vend
	}
	if last == 0 {
		return s
	}
	b.WriteString(s[last:])
	return b.String()
}

// skipSeparator returns where the value after a key starting its search at i
// begins, and whether the separator was one that introduces a value.
func skipSeparator(s string, i int, bearer bool) (int, bool) {
	start, assign := i, false
	for i < len(s) {
		switch s[i] {
		case ' ', '\t':
		case '"', '\'', '\\':
			if bearer {
				return i, false
			}
		case ':', '=':
			if bearer {
				return i, false
			}
			assign = true
		default:
			if bearer {
				return i, i > start
			}
			return i, assign
		}
		i++
	}
	return i, false
}

// isWord reports whether v is only letters, as in the prose "Bearer
// authentication"; a bearer credential has digits or punctuation.
func isWord(v string) bool {
	for i := 0; i < len(v); i++ {
		c := v[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z') {
			return false
		}
	}
	return true
}
