package report

import (
	"bufio"
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"flag"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/oidc-doctor/oidc-doctor/check/diag"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// fixtures lists the recorded reports in testdata, by name without ".json".
func fixtures(t testing.TB) []string {
	t.Helper()
	paths, err := filepath.Glob("testdata/*.json")
	if err != nil || len(paths) == 0 {
		t.Fatalf("no fixtures: %v", err)
	}
	var names []string
	for _, p := range paths {
		names = append(names, strings.TrimSuffix(filepath.Base(p), ".json"))
	}
	return names
}

func load(t testing.TB, name string) (diag.Report, Meta) {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", name+".json"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r, m, err := Decode(f)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return r, m
}

// golden compares got with testdata/file, or rewrites the file with -update.
func golden(t *testing.T, file string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", file)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./report -update to create it)", err)
	}
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		t.Errorf("%s mismatch (-want +got):\n%s", file, diff)
	}
}

type renderer func(w io.Writer, r diag.Report, m Meta) error

func plainText(w io.Writer, r diag.Report, m Meta) error { return Text(w, r, m, TextOptions{}) }

func TestGolden(t *testing.T) {
	formats := []struct {
		ext    string
		render renderer
	}{
		{"txt", plainText},
		{"md", Markdown},
		// The JSON golden is the fixture itself: decoding it and encoding
		// again must give the same bytes, so any schema drift shows here.
		{"json", JSON},
	}
	for _, name := range fixtures(t) {
		r, m := load(t, name)
		for _, f := range formats {
			t.Run(name+"."+f.ext, func(t *testing.T) {
				var buf bytes.Buffer
				if err := f.render(&buf, r, m); err != nil {
					t.Fatal(err)
				}
				if f.ext != "json" && bytes.Contains(buf.Bytes(), []byte("\x1b[")) {
					t.Error("output holds an ANSI escape code")
				}
				golden(t, name+"."+f.ext, buf.Bytes())
			})
		}
	}
}

func TestGoldenVerbose(t *testing.T) {
	r, m := load(t, "exchange-700213")
	var buf bytes.Buffer
	if err := Text(&buf, r, m, TextOptions{Verbose: true}); err != nil {
		t.Fatal(err)
	}
	golden(t, "exchange-700213.verbose.txt", buf.Bytes())
}

// TestGoldenColor pins the escape codes of the colour text format.
func TestGoldenColor(t *testing.T) {
	r, m := load(t, "aud-mismatch")
	var buf bytes.Buffer
	if err := Text(&buf, r, m, TextOptions{Color: true}); err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(buf.Bytes(), []byte("\x1b[33m! warn\x1b[0m")) {
		t.Error("colour output lacks the yellow warn")
	}
	golden(t, "aud-mismatch.color.txt", buf.Bytes())
}

func TestJSONShape(t *testing.T) {
	var buf bytes.Buffer
	if err := JSON(&buf, diag.Report{Results: []diag.Result{{ID: "x", Status: diag.StatusPass}}}, Meta{Tool: "oidc-doctor"}); err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(buf.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"environment", "checks"} {
		if _, ok := doc[k].([]any); !ok {
			t.Errorf("%s = %#v, want an array", k, doc[k])
		}
	}
	c := doc["checks"].([]any)[0].(map[string]any)
	for _, k := range []string{"facts", "fixes"} {
		if _, ok := c[k].([]any); !ok {
			t.Errorf("checks[0].%s = %#v, want an array", k, c[k])
		}
	}
	if doc["schema_version"] != "1" || doc["status"] != "pass" || doc["generated_at"] != "" {
		t.Errorf("top level = %v", doc)
	}
}

func TestDecodeRejects(t *testing.T) {
	for _, in := range []string{
		`{"schema_version":"2","checks":[]}`,
		`{"schema_version":"1","checks":[{"id":"x","status":"maybe"}]}`,
		`{"schema_version":"1","generated_at":"yesterday"}`,
		`not json`,
	} {
		if _, _, err := Decode(strings.NewReader(in)); err == nil {
			t.Errorf("Decode(%s) succeeded, want an error", in)
		}
	}
}

func TestMarkdownEscaping(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"a | b\nc", `a \| b\\nc`},
		{"--id <app-id>", `--id \<app-id\>`},
		{"run `az login` first", "run `az login` first"},
		{"[x](https://evil/)", `\[x\](` + "`https://evil/`" + `)`},
	} {
		if got := cell(tc.in); got != tc.want {
			t.Errorf("cell(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
	for _, tc := range []struct{ in, want string }{
		{"plain", "`plain`"},
		{"a`b", "``a`b``"},
		{"`x`", "`` `x` ``"},
	} {
		if got := codeSpan(tc.in); got != tc.want {
			t.Errorf("codeSpan(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
	if got := codeFence("x ```` y"); got != "`````" {
		t.Errorf("codeFence = %q", got)
	}
}

// mintJWT returns a fresh JWT-shaped token with a random signature, so no
// token is checked in.
func mintJWT(t testing.TB) (token, signature string) {
	t.Helper()
	enc := base64.RawURLEncoding
	sig := make([]byte, 256)
	if _, err := rand.Read(sig); err != nil {
		t.Fatal(err)
	}
	signature = enc.EncodeToString(sig)
	return enc.EncodeToString([]byte(`{"alg":"RS256","typ":"JWT"}`)) + "." +
		enc.EncodeToString([]byte(`{"iss":"https://demo.app.spacelift.io","aud":"demo.app.spacelift.io"}`)) + "." +
		signature, signature
}

// TestNoSecretInAnyFormat plants a token in a fact, a hint, a fix and a
// summary and checks that no format prints it. It first renders without the
// backstop to prove the planted token would otherwise appear.
func TestNoSecretInAnyFormat(t *testing.T) {
	tok, sig := mintJWT(t)
	r, m := load(t, "exchange-700213")
	ex := r.Find("entra-exchange")
	ex.Facts = append(ex.Facts, diag.Fact{Key: "assertion", Value: tok})
	ex.Hint += " (token was " + tok + ")"
	ex.Fixes[0].Text += "# client_assertion=" + tok + "\n"
	r.Results[0].Summary = "read " + tok
	r.Environment = append(r.Environment, diag.Fact{Key: "auth header", Value: "Bearer " + tok})

	raw := map[string]func(io.Writer){
		"text":     func(w io.Writer) { textRaw(w, r, m, TextOptions{Verbose: true}) },
		"markdown": func(w io.Writer) { markdownRaw(w, r, m) },
		"json":     func(w io.Writer) { jsonRaw(w, r, m) },
	}
	for name, render := range raw {
		var buf bytes.Buffer
		bw := bufio.NewWriter(&buf)
		render(bw)
		bw.Flush()
		// JSON escapes nothing in a JWT, so the token is verbatim in all three.
		if n := strings.Count(buf.String(), tok); n < 5 {
			t.Errorf("%s without redaction prints the token %d times, want 5: the test plants nothing", name, n)
		}
	}

	for name, render := range map[string]func(io.Writer) error{
		"text":       func(w io.Writer) error { return Text(w, r, m, TextOptions{Verbose: true}) },
		"text color": func(w io.Writer) error { return Text(w, r, m, TextOptions{Color: true, Verbose: true}) },
		"markdown":   func(w io.Writer) error { return Markdown(w, r, m) },
		"json":       func(w io.Writer) error { return JSON(w, r, m) },
	} {
		var buf bytes.Buffer
		if err := render(&buf); err != nil {
			t.Fatal(err)
		}
		out := buf.String()
		for _, bad := range []string{tok, sig, sig[:16], "eyJ"} {
			if strings.Contains(out, bad) {
				t.Errorf("%s output contains %.20q…", name, bad)
			}
		}
		if strings.Count(out, "[REDACTED JWT sha256:") < 5 {
			t.Errorf("%s output has fewer than 5 masks:\n%s", name, out)
		}
		if name == "json" {
			if _, _, err := Decode(strings.NewReader(out)); err != nil {
				t.Errorf("redacted JSON no longer decodes: %v", err)
			}
		}
	}
}

type errWriter struct{}

func (errWriter) Write([]byte) (int, error) { return 0, os.ErrClosed }

func TestWriteError(t *testing.T) {
	r, m := load(t, "all-pass")
	for name, err := range map[string]error{
		"text":     Text(errWriter{}, r, m, TextOptions{}),
		"markdown": Markdown(errWriter{}, r, m),
		"json":     JSON(errWriter{}, r, m),
	} {
		if err == nil {
			t.Errorf("%s: no error from a failing writer", name)
		}
	}
}

func benchmark(b *testing.B, render renderer) {
	r, m := load(b, "exchange-700213")
	b.ReportAllocs()
	for b.Loop() {
		if err := render(io.Discard, r, m); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkText(b *testing.B)     { benchmark(b, plainText) }
func BenchmarkJSON(b *testing.B)     { benchmark(b, JSON) }
func BenchmarkMarkdown(b *testing.B) { benchmark(b, Markdown) }
