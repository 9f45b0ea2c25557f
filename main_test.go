package main

import (
	"crypto/rand"
	"crypto/rsa"
	"flag"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
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
		{"output to an unwritable path", []string{"--offline", "--fail-on", "never", "--token-file", dir + "/missing", "--output", dir + "/no/such/dir/r.txt"}, nil, 1},
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
