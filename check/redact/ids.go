package redact

import (
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// Redactor masks identifiers for --redact: tenant, subscription, client and
// object ids and account host names. Within one Redactor the same value
// always gets the same mask ("tenant-1"), so a redacted report still shows
// which ids are equal and which differ. The zero value is not usable; call
// NewRedactor. A Redactor is not safe for concurrent use.
type Redactor struct {
	masks map[string]string // canonical value -> mask
	count map[string]int    // kind -> masks handed out
	byLen []string          // non-GUID values, longest first, for Text
}

// NewRedactor returns a Redactor that has seen nothing.
func NewRedactor() *Redactor {
	return &Redactor{masks: map[string]string{}, count: map[string]int{}}
}

var (
	guidRE = regexp.MustCompile(`(?i)\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b`)
	// accountHostRE matches Spacelift account hosts, which name the customer.
	accountHostRE = regexp.MustCompile(`(?i)\b[a-z0-9][a-z0-9-]*\.app(?:\.[a-z]{2})?\.spacelift\.io\b`)
)

// canon folds case where it carries no meaning: GUIDs and host names.
func canon(v string) string { return strings.ToLower(v) }

// ID returns the mask for value, of the form kind-N, such as "tenant-1".
// The first kind a value is seen with wins; an empty value stays empty.
func (r *Redactor) ID(kind, value string) string {
	if value == "" {
		return ""
	}
	c := canon(value)
	if m, ok := r.masks[c]; ok {
		return m
	}
	r.count[kind]++
	m := kind + "-" + strconv.Itoa(r.count[kind])
	r.masks[c] = m
	if !guidRE.MatchString(value) || len(value) != 36 {
		r.byLen = append(r.byLen, c)
		sort.SliceStable(r.byLen, func(i, j int) bool { return len(r.byLen[i]) > len(r.byLen[j]) })
	}
	return m
}

// Text returns s with every value already given to ID replaced by its mask,
// and every other GUID masked as guid-N and every Spacelift account host as
// host-N (both remembered for later calls).
func (r *Redactor) Text(s string) string {
	s = accountHostRE.ReplaceAllStringFunc(s, func(h string) string { return r.ID("host", h) })
	if len(r.byLen) > 0 {
		s = replaceFold(s, r.byLen, r.masks)
	}
	return guidRE.ReplaceAllStringFunc(s, func(g string) string { return r.ID("guid", g) })
}

// replaceFold replaces each value in vals (longest first) found in s,
// ignoring case, with masks[value].
func replaceFold(s string, vals []string, masks map[string]string) string {
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
		for _, v := range vals {
			if strings.HasPrefix(ls[i:], v) {
				b.WriteString(s[last:i])
				b.WriteString(masks[v])
				i += len(v)
				last = i
				matched = true
				break
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
