package explain

// The corpus tests score Paste on real error texts people pasted into
// public threads (testdata/pastes, each with its source in SOURCES.md).
// The texts were split into a tune set and a holdout set by a hash of the
// file name before any tuning; only the tune set was used to tune. The
// holdout test prints aggregate scores only, never which texts failed, so
// that its failures cannot leak into the tuning.

import (
	"bufio"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"os"
	"path"
	"path/filepath"
	"sort"
	"testing"

	"github.com/oidc-doctor/oidc-doctor/check/diag"
)

// pasteCase is one line of testdata/pastes/index.jsonl.
type pasteCase struct {
	File   string            `json:"file"`
	Set    string            `json:"set"`
	Code   string            `json:"code"`
	Cause  diag.Cause        `json:"cause"`
	Fields map[string]string `json:"fields"`
	Source string            `json:"source"`
}

// pasteSet is the set a file belongs to, from its base name alone.
func pasteSet(file string) string {
	h := fnv.New32a()
	h.Write([]byte(path.Base(file)))
	if h.Sum32()%2 == 1 {
		return "holdout"
	}
	return "tune"
}

func loadPastes(t *testing.T) []pasteCase {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", "pastes", "index.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []pasteCase
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var c pasteCase
		if err := json.Unmarshal(sc.Bytes(), &c); err != nil {
			t.Fatalf("index.jsonl: %v", err)
		}
		if c.Set != pasteSet(c.File) {
			t.Fatalf("%s: set %q, but the hash puts it in %q", c.File, c.Set, pasteSet(c.File))
		}
		if c.Cause != "" && !diag.KnownCause(c.Cause) {
			t.Fatalf("%s: unknown cause %q", c.File, c.Cause)
		}
		if c.Source == "" {
			t.Fatalf("%s: no source", c.File)
		}
		out = append(out, c)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// score is how Paste did on a set of texts.
type score struct {
	texts, causeOK    int
	fields, fieldOK   int
	codes, codeOK     int
	failures          []string // tune set only
	fieldConflicts    int      // a field given with another value than the label's
	noFindingExpected int
}

func (s score) causePct() float64 { return pct(s.causeOK, s.texts) }
func (s score) fieldPct() float64 { return pct(s.fieldOK, s.fields) }

func pct(a, b int) float64 {
	if b == 0 {
		return 100
	}
	return 100 * float64(a) / float64(b)
}

// scorePastes runs Paste on every text of the set. The primary finding (the
// first, root causes first) is judged: its cause, and each labelled field.
func scorePastes(t *testing.T, set string, explainFailures bool) score {
	t.Helper()
	var s score
	for _, c := range loadPastes(t) {
		if c.Set != set {
			continue
		}
		b, err := os.ReadFile(filepath.Join("testdata", "pastes", c.File))
		if err != nil {
			t.Fatal(err)
		}
		fs := Paste(string(b), nil)
		s.texts++
		var got Finding
		if len(fs) > 0 {
			got = fs[0]
		}
		if c.Cause == "" {
			s.noFindingExpected++
		}
		if got.Cause == c.Cause {
			s.causeOK++
		} else if explainFailures {
			s.failures = append(s.failures, fmt.Sprintf("%s: cause %q (code %q), want %q (code %q)", c.File, got.Cause, got.Code, c.Cause, c.Code))
		}
		if c.Code != "" {
			s.codes++
			if got.Code == c.Code {
				s.codeOK++
			}
		}
		keys := make([]string, 0, len(c.Fields))
		for k := range c.Fields {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			s.fields++
			v, ok := got.fieldValue(k)
			switch {
			case ok && v == c.Fields[k]:
				s.fieldOK++
			case explainFailures:
				s.failures = append(s.failures, fmt.Sprintf("%s: field %s = %q (present %v), want %q", c.File, k, v, ok, c.Fields[k]))
			}
			if ok && v != c.Fields[k] {
				s.fieldConflicts++
			}
		}
	}
	return s
}

// fieldValue is Field that tells an empty value from an absent one.
func (f Finding) fieldValue(key string) (string, bool) {
	for _, x := range f.Fields {
		if x.Key == key {
			return x.Value, true
		}
	}
	return "", false
}

func (s score) table(set string) string {
	return fmt.Sprintf("%s set: %d texts\n| measure | right | of | score |\n|---|---|---|---|\n| cause | %d | %d | %.1f%% |\n| fields | %d | %d | %.1f%% |\n| code | %d | %d | %.1f%% |\n(fields given with another value than the label's: %d)",
		set, s.texts, s.causeOK, s.texts, s.causePct(), s.fieldOK, s.fields, s.fieldPct(), s.codeOK, s.codes, pct(s.codeOK, s.codes), s.fieldConflicts)
}

// Floors measured when the catalogue was last tuned (tune 102/102 causes,
// 126/126 fields; holdout 78/80 causes, 88/92 fields); a change that lowers
// a score below them fails.
const (
	tuneCauseFloor    = 100.0
	tuneFieldFloor    = 100.0
	holdoutCauseFloor = 97.5
	holdoutFieldFloor = 95.6
)

// TestPasteTuneScore scores the tune set and lists what it gets wrong.
func TestPasteTuneScore(t *testing.T) {
	s := scorePastes(t, "tune", true)
	t.Log("\n" + s.table("tune"))
	if s.causePct() < tuneCauseFloor || s.fieldPct() < tuneFieldFloor {
		for _, f := range s.failures {
			t.Log(f)
		}
		t.Errorf("tune set: cause %.1f%% (floor %.1f%%), fields %.1f%% (floor %.1f%%)", s.causePct(), tuneCauseFloor, s.fieldPct(), tuneFieldFloor)
	} else if testing.Verbose() {
		for _, f := range s.failures {
			t.Log(f)
		}
	}
}

// TestPasteHoldoutScore scores the untouched holdout set. It reports the
// scores only: which texts fail is deliberately not shown.
func TestPasteHoldoutScore(t *testing.T) {
	s := scorePastes(t, "holdout", false)
	t.Log("\n" + s.table("holdout"))
	if s.causePct() < holdoutCauseFloor || s.fieldPct() < holdoutFieldFloor {
		t.Errorf("holdout set: cause %.1f%% (floor %.1f%%), fields %.1f%% (floor %.1f%%)", s.causePct(), holdoutCauseFloor, s.fieldPct(), holdoutFieldFloor)
	}
}
