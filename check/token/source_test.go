package token

import (
	"encoding/base64"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/oidc-doctor/oidc-doctor/check/diag"
)

func envOf(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestResolveToken(t *testing.T) {
	tok := mint(t, nil)
	other := mint(t, func(c map[string]any, _ map[string]any) { c["runId"] = "01OTHER" })
	// A token whose JSON is written with spaces, `{ "alg": ... }` (base64
	// "eyAi..."), as some issuers do, with tok's signature.
	enc := base64.RawURLEncoding
	spaced := enc.EncodeToString([]byte(`{ "alg": "RS256", "typ": "JWT" }`)) + "." +
		enc.EncodeToString([]byte(`{ "iss": "https://demo.app.spacelift.io", "sub": "x" }`)) + tok[strings.LastIndexByte(tok, '.'):]
	dir := t.TempDir()
	write := func(name, v string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(v), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	good := write("good.jwt", tok+"\n")
	stale := write("stale.jwt", other)
	empty := write("empty.jwt", "  \n")
	missing := filepath.Join(dir, "missing.jwt")
	big := write("big.jwt", strings.Repeat("a", maxTokenBytes+10))
	tests := []struct {
		name       string
		tokenFile  string
		env        map[string]string
		wantStatus diag.Status
		wantUsed   string // Name of the chosen source, "" for none
		wantInSum  string
	}{
		{"token-file", good, nil, diag.StatusPass, "--token-file", "--token-file"},
		{"token-file missing never falls back", missing, map[string]string{"SPACELIFT_OIDC_TOKEN": tok}, diag.StatusFail, "", "does not exist"},
		{"spacelift env", "", map[string]string{"SPACELIFT_OIDC_TOKEN": tok}, diag.StatusPass, "SPACELIFT_OIDC_TOKEN", "SPACELIFT_OIDC_TOKEN"},
		{"arm value and file agree", "", map[string]string{"ARM_OIDC_TOKEN": tok, "ARM_OIDC_TOKEN_FILE_PATH": good}, diag.StatusPass, "ARM_OIDC_TOKEN", ""},
		{"arm value and file disagree", "", map[string]string{"ARM_OIDC_TOKEN": tok, "ARM_OIDC_TOKEN_FILE_PATH": stale}, diag.StatusFail, "ARM_OIDC_TOKEN", "disagree"},
		{"stale copy in workspace root", "", map[string]string{"SPACELIFT_OIDC_TOKEN": tok, "TF_VAR_spacelift_workspace_root": dir}, diag.StatusPass, "SPACELIFT_OIDC_TOKEN", ""},
		{"file path names a directory", "", map[string]string{"ARM_OIDC_TOKEN_FILE_PATH": dir}, diag.StatusFail, "ARM_OIDC_TOKEN_FILE_PATH", "directory"},
		{"empty file", empty, nil, diag.StatusFail, "--token-file", "empty"},
		{"huge file", big, nil, diag.StatusFail, "--token-file", "larger than"},
		{"nothing anywhere", "", nil, diag.StatusFail, "", "paid Spacelift accounts"},
		{"different token elsewhere warns", "", map[string]string{"SPACELIFT_OIDC_TOKEN": tok, "ARM_OIDC_TOKEN_FILE_PATH": stale}, diag.StatusWarn, "ARM_OIDC_TOKEN_FILE_PATH", "different token"},
		{"token given as the file path", "", map[string]string{"ARM_OIDC_TOKEN_FILE_PATH": tok}, diag.StatusFail, "ARM_OIDC_TOKEN_FILE_PATH", "is a token"},
		{"token given as --token-file", tok, nil, diag.StatusFail, "--token-file", "is a token"},
		{"token with a spaced header given as the file path", "", map[string]string{"ARM_OIDC_TOKEN_FILE_PATH": spaced}, diag.StatusFail, "ARM_OIDC_TOKEN_FILE_PATH", "is a token"},
		{"token with a spaced header given as --token-file", spaced, nil, diag.StatusFail, "--token-file", "is a token"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := Input{TokenFile: tt.tokenFile, Getenv: envOf(tt.env), DefaultPath: filepath.Join(dir, "nope")}
			src, r, _ := resolveToken(t.Context(), cfg)
			if r.Status != tt.wantStatus {
				t.Errorf("status = %s, want %s (%s)", r.Status, tt.wantStatus, r.Summary)
			}
			got := ""
			if src != nil {
				got = src.Name
			}
			if got != tt.wantUsed {
				t.Errorf("used = %q, want %q", got, tt.wantUsed)
			}
			if !strings.Contains(r.Summary+r.Hint, tt.wantInSum) {
				t.Errorf("summary+hint %q lacks %q", r.Summary+" / "+r.Hint, tt.wantInSum)
			}
			sig := tok[strings.LastIndexByte(tok, '.')+1:]
			for _, f := range r.Facts {
				if strings.Contains(f.Value, "eyJ") || strings.Contains(f.Value, "eyAi") || strings.Contains(f.Value, sig[:40]) {
					t.Errorf("diag.F %s holds a token", f.Key)
				}
			}
			if strings.Contains(r.Summary+r.Hint, "eyJ") || strings.Contains(r.Summary+r.Hint, sig[:40]) {
				t.Errorf("summary or hint holds a token: %q", r.Summary+" / "+r.Hint)
			}
		})
	}
}

func TestStaleWorkspaceCopyWarns(t *testing.T) {
	tok := mint(t, nil)
	other := mint(t, func(c map[string]any, _ map[string]any) { c["runId"] = "01OTHER" })
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "spacelift.oidc"), []byte(other), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg := Input{Getenv: envOf(map[string]string{"SPACELIFT_OIDC_TOKEN": tok, "TF_VAR_spacelift_workspace_root": dir}), DefaultPath: filepath.Join(dir, "nope")}
	_, r, _ := resolveToken(t.Context(), cfg)
	if r.Status != diag.StatusWarn || !strings.Contains(r.Summary, "different token") {
		t.Fatalf("got %s %q, want a warning about the different token", r.Status, r.Summary)
	}
}

func TestJudgeFormat(t *testing.T) {
	tok := mint(t, nil)
	parts := strings.Split(tok, ".")
	tests := []struct {
		name, value string
		want        diag.Status
		wantInSum   string
	}{
		{"good", tok, diag.StatusPass, "three parts"},
		{"quoted", `"` + tok + `"`, diag.StatusFail, "quotes"},
		{"bearer", "Bearer " + tok, diag.StatusFail, "Bearer"},
		{"two lines", tok + "\n" + tok, diag.StatusFail, "more than one line"},
		{"json file", `{"token":"x"}`, diag.StatusFail, "JSON document"},
		{"jwe", "eyJhbGciOiJSU0EtT0FFUCJ9.a.b.c.d", diag.StatusFail, "JWE"},
		{"opaque", "0123456789abcdef", diag.StatusFail, "not a JWT"},
		{"binary garbage", "\x00\x01\x02.\xff\xfe.\x03", diag.StatusFail, "base64url"},
		{"broken base64", parts[0] + ".%%%%." + parts[2], diag.StatusFail, "payload is not valid base64url"},
		{"payload not json", parts[0] + ".bm90IGpzb24." + parts[2], diag.StatusFail, "payload is not JSON"},
		{"exp as string", mint(t, func(c map[string]any, _ map[string]any) { c["exp"] = "tomorrow" }), diag.StatusFail, "exp is a string"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, r := judgeFormat(&source{Name: "--token-file", Value: tt.value})
			if r.Status != tt.want || !strings.Contains(r.Summary, tt.wantInSum) {
				t.Errorf("got %s %q, want %s containing %q", r.Status, r.Summary, tt.want, tt.wantInSum)
			}
			if strings.Contains(r.Summary+r.Hint, parts[2]) {
				t.Errorf("the result holds the token's signature")
			}
		})
	}
}

func TestDecodeUnverified(t *testing.T) {
	arr := mint(t, func(c map[string]any, h map[string]any) {
		c["aud"] = []string{"demo.app.spacelift.io"}
		c["custom"] = map[string]any{"a": 1}
		delete(h, "typ")
	})
	tok, err := DecodeUnverified(arr)
	if err != nil {
		t.Fatal(err)
	}
	if !tok.AudArray || tok.FirstAudience() != "demo.app.spacelift.io" {
		t.Errorf("aud = %v (array %v), want the one-element array", tok.Audience, tok.AudArray)
	}
	if tok.Typ != "" || tok.Alg != "RS256" || tok.Kid != "test-key-1" {
		t.Errorf("header = %q %q %q", tok.Alg, tok.Typ, tok.Kid)
	}
	if len(tok.Extra) != 1 || tok.Extra[0].Key != "custom" || tok.Extra[0].Value != `{"a":1}` {
		t.Errorf("extra claims = %v", tok.Extra)
	}
	if tok.Spacelift.RunID != "01JKZAHVAQHFM8CC3EA5HWRMP1" || tok.Expiry == nil || !tok.Expiry.Equal(testNow.Add(55*60e9)) {
		t.Errorf("claims = %+v exp %v", tok.Spacelift, tok.Expiry)
	}
}
