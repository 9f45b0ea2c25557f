// Package diag holds the data every step of the diagnosis returns: a
// Result per check, with its Status, Facts and Fixes, gathered in a Report.
// It also holds the cause vocabulary shared by the live checks and
// `oidc-doctor explain`, and the few wording helpers every step uses, so
// that "(absent)", durations and times read the same everywhere.
//
// It imports nothing of the project: every other package may use it.
package diag

import "time"

// Status is the outcome of one check. Values are stable; they appear in JSON.
type Status string

// The four outcomes of a check, from best to worst (skip aside).
const (
	StatusPass Status = "pass"
	StatusWarn Status = "warn"
	StatusFail Status = "fail"
	// StatusSkip means an earlier failure removed this step's input, or the
	// step does not apply. A step that started and could not finish is a fail.
	StatusSkip Status = "skip"
)

// Rank orders statuses, for picking the worst of several: skip < pass <
// warn < fail.
func (s Status) Rank() int {
	switch s {
	case StatusPass:
		return 1
	case StatusWarn:
		return 2
	case StatusFail:
		return 3
	}
	return 0
}

// Fact is one ordered piece of evidence, such as the token's issuer.
type Fact struct {
	Key   string
	Value string
}

// F is shorthand for building a Fact.
func F(key, value string) Fact { return Fact{Key: key, Value: value} }

// Fix is something to paste: a shell command, a Terraform block or a setting.
type Fix struct {
	// Title says what the fix does, e.g. "create the federated credential (az CLI)".
	Title string
	// Lang is the code-block language: "sh", "hcl", "yaml" or "text".
	Lang string
	// Text is the exact text to paste.
	Text string
}

// Result is what one check found.
type Result struct {
	// ID is stable, lower-kebab-case, and never changes once released.
	ID string
	// Title is a short human label.
	Title  string
	Status Status
	// Summary is one sentence saying what was found.
	Summary string
	// Facts is the ordered evidence.
	Facts []Fact
	// ErrorCode is the service's error code (AADSTS700213, AuthorizationFailed), if any.
	ErrorCode string
	// Cause is why a failing or warning check failed, from the shared
	// vocabulary; empty for pass and skip. A fault cause (Cause.Fault) means
	// the step could not finish, not that something is misconfigured.
	Cause Cause
	// Hint says what to do next; empty unless warn or fail.
	Hint string
	// Fixes are commands or configuration to paste.
	Fixes []Fix
	// Elapsed is how long the step took; zero for pure checks.
	Elapsed time.Duration
	// Step names the step the check belongs to: "terraform", "token",
	// "settings", "issuer", "entra", "arm", "backend", "clock", ...; the
	// renderers group by it.
	Step string
	// RootCause is the id of the check whose failure caused this one (a
	// skip for want of input, or a failure with the same root), or empty
	// when this check is a root itself.
	RootCause string
	// FixedUnder lists the ids of earlier checks that print fixes this
	// one gives too, which are left out here (a "fix" fact says so).
	FixedUnder []string
}

// Caused returns rs with RootCause set to root where it is still empty.
func Caused(rs []Result, root string) []Result {
	if root == "" {
		return rs
	}
	for i := range rs {
		if rs[i].RootCause == "" && rs[i].ID != root {
			rs[i].RootCause = root
		}
	}
	return rs
}

// FirstFailure returns the id of the first failing result of rs, or "".
func FirstFailure(rs []Result) string {
	for _, r := range rs {
		if r.Status == StatusFail {
			return r.ID
		}
	}
	return ""
}

// Skipped is the result of a check whose input an earlier failure removed,
// or that does not apply; why says which.
func Skipped(id, title, why string) Result {
	return Result{ID: id, Title: title, Status: StatusSkip, Summary: "skipped: " + why}
}

// Report is the whole diagnosis, in the order the checks ran.
type Report struct {
	Results []Result
	// Environment holds facts about where the doctor ran (run id, stack id,
	// account host, proxy settings). Best effort; never secrets.
	Environment []Fact
	// Started is when the diagnosis began, from the run's clock.
	Started time.Time
	// TokenFiles are the token files the run found (read, or refused
	// without reading): --output must never overwrite one. Not rendered.
	TokenFiles []string
}

// Add appends results to the report.
func (rep *Report) Add(rs ...Result) { rep.Results = append(rep.Results, rs...) }

// Status is the worst status of any check: fail, then warn, else pass.
func (rep Report) Status() Status {
	worst := StatusPass
	for _, r := range rep.Results {
		switch r.Status {
		case StatusFail:
			return StatusFail
		case StatusWarn:
			worst = StatusWarn
		}
	}
	return worst
}

// Find returns the result with the given id, or nil.
func (rep *Report) Find(id string) *Result {
	for i := range rep.Results {
		if rep.Results[i].ID == id {
			return &rep.Results[i]
		}
	}
	return nil
}
