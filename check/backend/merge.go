package backend

// One result from the verdicts of several release lines. The doctor cannot
// run terraform to learn its version, so where the lines that may run init
// behave differently it judges each and says so: a failure that only some
// of them meet is a warning naming them.

import (
	"strings"

	"github.com/oidc-doctor/oidc-doctor/check/diag"
)

// verdict is one line's judgement of one check.
type verdict struct {
	status        diag.Status
	summary, hint string
	cause         diag.Cause
	code          string
	facts         []diag.Fact
	fixes         []diag.Fix
	// root is the check of this step whose failure the verdict follows
	// from (a skip for want of it); Check keeps it only when that check
	// failed.
	root string
}

type perLine struct {
	line Line
	v    verdict
}

// group is the lines that share one status and summary.
type group struct {
	names []string
	v     verdict
	lines []Line
}

func groups(per []perLine) []group {
	var gs []group
	for _, p := range per {
		found := false
		for i := range gs {
			if gs[i].v.status == p.v.status && gs[i].v.summary == p.v.summary {
				gs[i].names, gs[i].lines = append(gs[i].names, p.line.Name), append(gs[i].lines, p.line)
				found = true
			}
		}
		if !found {
			gs = append(gs, group{names: []string{p.line.Name}, v: p.v, lines: []Line{p.line}})
		}
	}
	return gs
}

const pinHint = "Pin the release to judge one: required_version in the terraform block, or terraform_version / opentofu_version in .spacelift/config.yml."

// merge turns the lines' verdicts into the check's result.
func merge(id string, per []perLine) diag.Result {
	r := diag.Result{ID: id, Title: titles[id]}
	gs := groups(per)
	r.Facts = mergeFacts(per)
	if len(gs) == 1 {
		v := gs[0].v
		r.Status, r.Summary, r.Hint, r.Cause, r.ErrorCode, r.Fixes, r.RootCause = v.status, v.summary, v.hint, v.cause, v.code, v.fixes, v.root
		return r
	}
	var parts []string
	allFail := true
	var worst *verdict
	for i := range gs {
		g := &gs[i]
		parts = append(parts, strings.Join(g.names, ", ")+": "+g.v.summary)
		if g.v.status != diag.StatusFail {
			allFail = false
		}
		if worst == nil || g.v.status.Rank() > worst.status.Rank() {
			worst = &g.v
		}
	}
	r.Summary = "depends on the release: " + strings.Join(parts, "; ")
	r.Status, r.Cause, r.ErrorCode, r.Fixes, r.RootCause = worst.status, worst.cause, worst.code, worst.fixes, worst.root
	r.Hint = worst.hint
	if worst.status == diag.StatusFail && !allFail {
		r.Status = diag.StatusWarn
		r.Hint = strings.TrimSpace(r.Hint + " " + pinHint)
	}
	if r.Status == diag.StatusPass || r.Status == diag.StatusSkip {
		r.Hint = ""
	}
	return r
}

// mergeFacts lists each distinct fact once; one that only some lines have
// names them.
func mergeFacts(per []perLine) []diag.Fact {
	type seen struct {
		f     diag.Fact
		names []string
	}
	var list []*seen
	idx := map[diag.Fact]*seen{}
	for _, p := range per {
		for _, f := range p.v.facts {
			s := idx[f]
			if s == nil {
				s = &seen{f: f}
				idx[f] = s
				list = append(list, s)
			}
			if len(s.names) == 0 || s.names[len(s.names)-1] != p.line.Name {
				s.names = append(s.names, p.line.Name)
			}
		}
	}
	var out []diag.Fact
	for _, s := range list {
		f := s.f
		if len(s.names) < len(per) {
			f.Key += " (" + strings.Join(s.names, ", ") + ")"
		}
		out = append(out, f)
	}
	return out
}
