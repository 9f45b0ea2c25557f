package main

import (
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/oidc-doctor/oidc-doctor/check/emulator"
	"github.com/rogpeppe/go-internal/testscript"
)

var update = flag.Bool("update", false, "rewrite the cmp sections of testdata/script/*.txtar")

func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"oidc-doctor": main,
	})
}

func TestScripts(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir:           "testdata/script",
		UpdateScripts: *update,
		Cmds:          map[string]func(*testscript.TestScript, bool, []string){"mint-token": mintToken},
		Setup: func(e *testscript.Env) error {
			// A clean environment: no Spacelift or Azure settings leak in.
			e.Setenv("NO_COLOR", "")
			e.Setenv("HOME", e.WorkDir)
			return nil
		},
	})
}

var mintKey *rsa.PrivateKey

// mintToken writes a Spacelift-shaped RS256 token to a file:
//
//	mint-token FILE [claim=value ...] [expired] [raw-prefix=TEXT]
//
// A value that parses as an integer offset like exp=+10m is relative to now.
// "claim=" deletes the claim. The token never appears in the script's output.
func mintToken(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 1 {
		ts.Fatalf("usage: mint-token FILE [claim=value ...]")
	}
	if mintKey == nil {
		k, err := rsa.GenerateKey(rand.Reader, 2048)
		ts.Check(err)
		mintKey = k
	}
	now := time.Now()
	c := jwt.MapClaims{
		"iss": "https://demo.app.spacelift.io", "aud": "demo.app.spacelift.io",
		"sub": "space:root:stack:azure-infra:run_type:TRACKED:scope:write",
		"iat": now.Unix(), "nbf": now.Unix(), "exp": now.Add(time.Hour).Unix(), "jti": "test-jti",
		"spaceId": "root", "callerType": "stack", "callerId": "azure-infra",
		"runType": "TRACKED", "runId": "01JKZAHVAQHFM8CC3EA5HWRMP1", "scope": "write",
	}
	prefix := ""
	for _, a := range args[1:] {
		k, v, _ := strings.Cut(a, "=")
		switch {
		case k == "raw-prefix":
			prefix = v
		case v == "":
			delete(c, k)
		case (k == "exp" || k == "iat" || k == "nbf") && (v[0] == '+' || v[0] == '-'):
			d, err := time.ParseDuration(v)
			ts.Check(err)
			c[k] = now.Add(d).Unix()
		default:
			if n, err := strconv.ParseInt(v, 10, 64); err == nil {
				c[k] = n
			} else {
				c[k] = v
			}
		}
	}
	tok := jwt.NewWithClaims(jwt.SigningMethodRS256, c)
	tok.Header["kid"] = "script-key"
	s, err := tok.SignedString(mintKey)
	ts.Check(err)
	ts.Check(os.WriteFile(ts.MkAbs(args[0]), []byte(prefix+s+"\n"), 0o600))
}

func TestRunExitCodes(t *testing.T) {
	dir := t.TempDir()
	env := func(m map[string]string) func(string) string { return func(k string) string { return m[k] } }
	tests := []struct {
		name string
		args []string
		env  map[string]string
		want int
	}{
		{"help", []string{"--help"}, nil, 0},
		{"version", []string{"--version"}, nil, 0},
		{"bad flag", []string{"--nope"}, nil, 2},
		{"bad format", []string{"--format", "xml"}, nil, 2},
		{"stray argument", []string{"extra"}, nil, 2},
		{"no token is a failed check", []string{"--offline", "--token-file", dir + "/missing"}, nil, 3},
		{"unknown demo scenario", []string{"demo", "no-such-scenario"}, nil, 2},
		{"explain nothing recognised", []string{"explain", dir + "/missing-file"}, nil, 2},
		{"explain with no code in its input", []string{"explain", "-"}, nil, 3},
		{"explain with an unreadable --token-file", []string{"explain", "--token-file", dir + "/missing", "-"}, nil, 2},
		{"output to an unwritable path", []string{"--offline", "--fail-on", "never", "--token-file", dir + "/missing", "--output", dir + "/no/such/dir/r.txt"}, nil, 1},
		{"--dir that does not exist", []string{"--offline", "--dir", dir + "/no-such-dir"}, nil, 2},
		{"--dir that is a file", []string{"--offline", "--dir", "main.go"}, nil, 2},
		{"--dir with demo", []string{"demo", "--dir", dir}, nil, 2},
		{"a state backend that never answers is inconclusive", []string{"demo", "backend-blob-hang", "--timeout", "4s"}, nil, 4},
		{"a working state backend passes", []string{"demo", "backend-ok"}, nil, 0},
		{"a missing data role is a failed check", []string{"demo", "backend-no-data-role"}, nil, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out, errb strings.Builder
			got := run(t.Context(), tt.args, strings.NewReader(""), &out, &errb, env(tt.env))
			if got != tt.want {
				t.Errorf("exit = %d, want %d\nstdout: %s\nstderr: %s", got, tt.want, out.String(), errb.String())
			}
		})
	}
}

// TestNoTokenInAnyOutput renders every emulator scenario in every format, and
// error paths built to carry the token, and asserts that no JWT appears.
func TestNoTokenInAnyOutput(t *testing.T) {
	env := func(k string) string { return "" }
	check := func(t *testing.T, what, s string) {
		t.Helper()
		if strings.Contains(s, "eyJ") {
			i := strings.Index(s, "eyJ")
			t.Errorf("%s holds a JWT near: %q", what, s[max(0, i-60):min(len(s), i+40)])
		}
	}
	for _, sc := range emulator.Scenarios() {
		for _, format := range []string{"text", "json", "markdown"} {
			t.Run(sc.Name+"/"+format, func(t *testing.T) {
				t.Parallel()
				var out, errb strings.Builder
				args := []string{"demo", sc.Name, "--format", format, "--timeout", "2s", "--color", "always"}
				run(t.Context(), args, strings.NewReader(""), &out, &errb, env)
				check(t, "stdout", out.String())
				check(t, "stderr", errb.String())
				if out.Len() == 0 {
					t.Errorf("no report")
				}
			})
		}
	}
	// Error paths: a token pushed into flag values, file names and pastes.
	tok := mintForTest(t)
	dir := t.TempDir()
	paste := dir + "/paste.txt"
	if err := os.WriteFile(paste, []byte("AADSTS700213: No matching federated identity record found for presented assertion subject '"+tok+"'. client_assertion="+tok+"\nAuthorization: Bearer "+tok+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	tokFile := dir + "/" + tok[:40]
	if err := os.WriteFile(tokFile, []byte(`"`+tok+`"`), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{
		{"--format", tok},
		{"--token-file", dir + "/" + tok},
		{"--offline", "--token-file", tokFile},
		{"explain", paste},
		{"explain", "--format", "json", paste},
		{"explain", "--format", "markdown", paste},
		{"demo", tok},
		{"subjects", "--token-file", tok},
	} {
		var out, errb strings.Builder
		run(t.Context(), args, strings.NewReader(""), &out, &errb, env)
		check(t, fmt.Sprintf("stdout of %q", args[0]), out.String())
		check(t, fmt.Sprintf("stderr of %q", args[0]), errb.String())
		if out.Len()+errb.Len() == 0 {
			t.Errorf("%v printed nothing", args[:1])
		}
	}
}

// TestNoTokenInAnyOutputShapes puts a token where the review found it
// slipping past the mask, in the shapes a reader sees it, and renders each
// case in every format: a paste with the token wrapped in │ borders, split
// by a space or a tab, or lower-cased; the token folded into environment
// values; ARM_USE_OIDC holding it; a token with a spaced JSON header given
// as a file path. No 40-character piece of the signature, in any letter
// case, may survive, even with the separators between pieces taken out.
func TestNoTokenInAnyOutputShapes(t *testing.T) {
	tok := mintForTest(t)
	sig := tok[strings.LastIndexByte(tok, '.')+1:]
	enc := base64.RawURLEncoding
	spaced := enc.EncodeToString([]byte(`{ "alg": "RS256", "typ": "JWT" }`)) + "." +
		enc.EncodeToString([]byte(`{ "iss": "https://demo.app.spacelift.io", "sub": "x" }`)) + "." + sig
	wrap := func(s string, width int, line func(string) string) string {
		var b strings.Builder
		for ; len(s) > width; s = s[width:] {
			b.WriteString(line(s[:width]))
		}
		return b.String() + line(s)
	}
	folded := wrap(tok, 64, func(p string) string { return p + "\n" })
	folded = strings.TrimSuffix(folded, "\n")
	dir := t.TempDir()
	good := filepath.Join(dir, "good.jwt")
	if err := os.WriteFile(good, []byte(tok), 0o600); err != nil {
		t.Fatal(err)
	}
	// Each paste quotes the token in an AADSTS message, which explain
	// prints (fields, message) in every format.
	const msg = "AADSTS700213: No matching federated identity record found for presented assertion subject '"
	pastes := map[string]string{
		"boxed":       wrap(msg+tok+"'.", 76, func(p string) string { return "│ " + p + "\n" }),
		"space":       msg + tok[:len(tok)-100] + " " + tok[len(tok)-100:] + "'.\n",
		"tab":         msg + tok[:len(tok)-150] + "\t" + tok[len(tok)-150:] + "'.\n",
		"line break":  msg + tok[:len(tok)-120] + "\n" + tok[len(tok)-120:] + "'.\n",
		"lower-cased": msg + strings.ToLower(tok) + "'.\n",
		"upper-cased": msg + strings.ToUpper(tok) + "'.\n",
		"spaced":      msg + spaced + "'.\n",
	}
	type tcase struct {
		args []string
		env  map[string]string
	}
	cases := map[string]tcase{
		"ARM_USE_OIDC":       {[]string{"--offline", "--verbose", "--token-file", good}, map[string]string{"ARM_USE_OIDC": tok}},
		"ARM_USE_OIDC lower": {[]string{"--offline", "--verbose", "--token-file", good}, map[string]string{"ARM_USE_OIDC": strings.ToLower(tok)}},
		"spaced path":        {[]string{"--offline", "--verbose", "--token-file", spaced}, nil},
		"spaced path in env": {[]string{"--offline", "--verbose"}, map[string]string{"ARM_OIDC_TOKEN_FILE_PATH": spaced}},
		"spaced subjects":    {[]string{"subjects", "--token-file", spaced}, nil},
		"spaced explain":     {[]string{"explain", "--token-file", spaced, "-"}, nil},
	}
	for _, k := range []string{"ARM_CLIENT_ID", "ARM_TENANT_ID", "TF_VAR_spacelift_run_id", "TF_VAR_spacelift_stack_id", "HTTPS_PROXY", "NO_PROXY"} {
		cases["folded "+k] = tcase{[]string{"--offline", "--verbose", "--token-file", good}, map[string]string{k: folded}}
	}
	for name, p := range pastes {
		f := filepath.Join(dir, strings.ReplaceAll(name, " ", "-")+".txt")
		if err := os.WriteFile(f, []byte(p), 0o600); err != nil {
			t.Fatal(err)
		}
		cases["paste "+name] = tcase{[]string{"explain", "--verbose", f}, nil}
	}
	squeeze := strings.NewReplacer("│", " ", "\t", " ", "\n", " ", "\r", " ", `\n`, " ", `\t`, " ", `\\n`, " ")
	for name, tc := range cases {
		for _, format := range []string{"text", "json", "markdown"} {
			var out, errb strings.Builder
			args := append(append([]string{}, tc.args...), "--format", format, "--color", "always")
			run(t.Context(), args, strings.NewReader(""), &out, &errb, func(k string) string { return tc.env[k] })
			all := out.String() + errb.String()
			if out.Len() == 0 && errb.Len() == 0 {
				t.Errorf("%s/%s printed nothing", name, format)
			}
			for _, s := range []string{all, squeeze.Replace(all)} {
				for _, piece := range []string{sig, strings.ToLower(sig), strings.ToUpper(sig)} {
					for i := 0; i+40 <= len(piece); i += 8 {
						if strings.Contains(s, piece[i:i+40]) {
							t.Errorf("%s/%s holds %q of the signature", name, format, piece[i:i+40])
							break
						}
					}
				}
			}
			if strings.Contains(all, "eyJ") || strings.Contains(all, "eyAi") {
				t.Errorf("%s/%s holds a token header:\n%s", name, format, all)
			}
		}
	}
}

func mintForTest(t *testing.T) string {
	t.Helper()
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	s, err := jwt.NewWithClaims(jwt.SigningMethodRS256, jwt.MapClaims{"iss": "https://demo.app.spacelift.io", "sub": "x"}).SignedString(k)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestSubjectsStackAndModuleIsUsageError(t *testing.T) {
	var out, errb strings.Builder
	got := run(t.Context(), []string{"subjects", "--space", "s", "--stack", "a", "--module", "b", "--account", "x.app.spacelift.io"}, strings.NewReader(""), &out, &errb, func(string) string { return "" })
	if got != 2 || !strings.Contains(errb.String(), "--stack and --module") {
		t.Errorf("exit %d, stderr %q", got, errb.String())
	}
}

// TestGeneratedNotBeforeStarted: the JSON document is written after the
// diagnosis began, never before it.
func TestGeneratedNotBeforeStarted(t *testing.T) {
	var out, errb strings.Builder
	run(t.Context(), []string{"demo", "ok", "--format", "json"}, strings.NewReader(""), &out, &errb, func(string) string { return "" })
	var d struct {
		GeneratedAt time.Time `json:"generated_at"`
		StartedAt   time.Time `json:"started_at"`
	}
	if err := json.Unmarshal([]byte(out.String()), &d); err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	if d.StartedAt.IsZero() || d.GeneratedAt.Before(d.StartedAt) {
		t.Errorf("generated_at %s is before started_at %s", d.GeneratedAt, d.StartedAt)
	}
}
