package check_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/oidc-doctor/oidc-doctor/check/diag"
	"github.com/oidc-doctor/oidc-doctor/check/emulator"
)

// recorded is one real service answer of explain/testdata/recorded (its
// source URL is in the file and in SOURCES.md there).
type recorded struct {
	Source      string `json:"source"`
	Status      int    `json:"status"`
	LiveStatus  int    `json:"live_status"`
	ContentType string `json:"content_type"`
	Live        string `json:"live"`
	Body        string `json:"body"`
	Expect      struct {
		Code   string            `json:"code"`
		Cause  diag.Cause        `json:"cause"`
		Fields map[string]string `json:"fields"`
	} `json:"expect"`
}

func loadRecordedAnswers(t *testing.T, service string) map[string]recorded {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("explain", "testdata", "recorded", service, "*.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no recorded %s answers: %v", service, err)
	}
	out := map[string]recorded{}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var r recorded
		if err := json.Unmarshal(b, &r); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		if r.Live != "" {
			out[filepath.Base(f)] = r
		}
	}
	return out
}

// TestRecordedAnswersLive serves every real recorded Entra and ARM answer
// from the emulator, in place of the service's own, and runs the whole
// diagnosis through the real azidentity credential and ARM clients over
// TLS: the failing check must name the recorded cause and code, show every
// value the answer names, and (for ARM) keep the request ids.
func TestRecordedAnswersLive(t *testing.T) {
	for _, service := range []string{"entra", "arm"} {
		recs := loadRecordedAnswers(t, service)
		names := make([]string, 0, len(recs))
		for n := range recs {
			names = append(names, n)
		}
		sort.Strings(names)
		for _, name := range names {
			rec := recs[name]
			t.Run(service+"/"+name, func(t *testing.T) {
				t.Parallel()
				sc := emulator.Base()
				ct := rec.ContentType
				if ct == "" {
					ct = "application/json; charset=utf-8"
				}
				sc.Faults = map[string]emulator.Fault{rec.Live: {Status: rec.LiveStatus, ContentType: ct, Body: rec.Body}}
				rep, _ := runScenario(t, sc, 30*time.Second)
				id := "entra-exchange"
				if service == "arm" {
					id = "arm-subscription"
				}
				r := rep.Find(id)
				if r == nil || r.Status != diag.StatusFail {
					t.Fatalf("%s did not fail:\n%s", id, dump(rep))
				}
				want := rec.Expect.Cause
				if rec.LiveStatus == 429 || rec.LiveStatus >= 500 {
					want = diag.CauseServiceFault
				}
				if r.Cause != want || r.ErrorCode != rec.Expect.Code {
					t.Errorf("%s: cause %q code %q, want %q %q: %s", id, r.Cause, r.ErrorCode, want, rec.Expect.Code, r.Summary)
				}
				text := resultText(*r)
				for k, v := range rec.Expect.Fields {
					if !strings.Contains(text, v) {
						t.Errorf("%s does not show %s %q:\n%s", id, k, v, text)
					}
				}
				if service == "arm" {
					for _, k := range []string{"correlation id", "request id"} {
						if !hasFact(*r, k) {
							t.Errorf("%s lacks the %s fact", id, k)
						}
					}
				}
			})
		}
	}
}

func hasFact(r diag.Result, key string) bool {
	for _, f := range r.Facts {
		if f.Key == key && f.Value != "" {
			return true
		}
	}
	return false
}
