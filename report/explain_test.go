package report

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/oidc-doctor/oidc-doctor/check/explain"
)

var explainMeta = Meta{Tool: "oidc-doctor", Version: "v0.0.0-test", GoVersion: "go1.26.8", OS: "linux", Arch: "amd64",
	Generated: time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)}

// explainToken stands in for a decoded token in the "-token" scenarios.
var explainToken = &explain.Token{Issuer: "https://acme.app.spacelift.io", Audience: []string{"acme.app.spacelift.io"},
	Subject: "space:root:stack:infra:run_type:TRACKED:scope:write"}

// TestExplainGolden explains each testdata/explain/*.input paste (with the
// token when the name ends in "-token") and compares every format with its
// golden; go test ./report -update rewrites them.
func TestExplainGolden(t *testing.T) {
	inputs, err := filepath.Glob("testdata/explain/*.input")
	if err != nil || len(inputs) == 0 {
		t.Fatalf("no inputs: %v", err)
	}
	for _, in := range inputs {
		name := strings.TrimSuffix(filepath.Base(in), ".input")
		t.Run(name, func(t *testing.T) {
			text, err := os.ReadFile(in)
			if err != nil {
				t.Fatal(err)
			}
			var tok *explain.Token
			if strings.HasSuffix(name, "-token") {
				tok = explainToken
			}
			fs := explain.Read(string(text), tok)
			for _, r := range []struct {
				ext    string
				render func(*bytes.Buffer) error
			}{
				{"txt", func(b *bytes.Buffer) error { return ExplainText(b, fs, explainMeta, TextOptions{}) }},
				{"md", func(b *bytes.Buffer) error { return ExplainMarkdown(b, fs, explainMeta) }},
				{"json", func(b *bytes.Buffer) error { return ExplainJSON(b, fs, explainMeta) }},
			} {
				var b bytes.Buffer
				if err := r.render(&b); err != nil {
					t.Fatal(err)
				}
				golden(t, filepath.Join("explain", name+"."+r.ext), b.Bytes())
			}
		})
	}
}

func TestExplainJSONShape(t *testing.T) {
	var b bytes.Buffer
	if err := ExplainJSON(&b, explain.Read("AADSTS50027: JWT token is invalid or malformed.", nil), explainMeta); err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(b.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	f := doc["findings"].([]any)[0].(map[string]any)
	if _, ok := f["fields"].(map[string]any); !ok {
		t.Errorf("fields is not an object: %v", f["fields"])
	}
	for _, k := range []string{"comparison", "fixes"} {
		if _, ok := f[k].([]any); !ok {
			t.Errorf("%s is not an array: %v", k, f[k])
		}
	}
	b.Reset()
	if err := ExplainJSON(&b, explain.Explanation{}, explainMeta); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), `"findings": []`) || doc["schema_version"] != "1" {
		t.Errorf("empty document:\n%s", b.String())
	}
}

func TestExplainNoJWTInOutput(t *testing.T) {
	jwt := "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJlc2lnbmF0dXJl"
	fs := explain.Read("AADSTS700213: presented assertion subject '"+jwt+"'. assertion="+jwt, nil)
	for _, render := range []func(*bytes.Buffer) error{
		func(b *bytes.Buffer) error { return ExplainText(b, fs, explainMeta, TextOptions{Verbose: true}) },
		func(b *bytes.Buffer) error { return ExplainMarkdown(b, fs, explainMeta) },
		func(b *bytes.Buffer) error { return ExplainJSON(b, fs, explainMeta) },
	} {
		var b bytes.Buffer
		if err := render(&b); err != nil {
			t.Fatal(err)
		}
		if strings.Contains(b.String(), "eyJ") {
			t.Errorf("JWT in output:\n%s", b.String())
		}
	}
}

// TestExplainLimits: what explain did not list, and where it cut the
// input, reaches every format.
func TestExplainLimits(t *testing.T) {
	ex := explain.Read("AADSTS50027: JWT token is invalid or malformed.", nil)
	ex.Omitted = explain.Omitted{Occurrences: 1234, Codes: 10000, CodesAtLeast: true}
	ex.CutAt = 32 << 20
	var txt, md, js bytes.Buffer
	if err := ExplainText(&txt, ex, explainMeta, TextOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := ExplainMarkdown(&md, ex, explainMeta); err != nil {
		t.Fatal(err)
	}
	if err := ExplainJSON(&js, ex, explainMeta); err != nil {
		t.Fatal(err)
	}
	for _, out := range []string{txt.String(), md.String()} {
		if !strings.Contains(out, "1234 more occurrences of at least 10000 codes not listed") || !strings.Contains(out, "the input was cut at byte 33554432 (32 MiB)") {
			t.Errorf("limits missing:\n%s", out)
		}
	}
	var doc ExplainDocument
	if err := json.Unmarshal(js.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Omitted != (ExplainOmitted{Occurrences: 1234, Codes: 10000, CodesAtLeast: true}) || doc.InputCutAt != 32<<20 || doc.Findings[0].Occurrences != 1 {
		t.Errorf("json: %+v", doc)
	}
}
