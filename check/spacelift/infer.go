package spacelift

// A custom subject template, as far as one token shows it. The account's
// template (https://docs.spacelift.io/integrations/cloud-providers/oidc/subject-template)
// is not in the token, only what it rendered: sub. Of its placeholders
// ({spaceId}, {spacePath}, {callerType}, {callerId}, {runId}, {runType},
// {scope}) only {runType} and {scope} change between the runs of one stack
// (and {runId}, with every run); the others render the same for all of
// them and can stay as the text they rendered. So inferring the template
// means finding the token's runType and scope values in sub, and its run
// id, which no credential can match.

import (
	"sort"
	"strings"
)

// DefaultTemplate is Spacelift's default subject format as a template: what
// an empty OIDC subject template field means.
const DefaultTemplate = "space:{spaceId}:{callerType}:{callerId}:run_type:{runType}:scope:{scope}"

// Template is a subject template as one token shows it.
type Template struct {
	// Sub is the subject the token carries.
	Sub string
	// Default reports that Sub is Spacelift's default format, for the
	// token's own claims.
	Default bool
	// RunType and Scope are the token's values, and where Sub holds them.
	RunType, Scope string
	runType, scope span
	// Unsure says, for each placeholder that could not be located, why.
	Unsure []string
	// PerRun names the per-run value Sub holds ("runId 01J…"); empty when
	// it holds none.
	PerRun string
	perRun []span
	claims Claims
}

// span is a byte range of Sub; ok false means the template holds no such
// placeholder.
type span struct {
	at, n int
	ok    bool
}

// RunValue is a value that changes with every run: the runId or jti
// claim, or TF_VAR_spacelift_run_id.
type RunValue struct {
	Name, Value string
}

// minRunValue is the shortest value looked for inside sub: shorter ones
// (or a missing claim) would match by chance. Run ids are 26-character
// ULIDs.
const minRunValue = 8

// PerRunValue returns the first of values that sub contains, if any. A
// subject holding one can never match a federated credential: the next
// run presents another.
func PerRunValue(sub string, values []RunValue) (RunValue, bool) {
	for _, v := range values {
		if len(v.Value) >= minRunValue && strings.Contains(sub, v.Value) {
			return v, true
		}
	}
	return RunValue{}, false
}

// Infer reads the template behind sub from the token's claims; values are
// the per-run values to look for (the runId claim is always among them).
func Infer(sub string, c Claims, values ...RunValue) Template {
	t := Template{Sub: sub, RunType: c.RunType, Scope: c.Scope, claims: c}
	if s, err := ParseSubject(sub); err == nil && s == FromClaims(c) {
		t.Default = true
		return t
	}
	var masks []span
	for _, v := range append([]RunValue{{"runId", c.RunID}}, values...) {
		if len(v.Value) < minRunValue {
			continue
		}
		for _, s := range occurrences(sub, v.Value) {
			if overlaps(s, masks) {
				continue // inside another per-run value (a jti holding the run id)
			}
			if t.PerRun == "" {
				t.PerRun = v.Name + " " + v.Value
			}
			t.perRun = append(t.perRun, s)
			masks = append(masks, s)
		}
	}
	// The values every run of the stack shares hide any run type or scope
	// inside them (a stack called "write-infra").
	for _, v := range []string{c.SpacePath, c.SpaceID, c.CallerID} {
		if v != "" {
			masks = append(masks, occurrences(sub, v)...)
		}
	}
	t.runType = t.locate("{runType}", c.RunType, masks)
	if t.runType.ok {
		masks = append(masks, t.runType)
	}
	t.scope = t.locate("{scope}", c.Scope, masks)
	return t
}

// locate finds value in sub outside masks: preferably once between
// separators, else once at all. It records in Unsure when it cannot tell.
func (t *Template) locate(placeholder, value string, masks []span) span {
	if value == "" {
		t.Unsure = append(t.Unsure, placeholder+": the token has no "+strings.Trim(placeholder, "{}")+" claim")
		return span{}
	}
	var free, bounded []span
	hidden := false
	for _, s := range occurrences(t.Sub, value) {
		if overlaps(s, masks) {
			hidden = true
			continue
		}
		free = append(free, s)
		if t.boundary(s) {
			bounded = append(bounded, s)
		}
	}
	switch {
	case len(bounded) == 1:
		return bounded[0]
	case len(bounded) == 0 && len(free) == 1:
		return free[0]
	case len(free) > 1:
		t.Unsure = append(t.Unsure, placeholder+": "+value+" appears more than once in sub")
	case hidden:
		t.Unsure = append(t.Unsure, placeholder+": "+value+" appears only inside another claim's value in sub")
	}
	return span{}
}

// boundary reports whether s stands between separators (or the ends).
func (t *Template) boundary(s span) bool {
	sep := func(i int) bool { return i < 0 || i >= len(t.Sub) || strings.IndexByte("-_:/|", t.Sub[i]) >= 0 }
	return sep(s.at-1) && sep(s.at+s.n)
}

func occurrences(s, v string) []span {
	var out []span
	for from := 0; from < len(s); {
		i := strings.Index(s[from:], v)
		if i < 0 {
			break
		}
		out = append(out, span{at: from + i, n: len(v), ok: true})
		from += i + len(v)
	}
	return out
}

func overlaps(s span, masks []span) bool {
	for _, m := range masks {
		if s.at < m.at+m.n && m.at < s.at+s.n {
			return true
		}
	}
	return false
}

// unsure reports whether placeholder could not be located.
func (t Template) unsure(placeholder string) bool {
	for _, u := range t.Unsure {
		if strings.HasPrefix(u, placeholder+":") {
			return true
		}
	}
	return false
}

// Render is the subject the template gives a run of runType with scope,
// or false when it cannot be told: the placeholder that would change
// could not be located. Per-run values become "<runId>".
func (t Template) Render(runType, scope string) (string, bool) {
	if t.Default {
		s := FromClaims(t.claims)
		s.RunType, s.Scope = runType, scope
		return s.String(), true
	}
	type edit struct {
		s    span
		text string
	}
	var edits []edit
	for _, p := range []struct {
		name, want, have string
		at               span
	}{{"{runType}", runType, t.RunType, t.runType}, {"{scope}", scope, t.Scope, t.scope}} {
		switch {
		case p.at.ok:
			edits = append(edits, edit{p.at, p.want})
		case p.want != p.have && t.unsure(p.name):
			return "", false
		}
	}
	for _, s := range t.perRun {
		edits = append(edits, edit{s, "<runId>"})
	}
	sort.Slice(edits, func(i, j int) bool { return edits[i].s.at > edits[j].s.at })
	out := t.Sub
	for _, e := range edits {
		out = out[:e.s.at] + e.text + out[e.s.at+e.s.n:]
	}
	return out, true
}

// Text is the template as far as it is known: sub with {runType},
// {scope} and {runId} where they were found.
func (t Template) Text() string {
	if t.Default {
		return DefaultTemplate
	}
	s, _ := Template{Sub: t.Sub, RunType: "{runType}", Scope: "{scope}", runType: t.runType, scope: t.scope, perRun: t.perRun}.Render("{runType}", "{scope}")
	return strings.ReplaceAll(s, "<runId>", "{runId}")
}

// Variants lists the subjects the caller's runs present under the
// template: AllSubjects rendered through it, one per distinct subject.
// cannot lists the run types and scopes it cannot render.
func (t Template) Variants(c Claims) (vs []Variant, cannot []string) {
	all := AllSubjects(c.SpaceID, c.CallerType, c.CallerID)
	if t.Default {
		return all, nil
	}
	at := map[string]int{}
	for _, v := range all {
		if v.Subject.CallerType != c.CallerType {
			continue // the default format's module/stack doubt: not this template's
		}
		s, ok := t.Render(v.Subject.RunType, v.Subject.Scope)
		if !ok {
			cannot = append(cannot, v.Subject.RunType+" "+v.Subject.Scope)
			continue
		}
		if i, seen := at[s]; seen {
			vs[i].Why += "; " + v.Why
			continue
		}
		if t.PerRun != "" {
			v.Uncertain = "holds the run's " + strings.Fields(t.PerRun)[0] + ": every run presents another subject, and no credential can match it"
		}
		v.Custom = s
		at[s] = len(vs)
		vs = append(vs, v)
	}
	return vs, cannot
}
