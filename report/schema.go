package report

import (
	"encoding/json"
	"fmt"
	"io"
	"time"

	"github.com/oidc-doctor/oidc-doctor/check/diag"
)

// SchemaVersion is the version of the JSON document below. Adding a field
// keeps it; renaming, removing or retyping one means "2".
const SchemaVersion = "1"

// Envelope opens every JSON document oidc-doctor writes, the report and
// explain's findings alike.
type Envelope struct {
	// SchemaVersion is always "1" for this layout.
	SchemaVersion string `json:"schema_version"`
	// Tool is the build of oidc-doctor that wrote the document.
	Tool Tool `json:"tool"`
	// GeneratedAt is when the document was written, RFC 3339 in UTC. Empty
	// means unknown.
	GeneratedAt string `json:"generated_at"`
}

func envelope(m Meta) Envelope {
	return Envelope{
		SchemaVersion: SchemaVersion,
		Tool:          Tool{Name: m.Tool, Version: m.Version, GoVersion: m.GoVersion, OS: m.OS, Arch: m.Arch},
		GeneratedAt:   timeString(m.Generated),
	}
}

// Document is the JSON form of a diag.Report, as written by JSON. It is a
// contract with scripts: it changes only by adding fields.
type Document struct {
	Envelope
	// StartedAt is when the diagnosis began, RFC 3339 in UTC. Empty means
	// unknown.
	StartedAt string `json:"started_at"`
	// Status is the worst check status: "fail" if any check failed, else
	// "warn" if any warned, else "pass" (skips do not count). Never empty.
	Status string `json:"status"`
	// Environment describes where the doctor ran (run id, stack id, account
	// host, proxy settings), in order. Empty means nothing was probed.
	Environment []Fact `json:"environment"`
	// Checks are the checks in the order they ran. Empty means none ran.
	Checks []Check `json:"checks"`
}

// Tool identifies the program that wrote a Document.
type Tool struct {
	// Name is "oidc-doctor". Never empty.
	Name string `json:"name"`
	// Version is the module version, e.g. "v0.3.1", or "(devel)". Empty
	// means unknown.
	Version string `json:"version"`
	// GoVersion is the Go toolchain that built the tool, e.g. "go1.26.8".
	// Empty means unknown.
	GoVersion string `json:"go_version"`
	// OS is GOOS, e.g. "linux". Empty means unknown.
	OS string `json:"os"`
	// Arch is GOARCH, e.g. "amd64". Empty means unknown.
	Arch string `json:"arch"`
}

// Fact is one ordered key and value.
type Fact struct {
	// Key names the fact, e.g. "issuer". Never empty.
	Key string `json:"key"`
	// Value is the fact; empty means the fact was probed and is empty.
	Value string `json:"value"`
}

// Check is the result of one check.
type Check struct {
	// ID is stable, lower-kebab-case, e.g. "claim-aud". Never empty.
	ID string `json:"id"`
	// Status is "pass", "warn", "fail" or "skip". Never empty.
	Status string `json:"status"`
	// Title is a short human label. Empty means none was given.
	Title string `json:"title"`
	// Summary is one sentence saying what was found; for a skip, why.
	Summary string `json:"summary"`
	// Facts is the ordered evidence. Empty means the check recorded none.
	Facts []Fact `json:"facts"`
	// ErrorCode is the service's stable error code, e.g. "AADSTS700213" or
	// "AuthorizationFailed". Empty means no service error.
	ErrorCode string `json:"error_code"`
	// Cause is why the check failed or warned, from the vocabulary listed in
	// README ("subject_mismatch", "timeout", ...). The fault causes
	// ("timeout", "network_fault", "service_fault") mean the step could not
	// finish. Empty for pass and skip, and where no cause is named.
	Cause string `json:"cause"`
	// Hint says what to do next. Empty for pass and skip, and for a warn or
	// fail with nothing to suggest.
	Hint string `json:"hint"`
	// Fixes are commands or configuration to paste. Empty means none.
	Fixes []Fix `json:"fixes"`
	// ElapsedMS is how long the check took in whole milliseconds. Zero means
	// it was a pure check or took under a millisecond.
	ElapsedMS int64 `json:"elapsed_ms"`
	// Step is the step the check belongs to: "terraform", "token",
	// "settings", "issuer", "entra", "arm", "backend", "clock", ... Empty
	// means none was recorded.
	Step string `json:"step"`
	// RootCause is the id of the check whose failure caused this one (a
	// skip for want of input, or a failure with the same root). Empty means
	// this check is a root itself.
	RootCause string `json:"root_cause"`
}

// Fix is something to paste.
type Fix struct {
	// Title says what the fix does. Never empty.
	Title string `json:"title"`
	// Lang is the code-block language: "sh", "hcl", "yaml" or "text". Empty
	// means plain text.
	Lang string `json:"lang"`
	// Text is the exact text to paste.
	Text string `json:"text"`
}

// document converts a report and its metadata to the wire form. Slices are
// never nil, so they encode as [] and not null.
func document(r diag.Report, m Meta) Document {
	d := Document{
		Envelope:    envelope(m),
		StartedAt:   timeString(r.Started),
		Status:      string(r.Status()),
		Environment: facts(r.Environment),
		Checks:      make([]Check, 0, len(r.Results)),
	}
	for _, res := range r.Results {
		c := Check{
			ID:        res.ID,
			Status:    string(res.Status),
			Title:     res.Title,
			Summary:   res.Summary,
			Facts:     facts(res.Facts),
			ErrorCode: res.ErrorCode,
			Cause:     string(res.Cause),
			Hint:      res.Hint,
			Fixes:     make([]Fix, 0, len(res.Fixes)),
			ElapsedMS: res.Elapsed.Milliseconds(),
			Step:      res.Step,
			RootCause: res.RootCause,
		}
		for _, f := range res.Fixes {
			c.Fixes = append(c.Fixes, Fix{Title: f.Title, Lang: f.Lang, Text: f.Text})
		}
		d.Checks = append(d.Checks, c)
	}
	return d
}

func facts(in []diag.Fact) []Fact {
	out := make([]Fact, 0, len(in))
	for _, f := range in {
		out = append(out, Fact{Key: f.Key, Value: f.Value})
	}
	return out
}

func timeString(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

// Decode reads a document written by JSON back into a report and its
// metadata. It is used for fixtures and round trips; fields it does not
// know are ignored, and the schema version must be "1".
func Decode(rd io.Reader) (diag.Report, Meta, error) {
	var d Document
	if err := json.NewDecoder(rd).Decode(&d); err != nil {
		return diag.Report{}, Meta{}, fmt.Errorf("decoding report: %w", err)
	}
	if d.SchemaVersion != SchemaVersion {
		return diag.Report{}, Meta{}, fmt.Errorf("decoding report: unsupported schema_version %q (want %q)", d.SchemaVersion, SchemaVersion)
	}
	m := Meta{Tool: d.Tool.Name, Version: d.Tool.Version, GoVersion: d.Tool.GoVersion, OS: d.Tool.OS, Arch: d.Tool.Arch}
	var r diag.Report
	var err error
	if m.Generated, err = parseTime("generated_at", d.GeneratedAt); err != nil {
		return diag.Report{}, Meta{}, err
	}
	if r.Started, err = parseTime("started_at", d.StartedAt); err != nil {
		return diag.Report{}, Meta{}, err
	}
	r.Environment = checkFacts(d.Environment)
	for i, c := range d.Checks {
		switch s := diag.Status(c.Status); s {
		case diag.StatusPass, diag.StatusWarn, diag.StatusFail, diag.StatusSkip:
		default:
			return diag.Report{}, Meta{}, fmt.Errorf("decoding report: checks[%d] (%s): unknown status %q", i, c.ID, c.Status)
		}
		res := diag.Result{
			ID:        c.ID,
			Title:     c.Title,
			Status:    diag.Status(c.Status),
			Summary:   c.Summary,
			Facts:     checkFacts(c.Facts),
			ErrorCode: c.ErrorCode,
			Cause:     diag.Cause(c.Cause),
			Hint:      c.Hint,
			Elapsed:   time.Duration(c.ElapsedMS) * time.Millisecond,
			Step:      c.Step,
			RootCause: c.RootCause,
		}
		for _, f := range c.Fixes {
			res.Fixes = append(res.Fixes, diag.Fix{Title: f.Title, Lang: f.Lang, Text: f.Text})
		}
		r.Add(res)
	}
	return r, m, nil
}

func checkFacts(in []Fact) []diag.Fact {
	var out []diag.Fact
	for _, f := range in {
		out = append(out, diag.Fact{Key: f.Key, Value: f.Value})
	}
	return out
}

func parseTime(field, s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("decoding report: %s: %w", field, err)
	}
	return t.UTC(), nil
}
