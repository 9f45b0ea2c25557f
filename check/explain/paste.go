package explain

import (
	"sort"
	"strconv"
	"strings"

	"github.com/oidc-doctor/oidc-doctor/check/diag"
)

// Limits of Read and ReadInput.
const (
	// MaxInput is how much of the input explain reads; the rest is cut,
	// and Explanation.CutAt says where.
	MaxInput = 32 << 20
	// MaxFindings is how many distinct findings are listed.
	MaxFindings = 40
	// maxPerCode is how many findings one code may have (with different values).
	maxPerCode = 10
	// maxOmittedCodes bounds the distinct codes counted in Omitted.
	maxOmittedCodes = 10_000
)

// Explanation is what Read found in a text.
type Explanation struct {
	// Findings are the distinct errors, root causes first.
	Findings []Finding
	// Omitted counts the errors found but not listed.
	Omitted Omitted
	// CutAt is the byte offset at which the input was cut, because it was
	// longer than MaxInput; 0 means the whole input was read.
	CutAt int64
}

// Omitted counts errors that were found but not listed: beyond MaxFindings
// distinct findings (or maxPerCode for one code).
type Omitted struct {
	// Occurrences is how many; Codes how many distinct codes they have.
	Occurrences, Codes int
	// CodesAtLeast says Codes stopped counting at its bound.
	CodesAtLeast bool
}

// Finding is one error found in pasted text, explained.
type Finding struct {
	// Code is the code as printed: "AADSTS700213", "AuthorizationFailed";
	// for a message that carries no code, the catalogue's name for it
	// ("AzureCLINotLoggedIn").
	Code  string
	Cause diag.Cause
	// Fields are the values the text names, exactly as written (a masked
	// value stays masked), in fieldOrder.
	Fields                  []diag.Fact
	Title, Explanation, Fix string
	// Message is the service's own text for this error, trimmed, at most 500 bytes.
	Message string
	// TraceID and CorrelationID identify the request to Microsoft: Entra's
	// trace and correlation ids, or ARM's and Storage's request and
	// correlation ids. Timestamp is Entra's.
	TraceID, CorrelationID, Timestamp string
	// Occurrences is how many times the error appears in the text.
	Occurrences int
	// Comparison compares the quoted values with the token's (when a token is
	// given), then ranks the shapes of a credential mismatch: the most likely
	// (key "likely"), then the rest (key "also check").
	Comparison []diag.Fact
	// Fixes are commands and configuration to paste.
	Fixes []diag.Fix
	// Values are the values the fixes were filled with, by field key: the
	// error's own where it did not mask them, else what the rest of the
	// paste says, else the token's.
	Values []diag.Fact

	pos, rank int
	wrapper   bool
	variant   string // the catalogue variant its wording gave the code
	meaning   string // the code whose catalogue entry applies, when not Code (an unknown code's wording)
}

// Paste is Read's findings.
func Paste(text string, tok *Token) []Finding { return Read(text, tok).Findings }

// Read reads pasted error output (Terraform with its │ borders, az CLI,
// azidentity's Error() text, JSON bodies with their escapes, logs, markdown,
// Kubernetes events) and returns one Finding per distinct error in it, by
// code and values: root causes first (a missing token, then Entra's
// refusals, then the Azure errors they cause), then in order of
// appearance. With a token (tok may be nil) it also compares the values
// Entra quoted with the token's.
//
// It runs in time linear in the text and in bounded memory: the text is
// scanned a segment at a time, each scan one pass; each error is read from
// a window of bounded size that ends where the next error starts; repeats
// merge; at most MaxFindings findings are kept and the rest are counted in
// Omitted.
func Read(text string, tok *Token) Explanation {
	s := repair(text)
	b := newBuilder()
	var rd reader
	prevEnd := 0
	scanAll(s, func(o occurrence, end int) {
		if !b.repeatsBare(o, end) {
			b.add(rd.read(s, o, end, prevEnd))
		}
		prevEnd = o.end
	})
	out := b.result()
	ctx := pasteContext(s)
	for i := range out {
		var fill fieldSet
		if isEntra(out[i].Code) {
			fillContext(&out[i], ctx)
			fill = ctx
		}
		enrich(&out[i], tok, fill)
	}
	return Explanation{Findings: out, Omitted: b.omitted()}
}

// builder gathers findings, merging repeats and counting what it drops.
type builder struct {
	found      []Finding
	byCode     map[string][]int
	omittedOcc int
	codes      map[string]bool
	codesFull  bool
	// lastBare and lastBareAt are the code of the last bare occurrence
	// (a code with no text after it) and the finding it merged into, so
	// that a run of them costs a count each.
	lastBare   string
	lastBareAt int
}

func newBuilder() *builder {
	return &builder{byCode: map[string][]int{}, codes: map[string]bool{}, lastBareAt: -1}
}

// isBare reports whether occurrence o, whose window ends at end, is a code
// with too little text after it to name any value.
func isBare(o occurrence, end int) bool {
	return o.back == 0 && o.implies == "" && end-o.start < o.end-o.start+minValueText
}

// repeatsBare counts o when it is a bare repeat of the last bare code.
func (b *builder) repeatsBare(o occurrence, end int) bool {
	if b.lastBareAt < 0 || o.code != b.lastBare || !isBare(o, end) {
		return false
	}
	b.found[b.lastBareAt].Occurrences++
	return true
}

func (b *builder) countCode(code string) {
	if b.codes[code] {
		return
	}
	if len(b.codes) >= maxOmittedCodes {
		b.codesFull = true
		return
	}
	b.codes[code] = true
}

func (b *builder) omitted() Omitted {
	return Omitted{Occurrences: b.omittedOcc, Codes: len(b.codes), CodesAtLeast: b.codesFull}
}

// add merges a reading into the findings: into one of its code whose
// values it does not contradict, else as a new finding, else (past the
// limits) it is counted.
func (b *builder) add(r reading) {
	o := r.o
	bare := isBare(o, o.start+len(r.fwd))
	for _, i := range b.byCode[o.code] {
		if compatibleSet(b.found[i].Fields, r.fs) {
			b.merge(&b.found[i], r)
			if bare {
				b.lastBare, b.lastBareAt = o.code, i
			}
			return
		}
	}
	if len(b.found) >= MaxFindings || len(b.byCode[o.code]) >= maxPerCode {
		b.omittedOcc++
		b.countCode(o.code)
		return
	}
	f := r.finding()
	f.Occurrences = 1
	if bare {
		b.lastBare, b.lastBareAt = o.code, len(b.found)
	}
	b.byCode[o.code] = append(b.byCode[o.code], len(b.found))
	b.found = append(b.found, f)
}

// result orders the findings: root causes first, then by position; a
// wrapper code ("DeploymentFailed") is kept only when nothing else is.
func (b *builder) result() []Finding {
	out := make([]Finding, 0, len(b.found))
	for _, f := range b.found {
		if !f.wrapper {
			out = append(out, f)
		}
	}
	if len(out) == 0 {
		out = append(out, b.found...)
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].rank != out[j].rank {
			return out[i].rank < out[j].rank
		}
		return out[i].pos < out[j].pos
	})
	return out
}

// compatibleSet reports whether no value of fs contradicts a field.
func compatibleSet(a []diag.Fact, fs fieldSet) bool {
	for _, x := range a {
		if v, ok := fs[x.Key]; ok && v != x.Value {
			return false
		}
	}
	return true
}

// merge folds a repeat of dst's error into dst: the values the repeat adds,
// the ids dst lacks, and the better-founded explanation when the repeat
// names values the first sighting did not (a bare "ERROR CODE: X" line
// before the body that explains it).
func (b *builder) merge(dst *Finding, r reading) {
	dst.Occurrences++
	dst.TraceID = diag.FirstNonEmpty(dst.TraceID, r.trace)
	dst.CorrelationID = diag.FirstNonEmpty(dst.CorrelationID, r.corr)
	dst.Timestamp = diag.FirstNonEmpty(dst.Timestamp, r.stamp)
	added := false
	for k, v := range r.fs {
		if dst.Field(k) == "" && v != "" {
			added = true
		}
	}
	// Only a repeat that can change the explanation is explained again.
	bare := len(r.fwd) < r.o.end-r.o.start+minValueText
	if !added && r.o.implies == "" && r.variant == dst.variant && (bare || (dst.Message != "" && r.o.num != 700024)) {
		return
	}
	f := r.finding()
	fs := fieldSet{}
	for _, x := range dst.Fields {
		fs[x.Key] = x.Value
	}
	for _, x := range f.Fields {
		if _, ok := fs[x.Key]; !ok {
			fs[x.Key] = x.Value
		}
	}
	dst.Fields = fs.facts()
	if dst.Cause != f.Cause && f.Cause != diag.CauseOther && (len(f.Fields) > 0 || dst.Cause == diag.CauseOther) {
		dst.Cause, dst.Title, dst.Explanation, dst.Fix, dst.variant = f.Cause, f.Title, f.Explanation, f.Fix, f.variant
	}
	dst.rank = min(dst.rank, f.rank)
	dst.Message = diag.FirstNonEmpty(dst.Message, f.Message)
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

// isEntra reports whether a code is Entra's (or a missing token, which
// Entra would have been sent).
func isEntra(code string) bool {
	return strings.HasPrefix(code, "AADSTS") || code == "NoOIDCToken"
}

// fillContext adds the values the paste's context gives and the error's
// text leaves out.
func fillContext(f *Finding, ctx fieldSet) {
	if len(ctx) == 0 {
		return
	}
	fs := fieldSet{}
	for _, x := range f.Fields {
		fs[x.Key] = x.Value
	}
	for _, k := range []string{"issuer", "subject", "audience", "client_id", "tenant"} {
		if _, ok := fs[k]; !ok && ctx[k] != "" {
			fs[k] = ctx[k]
		}
	}
	f.Fields = fs.facts()
}

// lookupFinding is the catalogue's entry for a finding's code.
func lookupFinding(code string) (CodeInfo, bool) {
	if n, ok := strings.CutPrefix(code, "AADSTS"); ok {
		if v, err := strconv.Atoi(n); err == nil {
			return LookupAADSTS(v)
		}
	}
	return LookupARM(code)
}
