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

// readOccurrence reads occurrence o, whose window ends at end; prevEnd is
// where the previous occurrence's code ends, before which o's values
// cannot start.
func readOccurrence(s string, o occurrence, end, prevEnd int) Finding {
	fwd := normalize(s[o.start:end])
	back := ""
	if o.back > 0 {
		back = strings.TrimRight(normalize(s[max(prevEnd, o.start-o.back):o.start]), "\n")
		if o.line {
			back = back[strings.LastIndexByte(back, '\n')+1:]
		} else {
			back = sentenceTail(back)
		}
	}
	f := Finding{Code: o.code, pos: o.start}
	if strings.HasPrefix(o.code, "AADSTS") {
		readEntra(&f, o, back, fwd)
		return f
	}
	detect := back
	if detect == "" && o.kind != kindWording {
		detect = normalize(s[max(prevEnd, o.start-200):o.start])
	}
	readAzure(&f, o, back, detect, fwd)
	return f
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

// readEntra reads an AADSTS error: the message up to its end, the values it
// quotes, the ids after it.
func readEntra(f *Finding, o occurrence, back, w string) {
	msgEnd := aadMessageEnd(w, min(len(w), o.end-o.start))
	msg := w[:msgEnd]
	post := w[msgEnd:min(len(w), msgEnd+2000)]
	text := msg
	if back != "" {
		text = back + " " + msg
	}
	ci, ok := LookupAADSTSMessage(o.num, msg)
	if !ok {
		ci = UnknownAADSTS(o.num, clean(msg, 300), jsonValue(post, "error_uri"))
	}
	f.Cause, f.Title, f.Explanation, f.Fix = ci.Cause, ci.Title, ci.Explanation, ci.Fix
	fs := entraFields(text)
	if ids := policyIDs(w); ids != "" {
		fs.set("policy_ids", ids)
	}
	f.Fields = fs.facts()
	f.TraceID = diag.FirstNonEmpty(wordAfter(msg, "Trace ID:"), jsonValue(post, "trace_id"))
	f.CorrelationID = diag.FirstNonEmpty(wordAfter(msg, "Correlation ID:"), jsonValue(post, "correlation_id"))
	f.Timestamp = diag.FirstNonEmpty(timestampAfter(msg), jsonValue(post, "timestamp"))
	if i := indexLabel(msg, "Trace ID:", 0); i >= 0 {
		msg = msg[:i]
	}
	f.Message = clean(msg, 500)
	f.rank = rankEntra
}

// readAzure reads an error of Resource Manager, Graph, Storage or the
// Azure tools.
func readAzure(f *Finding, o occurrence, back, detect, w string) {
	text := w
	if back != "" {
		text = back + " " + w
	}
	code := o.code
	if o.implies != "" {
		code = o.implies
	}
	fs, variant := azureFields(code, text, detect)
	ci, ok := lookupVariant(code, variant)
	if ok && o.implies != "" {
		ci.Code = o.code
	}
	switch {
	case ok && code == "AuthorizationFailed" && IsRegisterAction(fs["action"]):
		ci = registerInfo
		fs.set("namespace", RegisterNamespace(fs["action"]))
	case ok && code == "ResourceRequestsThrottled":
		if a, _, found := strings.Cut(fs["action"], "/"); found {
			fs.set("namespace", a)
		}
	case !ok:
		ci = unknownAzure(o.code, text)
		f.wrapper = wrapperCodes[strings.ToLower(o.code)]
	}
	f.Cause, f.Title, f.Explanation, f.Fix = ci.Cause, ci.Title, ci.Explanation, ci.Fix
	f.variant = variant
	f.Fields = fs.facts()
	f.TraceID, f.CorrelationID = requestIDs(w)
	f.Message = azureMessage(back, w, o)
	switch {
	case o.code == "NoOIDCToken":
		f.rank = rankNoToken
	case o.kind == kindUnknown && o.implies == "":
		f.rank = rankUnknown
	case o.kind == kindWording:
		f.rank = rankAzureWording
	default:
		f.rank = rankAzure
	}
}

// unknownAzure is the honest entry for a code the catalogue lacks; a
// wording in its message can still say it is a missing permission.
func unknownAzure(code, text string) CodeInfo {
	if indexLabel(text, "Permission to", 0) >= 0 && indexLabel(text, "is required", 0) >= 0 {
		ci, _ := LookupARM("AuthorizationFailed")
		ci.Code = code
		return ci
	}
	return CodeInfo{Code: code, Cause: diag.CauseOther, Title: "azure refused the request",
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
