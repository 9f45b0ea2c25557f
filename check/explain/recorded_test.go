package explain

import (
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"testing"

	"github.com/oidc-doctor/oidc-doctor/check/diag"
)

// Recorded is one real service answer of testdata/recorded (see SOURCES.md
// there). The live-path tests in package check read the same files.
type Recorded struct {
	Source      string            `json:"source"`
	Status      int               `json:"status"`
	LiveStatus  int               `json:"live_status"`
	ContentType string            `json:"content_type"`
	Live        string            `json:"live"`
	Headers     map[string]string `json:"headers"`
	Body        string            `json:"body"`
	Expect      struct {
		Code   string            `json:"code"`
		Cause  diag.Cause        `json:"cause"`
		Fields map[string]string `json:"fields"`
	} `json:"expect"`
}

func loadRecorded(t *testing.T, service string) map[string]Recorded {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("testdata", "recorded", service, "*.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no recorded %s answers: %v", service, err)
	}
	out := map[string]Recorded{}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var r Recorded
		if err := json.Unmarshal(b, &r); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		if r.Source == "" || (r.Expect.Cause != "" && !diag.KnownCause(r.Expect.Cause)) {
			t.Fatalf("%s: no source or unknown cause %q", f, r.Expect.Cause)
		}
		out[filepath.Base(f)] = r
	}
	return out
}

func sortedNames(m map[string]Recorded) []string {
	var names []string
	for n := range m {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// TestRecordedBodiesExplain feeds every real recorded answer to explain as
// pasted text: the cause, the code and every value it names.
func TestRecordedBodiesExplain(t *testing.T) {
	for _, service := range []string{"entra", "arm"} {
		recs := loadRecorded(t, service)
		for _, name := range sortedNames(recs) {
			r := recs[name]
			t.Run(service+"/"+name, func(t *testing.T) {
				fs := Paste(r.Body, nil)
				if r.Expect.Cause == "" {
					if len(fs) != 0 {
						t.Errorf("a success answer gave findings: %+v", fs)
					}
					return
				}
				if len(fs) == 0 {
					t.Fatalf("no finding, want %s (%s)", r.Expect.Code, r.Expect.Cause)
				}
				f := fs[0]
				if f.Cause != r.Expect.Cause || f.Code != r.Expect.Code {
					t.Errorf("got %s (%s), want %s (%s)", f.Code, f.Cause, r.Expect.Code, r.Expect.Cause)
				}
				for k, want := range r.Expect.Fields {
					if got, ok := f.fieldValue(k); !ok || got != want {
						t.Errorf("field %s = %q, want %q (fields %v)", k, got, want, f.Fields)
					}
				}
			})
		}
	}
}
