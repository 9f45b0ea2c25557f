package explain

// Reading one error found in a paste: its window of text, its values, what
// the catalogue says about it, its message and request ids.

import (
	"regexp"
	"strings"

	"github.com/oidc-doctor/oidc-doctor/check/diag"
)

// Ranks order the findings: what causes the others first.
const (
	rankNoToken = iota // no token at all: every later refusal follows from it
	rankEntra
	rankAzure
	rankAzureWording
	rankUnknown
)

// minValueText is the least text after a code that can name a value (a
// label, a quote, the value): shorter windows are bare codes, read at once.
const minValueText = 12

// reading is what an occurrence's window says, read cheaply: its code,
// values and ids. Only a reading that becomes a new finding is explained
// (finding), so repeats cost no more than their reading.
type reading struct {
	o                  occurrence
	code               string // the code whose meaning applies (an unknown code's implied one)
	back, fwd          string // normalised text before and from the occurrence
	msg                string // Entra: the message, from the code to its end
	post               string // Entra: what follows the message (the body's JSON)
	fs                 fieldSet
	variant            string
	trace, corr, stamp string
}

// readKey is everything a reading depends on: the same error repeated
// with the same text is read once.
type readKey struct {
	fwd, back  string // the raw text of the window, and before it
	code, also string // o.code and o.implies
	kind       occKind
	line       bool
}

// maxCachedReadings bounds the readings kept for repeats.
const maxCachedReadings = 4096

// reader reads occurrences, remembering recent readings by their text.
type reader struct {
	cache map[readKey]reading
}

// read reads occurrence o, whose window ends at end; prevEnd is where the
// previous occurrence's code ends, before which o's values cannot start.
func (rd *reader) read(s string, o occurrence, end, prevEnd int) reading {
	if o.back == 0 && end-o.start < o.end-o.start+minValueText {
		return read(s, o, end, prevEnd) // a bare code: cheaper to read than to look up
	}
	back := max(prevEnd, o.start-max(o.back, 200))
	if o.back > 0 {
		back = max(prevEnd, o.start-o.back)
	}
	k := readKey{fwd: s[o.start:end], back: s[back:o.start], code: o.code, also: o.implies, kind: o.kind, line: o.line}
	if r, ok := rd.cache[k]; ok {
		r.o = o
		return r
	}
	r := read(s, o, end, prevEnd)
	if rd.cache == nil {
		rd.cache = map[readKey]reading{}
	}
	if len(rd.cache) < maxCachedReadings {
		rd.cache[k] = r
	}
	return r
}

// read reads occurrence o (see reader.read).
func read(s string, o occurrence, end, prevEnd int) reading {
	r := reading{o: o, code: o.code, fwd: normalize(s[o.start:end])}
	if o.back > 0 {
		r.back = strings.TrimRight(normalize(s[max(prevEnd, o.start-o.back):o.start]), "\n")
		if o.line {
			r.back = r.back[strings.LastIndexByte(r.back, '\n')+1:]
		} else {
			r.back = sentenceTail(r.back)
		}
	}
	if r.back == "" && len(r.fwd) < o.end-o.start+minValueText {
		return r // too short to name any value: a bare code
	}
	if strings.HasPrefix(o.code, "AADSTS") {
		r.readEntra()
		return r
	}
	if o.implies != "" {
		r.code = o.implies
	}
	detect := r.back
	if detect == "" && o.kind != kindWording {
		detect = normalize(s[max(prevEnd, o.start-200):o.start])
	}
	r.fs, r.variant = azureFields(r.code, r.text(r.fwd), detect)
	if strings.EqualFold(r.code, "AuthorizationFailed") && IsRegisterAction(r.fs["action"]) {
		r.fs.set("namespace", RegisterNamespace(r.fs["action"]))
	}
	if a, _, found := strings.Cut(r.fs["action"], "/"); found && strings.EqualFold(r.code, "ResourceRequestsThrottled") {
		r.fs.set("namespace", a)
	}
	r.trace, r.corr = requestIDs(r.fwd)
	return r
}

// text is w with the text before the occurrence, for a wording whose
// values come first.
func (r reading) text(w string) string {
	if r.back == "" {
		return w
	}
	return r.back + " " + w
}

// readEntra reads an AADSTS error: the message up to its end, the values it
// quotes, the ids after it.
func (r *reading) readEntra() {
	w := r.fwd
	msgEnd := aadMessageEnd(w, min(len(w), r.o.end-r.o.start))
	r.msg, r.post = w[:msgEnd], w[msgEnd:min(len(w), msgEnd+2000)]
	r.fs = entraFields(r.text(r.msg))
	if ids := policyIDs(w); ids != "" {
		r.fs.set("policy_ids", ids)
	}
	r.trace = diag.FirstNonEmpty(wordAfter(r.msg, "Trace ID:"), jsonValue(r.post, "trace_id"))
	r.corr = diag.FirstNonEmpty(wordAfter(r.msg, "Correlation ID:"), jsonValue(r.post, "correlation_id"))
	r.stamp = diag.FirstNonEmpty(timestampAfter(r.msg), jsonValue(r.post, "timestamp"))
}

// sentenceTail is the last sentence of s: the values of a wording start
// after the previous sentence ends.
func sentenceTail(s string) string {
	cut := -1
	for _, sep := range []string{". ", ".\n", "\n\n", `"`, ": ", "= ", "(", "\t"} {
		if i := strings.LastIndex(s, sep); i >= 0 && i+len(sep) > cut {
			cut = i + len(sep)
		}
	}
	if cut < 0 {
		return s
	}
	return s[cut:]
}

// finding explains a reading: what the catalogue says, its message, rank.
func (r reading) finding() Finding {
	f := Finding{Code: r.o.code, pos: r.o.start, Fields: r.fs.facts(), variant: r.variant,
		TraceID: r.trace, CorrelationID: r.corr, Timestamp: r.stamp}
	if strings.HasPrefix(r.o.code, "AADSTS") {
		ci, ok := LookupAADSTSMessage(r.o.num, r.msg)
		if !ok {
			ci = UnknownAADSTS(r.o.num, clean(r.msg, 300), jsonValue(r.post, "error_uri"))
		}
		f.Cause, f.Title, f.Explanation, f.Fix = ci.Cause, ci.Title, ci.Explanation, ci.Fix
		msg := r.msg
		if i := indexLabel(msg, "Trace ID:", 0); i >= 0 {
			msg = msg[:i]
		}
		f.Message = clean(msg, 500)
		f.rank = rankEntra
		return f
	}
	ci, ok := lookupVariant(r.code, r.variant)
	if r.code != r.o.code {
		f.meaning = r.code
	}
	switch {
	case ok && strings.EqualFold(r.code, "AuthorizationFailed") && IsRegisterAction(r.fs["action"]):
		ci = registerInfo
	case !ok:
		ci = unknownAzure(r.o.code, r.text(r.fwd))
		f.wrapper = wrapperCodes[strings.ToLower(r.o.code)]
	}
	f.Cause, f.Title, f.Explanation, f.Fix = ci.Cause, ci.Title, ci.Explanation, ci.Fix
	f.Message = azureMessage(r.back, r.fwd, r.o)
	switch {
	case r.o.code == "NoOIDCToken":
		f.rank = rankNoToken
	case r.o.kind == kindUnknown && r.o.implies == "":
		f.rank = rankUnknown
	case r.o.kind == kindWording:
		f.rank = rankAzureWording
	default:
		f.rank = rankAzure
	}
	return f
}

// unknownAzure is the honest entry for a code the catalogue lacks; a
// wording in its message can still say it is a missing permission.
func unknownAzure(code, text string) CodeInfo {
	if indexLabel(text, "Permission to", 0) >= 0 && indexLabel(text, "is required", 0) >= 0 {
		ci, _ := LookupARM("AuthorizationFailed")
		ci.Code = code
		return ci
	}
	return CodeInfo{Code: code, Cause: diag.CauseOther, Title: "Azure refused the request",
		Explanation: "oidc-doctor has no entry for this Azure error code; the service's message is below.",
		Fix:         "Search Microsoft's documentation for the code, and check the message's action and scope."}
}

// aadMessageEnd finds where an Entra message that starts w ends (searching
// from from): at a double quote (end of a JSON string), a blank line, or
// just after its Timestamp value.
func aadMessageEnd(w string, from int) int {
	end := len(w)
	if i := strings.IndexByte(w[from:], '"'); i >= 0 {
		end = from + i
	}
	if i := strings.Index(w[from:end], "\n\n"); i >= 0 {
		end = from + i
	}
	if i := indexLabel(w[:end], "Timestamp:", from); i >= 0 {
		rest := w[i+len("Timestamp:") : end]
		if m := tsRE.FindStringIndex(rest); m != nil {
			end = i + len("Timestamp:") + m[1]
		}
	}
	return end
}

var tsRE = regexp.MustCompile(`^\s*\d{4}-\d\d-\d\d[ T\n]\d\d:\d\d:\d\d(\.\d+)?Z?`)

func timestampAfter(msg string) string {
	i := indexLabel(msg, "Timestamp:", 0)
	if i < 0 {
		return ""
	}
	rest := msg[i+len("Timestamp:"):]
	return strings.Join(strings.Fields(tsRE.FindString(rest[:min(len(rest), 64)])), " ")
}

// azureMessage is the text of an Azure error: after `"message": "`,
// `Message=` or the code's own punctuation, up to the end of the JSON
// string, a blank line or the next Code:/Message: line. A wording is its
// own message, from the start of its sentence.
func azureMessage(back, w string, o occurrence) string {
	if o.kind == kindWording {
		return clean(back+" "+cutMessage(w), 500)
	}
	w = w[min(len(w), o.end-o.start):]
	w = strings.TrimLeft(w, "\"'):, \n\t>")
	for _, l := range []string{"message\"", "Message=", "Message:", "Error Message:"} {
		if i := indexLabel(w, l, 0); i >= 0 && i < 200 {
			w = strings.TrimLeft(w[i+len(l):], ":= \n\t\"")
			break
		}
	}
	m := clean(cutMessage(w), 500)
	if !hasLower(m) {
		return ""
	}
	return m
}

// cutMessage cuts w where its message ends.
func cutMessage(w string) string {
	end := len(w)
	for _, stop := range []string{"\"", "\n\n", "\nCode:", "\nMessage:", "\nERROR", "</Message>"} {
		if i := strings.Index(w[:end], stop); i >= 0 {
			end = i
		}
	}
	return w[:end]
}
