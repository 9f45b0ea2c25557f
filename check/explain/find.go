package explain

// Finding the error codes in pasted text for Paste: AADSTS codes with
// their Entra messages, and ARM codes (known or not) with theirs.

import (
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/oidc-doctor/oidc-doctor/check/diag"
)

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

// windowEnd is where the text that can belong to occ[k] ends: maxWindow
// bytes after it, the next occurrence or the end of the text, whichever
// comes first.
func windowEnd(n int, occ []occurrence, k int) int {
	limit := min(n, occ[k].start+maxWindow)
	if k+1 < len(occ) {
		limit = min(limit, occ[k+1].start)
	}
	return limit
}

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
		limit := windowEnd(len(s), occ, k)
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
		f.TraceID = diag.FirstNonEmpty(wordAfter(msg, "Trace ID:"), jsonValue(post, "trace_id"))
		f.CorrelationID = diag.FirstNonEmpty(wordAfter(msg, "Correlation ID:"), jsonValue(post, "correlation_id"))
		f.Timestamp = diag.FirstNonEmpty(timestampAfter(msg), jsonValue(post, "timestamp"))
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
func aadFields(msg string) []diag.Fact {
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
		limit := windowEnd(len(s), occ, k)
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
			ci = CodeInfo{Code: o.code, Cause: diag.CauseOther, Title: "azure refused the request",
				Explanation: "oidc-doctor has no entry for this Azure error code; the service's message is below.",
				Fix:         "Search Microsoft's documentation for the code, and check the message's action and scope."}
		}
		if ci.Cause == diag.CauseProviderRegistration {
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
// a substring of the text, or the issuer itself ("" stays "").
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
	if !hasLower(m) {
		return ""
	}
	return m
}
