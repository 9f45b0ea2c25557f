package report

// What every format says first: the chain of steps, the root cause and its
// one fix. The report's data carries the step of each check and the root
// cause of each failure (diag.Result.Step, RootCause); nothing here judges,
// it only groups.

import (
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/oidc-doctor/oidc-doctor/check/diag"
)

// stepStatus is one step of the chain at a glance.
type stepStatus struct {
	name   string
	status diag.Status
	cause  diag.Cause // of the step's first root failure
}

// steps lists the report's steps in the order they ran, each with its
// worst status (skip only when every check in it was skipped).
func steps(r diag.Report) []stepStatus {
	var out []stepStatus
	at := map[string]int{}
	for _, res := range r.Results {
		name := res.Step
		if name == "" {
			continue
		}
		i, ok := at[name]
		if !ok {
			i = len(out)
			at[name] = i
			out = append(out, stepStatus{name: name, status: diag.StatusSkip})
		}
		s := &out[i]
		if res.Status.Rank() > s.status.Rank() {
			s.status = res.Status
		}
		if res.Status == diag.StatusFail && res.RootCause == "" && s.cause == "" {
			s.cause = res.Cause
		}
	}
	return out
}

// stepName is how the chain names a step.
func stepName(step string) string {
	switch step {
	case "entra":
		return "Entra"
	case "arm":
		return "ARM"
	case "graph":
		return "Graph"
	}
	return step
}

// causeWord is a cause in one or two words, for the chain line.
func causeWord(c diag.Cause) string {
	switch c {
	case diag.CauseSubjectMismatch:
		return "subject"
	case diag.CauseAudienceMismatch:
		return "audience"
	case diag.CauseIssuerMismatch:
		return "issuer"
	case diag.CauseNoMatchingFIC:
		return "no credential"
	case diag.CauseAuthorizationFailed:
		return "role"
	case diag.CauseWrongTenantForSubscription:
		return "tenant"
	}
	return strings.ReplaceAll(string(c), "_", " ")
}

// mainRoot is the root cause the report leads with: the first failing
// check no other failure explains, else the first such warning that has a
// fix (the apply phase's missing credential, not the advice that an apply
// phase exists), else the first warning; nil when everything passed. When the report concludes a misconfiguration, it leads
// with the first such failure that is not a fault, or failing that the
// first failure that is not a fault at all: a transient error of a service
// elsewhere never headlines a run that fails on its configuration.
func mainRoot(r diag.Report) *diag.Result {
	if r.Outcome() == diag.OutcomeFail {
		var linked *diag.Result
		for i := range r.Results {
			res := &r.Results[i]
			if res.Status != diag.StatusFail || res.Cause.Fault() {
				continue
			}
			if res.RootCause == "" {
				return res
			}
			if linked == nil {
				linked = res
			}
		}
		// Every misconfiguration is linked under another failure (check
		// never links one under a fault; a report built elsewhere might).
		return linked
	}
	var warned *diag.Result
	for i := range r.Results {
		res := &r.Results[i]
		switch {
		case res.RootCause != "":
		case res.Status == diag.StatusFail:
			return res
		case res.Status == diag.StatusWarn && len(res.Fixes) > 0 && (warned == nil || len(warned.Fixes) == 0):
			warned = res
		case res.Status == diag.StatusWarn && warned == nil:
			warned = res
		}
	}
	return warned
}

// otherRoots names the other failing roots, "id: summary", at most three.
func otherRoots(r diag.Report, main *diag.Result) []string {
	var out []string
	n := 0
	for _, res := range r.Results {
		if res.Status != diag.StatusFail || res.RootCause != "" || res.ID == main.ID {
			continue
		}
		if n++; n <= 3 {
			out = append(out, res.ID)
		}
	}
	if n > 3 {
		out = append(out, "and "+strconv.Itoa(n-3)+" more")
	}
	if len(out) > 0 {
		out[0] = "also failing: " + out[0]
		return []string{strings.Join(out, ", ")}
	}
	return nil
}

// firstFix is the fix the verdict prints: the first of the check's fixes,
// which the checks order so that it is the one that repairs the cause (a
// command or a setting to paste; alternatives follow).
func firstFix(r diag.Result) (diag.Fix, bool) {
	if len(r.Fixes) > 0 {
		return r.Fixes[0], true
	}
	return diag.Fix{}, false
}

// folded reports whether a failure is explained by another and shown as
// one line under it. Warnings caused by a failure (the subjects list) keep
// their own section: they add what to do next.
func folded(res diag.Result) bool {
	return res.Status == diag.StatusFail && res.RootCause != ""
}

// foldedUnder lists the ids of the failures whose root is id.
func foldedUnder(r diag.Report, id string) []string {
	var out []string
	for _, res := range r.Results {
		if folded(res) && res.RootCause == id {
			out = append(out, res.ID)
		}
	}
	return out
}

// skipGroup is the skips that share one reason.
type skipGroup struct {
	why string
	ids []string
}

// skipGroups groups the skipped checks by the failure that caused them
// (else by reason), in order of appearance; a group says the first reason.
func skipGroups(r diag.Report) []skipGroup {
	var out []skipGroup
	at := map[string]int{}
	for _, res := range r.Results {
		if res.Status != diag.StatusSkip {
			continue
		}
		why := strings.TrimPrefix(res.Summary, "skipped: ")
		key := "why:" + why
		if res.RootCause != "" {
			key = "root:" + res.RootCause
		}
		i, ok := at[key]
		if !ok {
			i = len(out)
			at[key] = i
			out = append(out, skipGroup{why: why})
		}
		out[i].ids = append(out[i].ids, res.ID)
	}
	return out
}

// listing reports whether a passing check is a listing to act on (its
// fixes are the point, as in `oidc-doctor subjects`): it is shown in full.
func listing(res diag.Result) bool {
	return res.Status == diag.StatusPass && len(res.Fixes) > 0
}

// passedIDs lists the ids of the passing checks that are not listings.
func passedIDs(r diag.Report) []string {
	var out []string
	for _, res := range r.Results {
		if res.Status == diag.StatusPass && !listing(res) {
			out = append(out, res.ID)
		}
	}
	return out
}

// passSummary completes "every check passed" with who Entra signed in, or
// with the summary of a report that holds one check.
func passSummary(r diag.Report) string {
	if e := r.Find("entra-exchange"); e != nil && e.Status == diag.StatusPass {
		return ": " + e.Summary
	}
	if len(r.Results) == 1 {
		return ": " + r.Results[0].Summary
	}
	return ""
}

// hintBudget is how much of a hint the brief text report shows when it
// does not know the terminal's width: three lines of 100 columns.
const hintBudget = 300

// clipHint keeps a hint within three lines (of width, or hintBudget
// characters when width is unknown), cut after a sentence where it can be.
func clipHint(h string, width int) string {
	budget := hintBudget
	if width > 0 {
		budget = 3 * max(20, width-len(indent)-6)
	}
	if utf8.RuneCountInString(h) <= budget {
		return h
	}
	cut := string([]rune(h)[:budget-len(" … (--verbose for all)")])
	if i := strings.LastIndex(cut, ". "); i > len(cut)/3 {
		cut = cut[:i+1]
	} else if i := strings.LastIndexByte(cut, ' '); i > 0 {
		cut = cut[:i]
	}
	return cut + " … (--verbose for all)"
}

// wrap breaks s at spaces so that no line is longer than width columns;
// later lines are indented by hang spaces. A word longer than a line stays
// whole. width 0 means no wrapping.
func wrap(s string, width, hang int) []string {
	if width <= 0 || visibleLen(s) <= width {
		return []string{s}
	}
	var out []string
	var line strings.Builder
	n := 0
	for _, word := range strings.Split(s, " ") {
		wl := visibleLen(word)
		if n > 0 && n+1+wl > width {
			out = append(out, line.String())
			line.Reset()
			line.WriteString(strings.Repeat(" ", hang))
			n = hang
		} else if n > 0 {
			line.WriteByte(' ')
			n++
		}
		line.WriteString(word)
		n += wl
	}
	return append(out, line.String())
}

// visibleLen is the number of columns s takes on a terminal: runes, not
// counting the SGR colour sequences the text renderer adds.
func visibleLen(s string) int {
	n := 0
	for i := 0; i < len(s); {
		if s[i] == 0x1b && i+1 < len(s) && s[i+1] == '[' {
			j := i + 2
			for j < len(s) && (s[j] == ';' || s[j] >= '0' && s[j] <= '9') {
				j++
			}
			if j < len(s) && s[j] == 'm' {
				i = j + 1
				continue
			}
		}
		_, size := utf8.DecodeRuneInString(s[i:])
		i += size
		n++
	}
	return n
}
