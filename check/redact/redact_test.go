package redact

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"regexp"
	"strings"
	"testing"
)

// mintJWT returns a freshly made JWT-shaped string: a JSON header and
// payload and a random 256-byte signature, so no fixture token is checked in.
func mintJWT(t testing.TB) string {
	t.Helper()
	return mintJWTWithHeader(t, `{"alg":"RS256","typ":"JWT","kid":"k1"}`)
}

// mintJWTWithHeader is mintJWT with the given JSON header.
func mintJWTWithHeader(t testing.TB, header string) string {
	t.Helper()
	enc := base64.RawURLEncoding
	sig := make([]byte, 256)
	if _, err := rand.Read(sig); err != nil {
		t.Fatal(err)
	}
	return enc.EncodeToString([]byte(header)) + "." +
		enc.EncodeToString([]byte(`{"iss":"https://demo.app.spacelift.io","sub":"space:root:stack:infra:run_type:TRACKED:scope:write","aud":"demo.app.spacelift.io","exp":1767225600}`)) + "." +
		enc.EncodeToString(sig)
}

func TestStringKeepsReadableText(t *testing.T) {
	for _, s := range []string{
		"",
		"issuer: https://demo.app.spacelift.io",
		"demo.app.spacelift.io",
		"tenant: 72f988bf-86f1-41af-91ab-2d7cd011db47",
		"https://login.microsoftonline.com/72f988bf-86f1-41af-91ab-2d7cd011db47/oauth2/v2.0/token",
		"https://management.azure.com/subscriptions/0b1f6471-1bf0-4dda-aec3-111122223333/providers/Microsoft.Authorization/roleAssignments?api-version=2022-04-01",
		"oidc-doctor v1.2.3 (go1.26.8 linux/amd64)",
		"AADSTS700213: No matching federated identity record found",
		"the federated credential expects api://AzureADTokenExchange",
		"use Bearer authentication with the access token",
		"client_assertion_type=urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
		"access_token: missing",
		"token: read from /mnt/workspace/spacelift.oidc (1024 bytes)",
		"sha256:1a2b3c4d",
		"HTTPS_PROXY=http://proxy.corp.example:3128",
		"keyJ eyJ eyJab",
		"az ad app federated-credential list --id 11111111-2222-3333-4444-555555555555",
		"✓ pass  token-read  read the OIDC token",
	} {
		if got := String(s); got != s {
			t.Errorf("String(%q) = %q, want it unchanged", s, got)
		}
	}
}

func TestStringMasks(t *testing.T) {
	jwt := mintJWT(t)
	parts := strings.Split(jwt, ".")
	jwtMask := mask(jwt)
	if !regexp.MustCompile(`^\[REDACTED JWT sha256:[0-9a-f]{8}\]$`).MatchString(jwtMask) {
		t.Fatalf("mask(jwt) = %q", jwtMask)
	}
	opaque := "0.AXoAv4j5cvGGr0GRqy180BHbR1x1rVc2p3xoQ~zz-Y_Q"
	spaced := mintJWTWithHeader(t, `{ "alg": "RS256", "typ": "JWT" }`)
	newline := mintJWTWithHeader(t, "{\n  \"alg\": \"RS256\"\n}")
	for _, tc := range []struct {
		name, in, want string
	}{
		{"jws", jwt, jwtMask},
		{"jws in sentence", "token " + jwt + ". next", "token " + jwtMask + ". next"},
		{"jws in json", `{"token":"` + jwt + `"}`, `{"token":"` + jwtMask + `"}`},
		{"jws in escaped json", `{\"token\":\"` + jwt + `\"}`, `{\"token\":\"` + jwtMask + `\"}`},
		{"jws after ansi", "\x1b[1m" + jwt + "\x1b[0m", "\x1b[1m" + jwtMask + "\x1b[0m"},
		{"jws glued to word", "tok" + jwt, "tok" + jwtMask},
		{"unsigned", parts[0] + "." + parts[1] + ".", mask(parts[0] + "." + parts[1] + ".")},
		{"header only", parts[0], mask(parts[0])},
		{"header dot payload", parts[0] + "." + parts[1], mask(parts[0] + "." + parts[1])},
		{"jwe", parts[0] + ".a1b2.c3d4." + parts[2] + ".tag0", mask(parts[0] + ".a1b2.c3d4." + parts[2] + ".tag0")},
		{"jwe empty key", parts[0] + "..iv00.ct00.tag0", mask(parts[0] + "..iv00.ct00.tag0")},
		{"two tokens", jwt + " " + jwt, jwtMask + " " + jwtMask},
		{"bearer jwt", "Authorization: Bearer " + jwt, "Authorization: Bearer " + jwtMask},
		{"bearer opaque", "authorization: bearer " + opaque, "authorization: bearer " + mask(opaque)},
		{"access_token json", `{"token_type":"Bearer","access_token":"` + opaque + `"}`, `{"token_type":"Bearer","access_token":"` + mask(opaque) + `"}`},
		{"access_token spaced json", `"access_token": "` + opaque + `"`, `"access_token": "` + mask(opaque) + `"`},
		{"ACCESS_TOKEN env", "ACCESS_TOKEN=" + opaque, "ACCESS_TOKEN=" + mask(opaque)},
		{"client_assertion form", "grant_type=client_credentials&client_assertion=" + jwt + "&client_assertion_type=urn:x", "grant_type=client_credentials&client_assertion=" + jwtMask + "&client_assertion_type=urn:x"},
		{"client_secret", "client_secret=" + opaque + "&scope=x", "client_secret=" + mask(opaque) + "&scope=x"},
		{"proxy password", "HTTPS_PROXY=http://alice:s3cr3t-pw@proxy:3128", "HTTPS_PROXY=http://alice:" + mask("s3cr3t-pw") + "@proxy:3128"},
		{"lower-cased", "ARM_USE_OIDC: " + strings.ToLower(jwt), "ARM_USE_OIDC: " + mask(strings.ToLower(jwt))},
		{"upper-cased", "value " + strings.ToUpper(jwt) + " end", "value " + mask(strings.ToUpper(jwt)) + " end"},
		{"spaced header", "token " + spaced + ".", "token " + mask(spaced) + "."},
		{"spaced header as a path", spaced, mask(spaced)},
		{"pretty header", newline, mask(newline)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := String(tc.in)
			if got != tc.want {
				t.Errorf("String(%q)\n got %q\nwant %q", tc.in, got, tc.want)
			}
			if again := String(got); again != got {
				t.Errorf("String is not idempotent: %q -> %q", got, again)
			}
		})
	}
}

func TestMaskFingerprintIsStable(t *testing.T) {
	jwt := mintJWT(t)
	if mask(jwt) != mask(jwt) || mask(jwt) == mask(mintJWT(t)) {
		t.Error("the same token must get the same mask and different tokens different masks")
	}
}

// TestWriterSplits writes a report holding a token split at every byte
// boundary and checks the output equals String of the whole.
func TestWriterSplits(t *testing.T) {
	jwt := mintJWT(t)
	in := "header\nfact: " + jwt + "\nAuthorization: Bearer 0.AXoAv4j5cvGGr0GRqy180B\ntail " + jwt
	want := String(in)
	for i := 0; i <= len(in); i++ {
		for _, j := range []int{i, (i + len(in)) / 2, len(in)} {
			var out bytes.Buffer
			w := NewWriter(&out)
			for _, chunk := range []string{in[:i], in[i:j], in[j:]} {
				if n, err := w.Write([]byte(chunk)); n != len(chunk) || err != nil {
					t.Fatalf("Write = %d, %v", n, err)
				}
			}
			if err := w.Close(); err != nil {
				t.Fatal(err)
			}
			if out.String() != want {
				t.Fatalf("split at %d,%d:\n got %q\nwant %q", i, j, out.String(), want)
			}
		}
	}
}

func TestWriterLongLine(t *testing.T) {
	jwt := mintJWT(t)
	filler := strings.Repeat("word ", maxPending/5+10)
	in := filler + "Bearer " + jwt + " " + filler + jwt
	var out bytes.Buffer
	w := NewWriter(&out)
	for i := 0; i < len(in); i += 1000 {
		w.Write([]byte(in[i:min(i+1000, len(in))]))
	}
	w.Close()
	if got := out.String(); got != String(in) || strings.Contains(got, "eyJ") {
		t.Errorf("long line not masked like String: eyJ present = %v", strings.Contains(got, "eyJ"))
	}
}

type failWriter struct{}

func (failWriter) Write(p []byte) (int, error) { return 0, errFail }

var errFail = bytes.ErrTooLarge

func TestWriterError(t *testing.T) {
	w := NewWriter(failWriter{})
	if _, err := w.Write([]byte("line\n")); err != errFail {
		t.Errorf("Write err = %v, want %v", err, errFail)
	}
	if err := w.Close(); err != errFail {
		t.Errorf("Close err = %v, want %v", err, errFail)
	}
}

func TestRedactor(t *testing.T) {
	const (
		tenant = "72f988bf-86f1-41af-91ab-2d7cd011db47"
		sub    = "0b1f6471-1bf0-4dda-aec3-111122223333"
		client = "11111111-2222-3333-4444-555555555555"
		other  = "99999999-8888-7777-6666-555555555555"
	)
	r := NewRedactor()
	for _, tc := range []struct{ kind, value, want string }{
		{"tenant", tenant, "tenant-1"},
		{"subscription", sub, "subscription-1"},
		{"client", client, "client-1"},
		{"tenant", strings.ToUpper(tenant), "tenant-1"},
		{"client", tenant, "tenant-1"},
		{"account", "demo.app.spacelift.io", "account-1.app.spacelift.io"},
		{"account", "demo", "account-1"},
		{"account", "acme.app.spacelift.io", "account-2.app.spacelift.io"},
		{"object", "", ""},
	} {
		if got := r.ID(tc.kind, tc.value); got != tc.want {
			t.Errorf("ID(%q, %q) = %q, want %q", tc.kind, tc.value, got, tc.want)
		}
	}
	in := "https://login.microsoftonline.com/" + strings.ToUpper(tenant) + "/v2.0 iss=https://demo.app.spacelift.io " +
		"scope=/subscriptions/" + sub + " app " + client + " unknown " + other + " again " + other +
		" other account https://beta.app.us.spacelift.io v1.2.3"
	want := "https://login.microsoftonline.com/tenant-1/v2.0 iss=https://account-1.app.spacelift.io " +
		"scope=/subscriptions/subscription-1 app client-1 unknown guid-1 again guid-1" +
		" other account https://account-3.app.us.spacelift.io v1.2.3"
	if got := r.Text(in); got != want {
		t.Errorf("Text:\n got %q\nwant %q", got, want)
	}
	if got := r.ID("object", other); got != "guid-1" {
		t.Errorf("a GUID first seen in text keeps its mask; got %q", got)
	}
}

// TestRedactorWholeValues: a value is masked where it stands alone, never
// inside another value; space and stack ids stay readable even when they
// contain the account's name.
func TestRedactorWholeValues(t *testing.T) {
	r := NewRedactor()
	r.ID("tenant", "contoso.onmicrosoft.com")
	if got := r.ID("account", "infra"); got != "account-1" {
		t.Fatalf("account mask %q", got)
	}
	for in, want := range map[string]string{
		"tenant CONTOSO.onmicrosoft.com.":                                      "tenant tenant-1.",
		"tenant contoso.onmicrosoft.com.example":                               "tenant contoso.onmicrosoft.com.example",
		"stack azure-infra in space infra-01HND497T9JKR76MR3KA2CDJHP":          "stack azure-infra in space infra-01HND497T9JKR76MR3KA2CDJHP",
		"space:root:stack:infra:run_type:TRACKED:scope:write":                  "space:root:stack:infra:run_type:TRACKED:scope:write",
		"iss https://infra.app.spacelift.io and aud infra.app.us.spacelift.io": "iss https://account-1.app.spacelift.io and aud account-1.app.us.spacelift.io",
	} {
		if got := r.Text(in); got != want {
			t.Errorf("Text(%q)\n got %q\nwant %q", in, got, want)
		}
	}
	if got := r.Value("infra"); got != "account-1" {
		t.Errorf("a whole fact value is masked: %q", got)
	}
}

var benchSink []byte

// benchReport is about 1 MB of report text with a token every 100 lines.
func benchReport(b *testing.B) []byte {
	jwt := mintJWT(b)
	var buf bytes.Buffer
	for i := 0; buf.Len() < 1<<20; i++ {
		buf.WriteString("✓ pass  claim-aud       the token's audience is demo.app.spacelift.io\n")
		buf.WriteString("        issuer:   https://demo.app.spacelift.io\n")
		buf.WriteString("        tenant:   72f988bf-86f1-41af-91ab-2d7cd011db47\n")
		if i%100 == 0 {
			buf.WriteString("        token:    " + jwt + "\n")
		}
	}
	return buf.Bytes()
}

func BenchmarkWriter(b *testing.B) {
	in := benchReport(b)
	var out bytes.Buffer
	b.SetBytes(int64(len(in)))
	b.ReportAllocs()
	for b.Loop() {
		out.Reset()
		w := NewWriter(&out)
		for i := 0; i < len(in); i += 4096 {
			w.Write(in[i:min(i+4096, len(in))])
		}
		w.Close()
	}
	benchSink = out.Bytes()
}

func BenchmarkString(b *testing.B) {
	in := string(benchReport(b))
	b.SetBytes(int64(len(in)))
	b.ReportAllocs()
	for b.Loop() {
		benchSink = []byte(String(in)[:1])
	}
}
