package redact

import (
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// Redactor masks identifiers for --redact: tenant, subscription, client and
// object ids, and the Spacelift account (its name and its host). Within one
// Redactor the same value always gets the same mask ("tenant-1"), so a
// redacted report still shows which ids are equal and which differ.
//
// It masks whole values only, never a piece of another value: a GUID is a
// token of its own; an account host keeps its Spacelift suffix
// ("account-1.app.spacelift.io", "account-2.app.us.spacelift.io"); a bare
// account name or a tenant domain is masked only where it stands alone.
// Space and stack ids, which a fix needs, stay readable even when they
// contain the account's name.
//
// The zero value is not usable; call NewRedactor. A Redactor is not safe
// for concurrent use.
type Redactor struct {
	masks map[string]string // canonical value -> mask
	count map[string]int    // kind -> masks handed out
	words []string          // non-GUID values masked as whole words, longest first
}

// NewRedactor returns a Redactor that has seen nothing.
func NewRedactor() *Redactor {
	return &Redactor{masks: map[string]string{}, count: map[string]int{}}
}

var (
	guidRE = regexp.MustCompile(`(?i)\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b`)
	// accountHostRE matches Spacelift account hosts, which name the
	// customer: the account label, then the region's suffix.
	accountHostRE = regexp.MustCompile(`(?i)\b([a-z0-9][a-z0-9-]*)(\.app(?:\.[a-z]{2})?\.spacelift\.io)\b`)
)

// ID returns the mask for value, of the form kind-N, such as "tenant-1".
// The first kind a value is seen with wins; an empty value stays empty.
// For kind "account" value may be the account's name or its host; both get
// the same mask, the host keeping its suffix.
func (r *Redactor) ID(kind, value string) string {
	if value == "" {
		return ""
	}
	if kind == "account" {
		if m := accountHostRE.FindStringSubmatch(value); m != nil && m[0] == value {
			return r.mask("account", m[1]) + m[2]
		}
		return r.mask("account", value)
	}
	m := r.mask(kind, value)
	if !guidRE.MatchString(value) || len(value) != len("00000000-0000-0000-0000-000000000000") {
		r.addWord(strings.ToLower(value))
	}
	return m
}

// mask hands out (or recalls) the mask of one canonical value.
func (r *Redactor) mask(kind, value string) string {
	c := strings.ToLower(value)
	if m, ok := r.masks[c]; ok {
		return m
	}
	r.count[kind]++
	m := kind + "-" + strconv.Itoa(r.count[kind])
	r.masks[c] = m
	return m
}

func (r *Redactor) addWord(w string) {
	for _, x := range r.words {
		if x == w {
			return
		}
	}
	r.words = append(r.words, w)
	sort.SliceStable(r.words, func(i, j int) bool { return len(r.words[i]) > len(r.words[j]) })
}

// Value masks v when it is, whole, an identifier already given to ID (a
// fact's value); otherwise it returns Text(v).
func (r *Redactor) Value(v string) string {
	if m, ok := r.masks[strings.ToLower(v)]; ok {
		return m
	}
	return r.Text(v)
}

// Text returns s with every Spacelift account host, every GUID and every
// value given to ID masked, each where it stands as a whole value. GUIDs
// and hosts not seen before get new masks (guid-N, account-N), remembered
// for later calls.
func (r *Redactor) Text(s string) string {
	s = accountHostRE.ReplaceAllStringFunc(s, func(h string) string { return r.ID("account", h) })
	s = guidRE.ReplaceAllStringFunc(s, func(g string) string { return r.mask("guid", g) })
	if len(r.words) > 0 {
		s = replaceWords(s, r.words, r.masks)
	}
	return s
}

// wordChar reports whether c can be part of an identifier, host or slug:
// a value is replaced only where the characters around it are not.
func wordChar(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.'
}

// replaceWords replaces each value in words (longest first) that stands
// alone in s, ignoring case, with masks[value].
func replaceWords(s string, words []string, masks map[string]string) string {
	ls := strings.ToLower(s)
	if len(ls) != len(s) {
		// Case folding changed byte lengths (rare non-ASCII); fall back to
		// exact matches so offsets stay valid.
		ls = s
	}
	var b strings.Builder
	last := 0
	for i := 0; i < len(ls); {
		matched := false
		if i == 0 || !wordChar(ls[i-1]) {
			for _, w := range words {
				end := i + len(w)
				if strings.HasPrefix(ls[i:], w) && (end == len(ls) || !wordChar(ls[end]) || ls[end] == '.' && (end+1 == len(ls) || !wordChar(ls[end+1]))) {
					b.WriteString(s[last:i])
					b.WriteString(masks[w])
					i, last, matched = end, end, true
					break
				}
			}
		}
		if !matched {
			i++
		}
	}
	if last == 0 {
		return s
	}
	b.WriteString(s[last:])
	return b.String()
}
