package check

import (
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// Explain reads pasted error output (Terraform with its │ borders, az CLI,
// azidentity's Error() text, JSON bodies with their escapes, logs, markdown,
// Kubernetes events) and returns one Finding per distinct Entra or ARM error
// in it: root causes first (Entra refusals before the ARM errors they
// cause), then in order of appearance. With a token it also compares the
// values Entra quoted with the token's. It runs in time linear in the text:
// plain scans find the codes, and the few regexps run only on short windows.

// Finding is one error code found in pasted text, explained.
type Finding struct {
	// Code is the code as printed: "AADSTS700213", "AuthorizationFailed".
	Code  string
	Cause Cause
	// Fields are the values the text names, exactly as written, in a fixed
	// key order: issuer, subject, audience, expected_subject, client_id,
	// object_id, tenant, token_tenant, subscription, action, scope, namespace.
	Fields                  []Fact
	Title, Explanation, Fix string
	// Message is the service's own text for this error, trimmed, at most 500 bytes.
	Message                           string
	TraceID, CorrelationID, Timestamp string
	// Comparison compares the quoted values with the token's (when a token is
	// given) and lists the likely shapes of a credential mismatch (key "likely").
	Comparison []Fact
	// Fixes are commands and configuration to paste.
	Fixes []Fix

	pos int
}

// fieldOrder is the order of Finding.Fields.
var fieldOrder = []string{"issuer", "subject", "audience", "expected_subject", "client_id", "object_id", "tenant", "token_tenant", "subscription", "action", "scope", "namespace"}

// Explain finds, explains and de-duplicates every error code in text. tok may be nil.
func Explain(text string, tok *Token) []Finding {
	s := normalize(text)
	aad := findAADSTS(s)
	armf := findARM(s)
	out := append(dedupe(aad), dedupe(armf)...)
	for i := range out {
		enrich(&out[i], tok)
	}
	return out
}

// normalize undoes JSON escaping and strips per-line decoration (box
// borders, indentation, CI log timestamps). Line breaks stay as "\n": the
// extractors treat them as spaces between words and drop them inside quoted
// values, where they can only be wrapping.
func normalize(text string) string {
	for range 2 {
		if !strings.Contains(text, `\`) {
			break
		}
		text = unescape(text)
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

// occurrence is a code's position in the normalised text.
type occurrence struct {
	start, end int // the code itself
	code       string
	num        int // AADSTS number
}

const (
	maxWindow = 4000 // bytes of text after a code that can belong to it
	maxQuoted = 2100 // longest quoted value (Spacelift subjects reach 2048)
)

func isAlnum(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

func findAADSTS(s string) []Finding {
	var occ []occurrence
	for pos := 0; ; {
		i := strings.Index(s[pos:], "AADSTS")
		if i < 0 {
			break
		}
		i += pos
		j := i + 6
		for j < len(s) && j-i < 16 && s[j] >= '0' && s[j] <= '9' {
			j++
		}
		pos = j
		if j == i+6 || (i > 0 && isAlnum(s[i-1])) || (j < len(s) && isAlnum(s[j])) {
			continue
		}
		n, err := strconv.Atoi(s[i+6 : j])
		if err != nil {
			continue
		}
		occ = append(occ, occurrence{start: i, end: j, code: s[i:j], num: n})
	}
	var out []Finding
	for k, o := range occ {
		limit := min(len(s), o.start+maxWindow)
		if k+1 < len(occ) {
			limit = min(limit, occ[k+1].start)
		}
		msgEnd := aadMessageEnd(s, o.end, limit)
		msg := s[o.start:msgEnd]
		post := s[msgEnd:min(limit, msgEnd+2000)]
		f := Finding{Code: o.code, pos: o.start}
		ci, ok := LookupAADSTSMessage(o.num, msg)
		if !ok {
			ci = UnknownAADSTS(o.num, clean(msg, 300), jsonValue(post, "error_uri"))
		}
		f.Cause, f.Title, f.Explanation, f.Fix = ci.Cause, ci.Title, ci.Explanation, ci.Fix
		f.Fields = aadFields(msg)
		f.TraceID = firstNonEmpty(wordAfter(msg, "Trace ID:"), jsonValue(post, "trace_id"))
		f.CorrelationID = firstNonEmpty(wordAfter(msg, "Correlation ID:"), jsonValue(post, "correlation_id"))
		f.Timestamp = firstNonEmpty(timestampAfter(msg), jsonValue(post, "timestamp"))
		if i := indexLabel(msg, "Trace ID:", 0); i >= 0 {
			msg = msg[:i]
		}
		f.Message = clean(msg, 500)
		out = append(out, f)
	}
	return out
}

// aadMessageEnd finds where an Entra message starting before from ends: at a
// double quote (end of a JSON string), a blank line, or just after its
// Timestamp value.
func aadMessageEnd(s string, from, limit int) int {
	w := s[from:limit]
	end := len(w)
	if i := strings.IndexByte(w, '"'); i >= 0 {
		end = i
	}
	if i := strings.Index(w[:end], "\n\n"); i >= 0 {
		end = i
	}
	if i := indexLabel(w[:end], "Timestamp:", 0); i >= 0 {
		rest := w[i+len("Timestamp:") : end]
		if m := tsRE.FindStringIndex(rest); m != nil {
			end = i + len("Timestamp:") + m[1]
		}
	}
	return from + end
}

var tsRE = regexp.MustCompile(`^\s*\d{4}-\d\d-\d\d[ T\n]\d\d:\d\d:\d\d(\.\d+)?Z?`)

func timestampAfter(msg string) string {
	i := indexLabel(msg, "Timestamp:", 0)
	if i < 0 {
		return ""
	}
	return strings.Join(strings.Fields(tsRE.FindString(msg[i+len("Timestamp:"):])), " ")
}

// aadFields pulls the values an Entra message names.
func aadFields(msg string) []Fact {
	var fs fieldSet
	fs.quoted(msg, "issuer", "Assertion Issuer:", "presented assertion issuer")
	fs.quoted(msg, "subject", "Assertion Subject:", "presented assertion subject")
	fs.quoted(msg, "audience", "Assertion Audience:", "presented assertion audience")
	fs.quoted(msg, "expected_subject", "federated identity credential Subject is")
	fs.quoted(msg, "client_id", "Application with identifier", "The client", "Application")
	fs.word(msg, "client_id", "The client application")
	fs.quoted(msg, "tenant", "was not found in the directory", "Tenant", "Specified tenant identifier")
	fs.word(msg, "tenant", "missing service principal in the tenant", "not found in the tenant named")
	fs.word(msg, "issuer", "in the metadata of identity provider")
	fs.word(msg, "scope", "The resource principal named", "The provided value for scope", "isn't valid. The scope")
	return fs.facts()
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

func (fs *fieldSet) quoted(s, key string, labels ...string) {
	for _, l := range labels {
		if v, ok := quotedAfter(s, l); ok {
			fs.set(key, v)
			return
		}
	}
}

func (fs *fieldSet) word(s, key string, labels ...string) {
	for _, l := range labels {
		if v := wordAfter(s, l); v != "" {
			fs.set(key, v)
			return
		}
	}
}

func (fs fieldSet) facts() []Fact {
	var out []Fact
	for _, k := range fieldOrder {
		if v, ok := fs[k]; ok {
			out = append(out, Fact{Key: k, Value: v})
		}
	}
	return out
}

// indexLabel finds label in s at or after from, with each space in label
// matching any run of whitespace (wrapped text). Only the first letter's
// case is flexible in the first word, so that plain (vectorised) substring
// search does the scanning; the rest compares without regard to ASCII case.
func indexLabel(s, label string, from int) int {
	if label == "" || from >= len(s) {
		return -1
	}
	w := label
	if i := strings.IndexByte(label, ' '); i > 0 {
		w = label[:i]
	}
	best := -1
	for _, v := range [2]string{w, swapFirstCase(w)} {
		for pos := from; pos < len(s); {
			i := strings.Index(s[pos:], v)
			if i < 0 {
				break
			}
			i += pos
			if matchLabel(s[i:], label) >= 0 {
				if best < 0 || i < best {
					best = i
				}
				break
			}
			pos = i + 1
		}
	}
	return best
}

func swapFirstCase(w string) string {
	c := w[0]
	switch {
	case c >= 'a' && c <= 'z':
		return string(c-'a'+'A') + w[1:]
	case c >= 'A' && c <= 'Z':
		return string(c-'A'+'a') + w[1:]
	}
	return w
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

func lowerASCII(c byte) byte {
	if c >= 'A' && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

// quotedAfter returns the '…'-quoted value that follows label (whitespace
// allowed between them), with line breaks inside it removed.
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
			continue
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
	end := strings.IndexAny(rest, " \n\t")
	if end < 0 {
		end = len(rest)
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
	i := strings.Index(s, `"`+key+`"`)
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

func firstNonEmpty(vs ...string) string {
	for _, v := range vs {
		if v != "" {
			return v
		}
	}
	return ""
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
	return truncate(strings.TrimSpace(s), n)
}

// armNames are the ARM codes (and az message) the table knows, as printed.
var armNames = func() []string {
	var n []string
	for _, ci := range armCodes {
		n = append(n, ci.Code)
	}
	sort.Strings(n)
	return n
}()

// grpcCodes are words that follow "code =" in gRPC and Kubernetes text and
// are not ARM codes.
var grpcCodes = map[string]bool{"Unknown": true, "Internal": true, "Unavailable": true, "DeadlineExceeded": true,
	"NotFound": true, "PermissionDenied": true, "Unauthenticated": true, "InvalidArgument": true, "Canceled": true,
	"AlreadyExists": true, "ResourceExhausted": true, "FailedPrecondition": true, "Aborted": true, "OutOfRange": true,
	"Unimplemented": true, "DataLoss": true, "OK": true, "None": true}

func findARM(s string) []Finding {
	var occ []occurrence
	for _, name := range armNames {
		if name == "NoSubscriptionsFound" {
			for pos := 0; ; {
				i := strings.Index(s[pos:], "No subscriptions found")
				if i < 0 {
					break
				}
				i += pos
				occ = append(occ, occurrence{start: i, end: i + len("No subscriptions found"), code: name})
				pos = i + 1
			}
			continue
		}
		for pos := 0; ; {
			i := strings.Index(s[pos:], name)
			if i < 0 {
				break
			}
			i += pos
			j := i + len(name)
			pos = j
			if (i > 0 && isAlnum(s[i-1])) || (j < len(s) && isAlnum(s[j])) {
				continue
			}
			occ = append(occ, occurrence{start: i, end: j, code: name})
		}
	}
	occ = append(occ, unknownARMCodes(s)...)
	sort.Slice(occ, func(a, b int) bool { return occ[a].start < occ[b].start })
	var out []Finding
	for k, o := range occ {
		limit := min(len(s), o.start+maxWindow)
		if k+1 < len(occ) {
			limit = min(limit, occ[k+1].start)
		}
		w := s[o.start:limit]
		f := Finding{Code: o.code, pos: o.start}
		var fs fieldSet
		fs.quoted(w, "client_id", "The client")
		fs.quoted(w, "object_id", "with object id")
		fs.quoted(w, "action", "perform action(s)")
		fs.quoted(w, "scope", "on the linked scope(s)")
		fs.quoted(w, "action", "perform action")
		fs.quoted(w, "scope", "over scope")
		if iss, ok := quotedAfter(w, "wrong issuer"); ok {
			fs.set("token_tenant", tenantOfIssuer(iss))
		}
		if iss, ok := quotedAfter(w, "must match the tenant"); ok {
			fs.set("tenant", tenantOfIssuer(iss))
		}
		fs.quoted(w, "subscription", "The subscription")
		fs.quoted(w, "namespace", "to use namespace")
		fs.word(w, "namespace", "to use namespace")
		if o.code == "NoSubscriptionsFound" {
			fs.word(w, "client_id", "No subscriptions found for")
		}
		ci, ok := LookupARMAction(o.code, fs["action"])
		if !ok {
			ci = CodeInfo{Code: o.code, Cause: CauseOther, Title: "azure refused the request",
				Explanation: "oidc-doctor has no entry for this Azure error code; the service's message is below.",
				Fix:         "Search Microsoft's documentation for the code, and check the message's action and scope."}
		}
		if ci.Cause == CauseProviderRegistration {
			fs.set("namespace", RegisterNamespace(fs["action"]))
		}
		f.Cause, f.Title, f.Explanation, f.Fix = ci.Cause, ci.Title, ci.Explanation, ci.Fix
		f.Fields = fs.facts()
		f.Message = armMessage(s, o, limit)
		out = append(out, f)
	}
	return out
}

// tenantOfIssuer returns the tenant id in "https://sts.windows.net/{tid}/",
// a substring of the text, or the issuer itself.
func tenantOfIssuer(iss string) string {
	t := strings.TrimSuffix(iss, "/")
	if i := strings.LastIndexByte(t, '/'); i >= 0 && i+1 < len(t) {
		return t[i+1:]
	}
	return iss
}

// unknownARMCodes finds `"code": "X"`, `Code="X"`, `ERROR CODE: X` and
// `Code: X` where X is not in the table, by a plain scan for "code".
func unknownARMCodes(s string) []occurrence {
	var occ []occurrence
	for i := 0; i+4 <= len(s); i++ {
		if s[i]|0x20 != 'c' || s[i+1]|0x20 != 'o' || s[i+2]|0x20 != 'd' || s[i+3]|0x20 != 'e' {
			continue
		}
		if i > 0 && (isAlnum(s[i-1]) || s[i-1] == '_') {
			continue
		}
		j := i + 4
		if j < len(s) && s[j] == '"' {
			j++
		}
		for j < len(s) && s[j] == ' ' {
			j++
		}
		if j >= len(s) || (s[j] != ':' && s[j] != '=') {
			continue
		}
		j++
		for j < len(s) && (s[j] == ' ' || s[j] == '"') {
			j++
		}
		k := j
		for k < len(s) && k-j < 80 && isAlnum(s[k]) {
			k++
		}
		if k == j || k-j < 4 || s[j] < 'A' || s[j] > 'Z' || (k < len(s) && (isAlnum(s[k]) || s[k] == '_' || s[k] == '-' || s[k] == '.')) {
			continue
		}
		name := s[j:k]
		if _, known := LookupARM(name); known || grpcCodes[name] || strings.HasPrefix(name, "AADSTS") || !hasLower(name) {
			continue
		}
		occ = append(occ, occurrence{start: j, end: k, code: name})
		i = k
	}
	return occ
}

func hasLower(s string) bool {
	return strings.IndexFunc(s, func(r rune) bool { return r >= 'a' && r <= 'z' }) >= 0
}

// armMessage is the text after an ARM code: after `"message": "`, `Message=`
// or the code's own punctuation, up to the end of the JSON string, a blank
// line or the next Code:/Message: line.
func armMessage(s string, o occurrence, limit int) string {
	if o.code == "NoSubscriptionsFound" {
		w := s[o.start:limit]
		if i := strings.IndexByte(w, '\n'); i >= 0 {
			w = w[:i]
		}
		return clean(w, 500)
	}
	w := s[o.end:limit]
	w = strings.TrimLeft(w, "\"'):, \n\t")
	for _, l := range []string{"message\"", "Message=", "Message:"} {
		if i := indexLabel(w, l, 0); i >= 0 && i < 200 {
			w = strings.TrimLeft(w[i+len(l):], ":= \n\t\"")
			break
		}
	}
	end := len(w)
	for _, stop := range []string{"\"", "\n\n", "\nCode:", "\nMessage:", "\nERROR"} {
		if i := strings.Index(w[:end], stop); i >= 0 {
			end = i
		}
	}
	m := clean(w[:end], 500)
	if strings.IndexFunc(m, func(r rune) bool { return r >= 'a' && r <= 'z' }) < 0 {
		return ""
	}
	return m
}

// dedupe merges findings for the same error repeated (same code, no field
// values in conflict), keeping the first place it appeared and filling
// in what a later repetition adds.
func dedupe(fs []Finding) []Finding {
	sort.SliceStable(fs, func(a, b int) bool { return fs[a].pos < fs[b].pos })
	var out []Finding
next:
	for _, f := range fs {
		for i := range out {
			if out[i].Code == f.Code && compatible(out[i].Fields, f.Fields) {
				merge(&out[i], f)
				continue next
			}
		}
		out = append(out, f)
	}
	return out
}

func compatible(a, b []Fact) bool {
	for _, x := range a {
		for _, y := range b {
			if x.Key == y.Key && x.Value != y.Value {
				return false
			}
		}
	}
	return true
}

func merge(dst *Finding, f Finding) {
	fs := fieldSet{}
	for _, x := range append(append([]Fact(nil), dst.Fields...), f.Fields...) {
		fs.set(x.Key, x.Value)
	}
	dst.Fields = fs.facts()
	if dst.Cause != f.Cause && f.Cause != CauseOther && len(f.Fields) > 0 {
		dst.Cause, dst.Title, dst.Explanation, dst.Fix = f.Cause, f.Title, f.Explanation, f.Fix
	}
	dst.Message = firstNonEmpty(dst.Message, f.Message)
	dst.TraceID = firstNonEmpty(dst.TraceID, f.TraceID)
	dst.CorrelationID = firstNonEmpty(dst.CorrelationID, f.CorrelationID)
	dst.Timestamp = firstNonEmpty(dst.Timestamp, f.Timestamp)
}

// Field returns the value of a finding's field, or "".
func (f Finding) Field(key string) string {
	for _, x := range f.Fields {
		if x.Key == key {
			return x.Value
		}
	}
	return ""
}

// ficCauses are the causes a new federated credential fixes.
var ficCauses = map[Cause]bool{CauseSubjectMismatch: true, CauseAudienceMismatch: true, CauseIssuerMismatch: true, CauseNoMatchingFIC: true}

// enrich compares the finding with the token, adds the likely shapes of a
// credential mismatch, and writes the fixes.
func enrich(f *Finding, tok *Token) {
	tokVal := map[string]string{}
	if tok != nil {
		tokVal = map[string]string{"issuer": tok.Issuer, "subject": tok.Subject, "audience": tok.FirstAudience()}
	}
	for _, k := range []string{"issuer", "subject", "audience"} {
		v, tv := f.Field(k), tokVal[k]
		if v == "" || tv == "" {
			continue
		}
		if c := CompareValues(v, tv); c == "identical" {
			f.Comparison = append(f.Comparison, Fact{Key: k, Value: "same as the token's"})
		} else {
			f.Comparison = append(f.Comparison, Fact{Key: k, Value: "not the token's (" + tv + "): " + strings.ReplaceAll(strings.ReplaceAll(c, "presented", "error's"), "expected", "token's")})
		}
	}
	val := func(k string) string { return firstNonEmpty(f.Field(k), tokVal[k]) }
	if ficCauses[f.Cause] {
		var fields []string
		if ci, ok := lookupFinding(f.Code); ok && ci.Field != "" && ci.Field != "client_id" {
			fields = []string{ci.Field}
		} else if f.Code == "AADSTS70021" {
			fields = []string{"audience", "subject", "issuer"}
		}
		for _, k := range fields {
			shapes := MismatchShapes(k, val(k), tok)
			if len(fields) > 1 && len(shapes) > 1 {
				shapes = shapes[:1]
			}
			for _, sh := range shapes {
				f.Comparison = append(f.Comparison, Fact{Key: "likely", Value: sh})
			}
		}
		if iss, sub, aud := val("issuer"), val("subject"), val("audience"); iss != "" && sub != "" && aud != "" {
			f.Fixes = FICFixes(f.Field("client_id"), iss, sub, aud)
		}
	}
	if exp := f.Field("expected_subject"); exp != "" {
		f.Fix += " Entra expects the subject '" + exp + "'."
	}
	switch f.Cause {
	case CauseAuthorizationFailed:
		if f.Code == "AuthorizationFailed" || f.Code == "NoSubscriptionsFound" {
			f.Fixes = RoleAssignmentFixes(f.Field("object_id"), roleFor(f.Field("action")), f.Field("scope"))
		}
	case CauseProviderRegistration:
		var ns []string
		if n := f.Field("namespace"); n != "" {
			ns = []string{n}
		}
		f.Fixes = ProviderRegisterFixes(ns)
	case CauseSubscriptionNotFound:
		if f.Code == "NoSubscriptionsFound" {
			f.Fixes = RoleAssignmentFixes("", "Reader", "/subscriptions/<subscription-id>")
		}
	}
	if f.Comparison == nil {
		f.Comparison = []Fact{}
	}
	if f.Fixes == nil {
		f.Fixes = []Fix{}
	}
	if f.Fields == nil {
		f.Fields = []Fact{}
	}
}

func lookupFinding(code string) (CodeInfo, bool) {
	if n, ok := strings.CutPrefix(code, "AADSTS"); ok {
		if v, err := strconv.Atoi(n); err == nil {
			return LookupAADSTS(v)
		}
	}
	return LookupARM(code)
}

// roleFor suggests a built-in role for a denied action: Reader for reads,
// Contributor otherwise. Narrower roles are better where they exist.
func roleFor(action string) string {
	a := strings.ToLower(action)
	switch {
	case a == "":
		return "<role>"
	case strings.HasPrefix(a, "microsoft.authorization/"):
		return "Role Based Access Control Administrator"
	case strings.HasSuffix(a, "/read"):
		return "Reader"
	}
	return "Contributor"
}
