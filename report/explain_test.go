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
			fs := explain.Paste(string(text), tok)
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
	if err := ExplainJSON(&b, explain.Paste("AADSTS50027: JWT token is invalid or malformed.", nil), explainMeta); err != nil {
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
	if err := ExplainJSON(&b, nil, explainMeta); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), `"findings": []`) || doc["schema_version"] != "1" {
		t.Errorf("empty document:\n%s", b.String())
	}
}

func TestExplainNoJWTInOutput(t *testing.T) {
	jwt := "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJlc2lnbmF0dXJl"
	fs := explain.Paste("AADSTS700213: presented assertion subject '"+jwt+"'. assertion="+jwt, nil)
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
