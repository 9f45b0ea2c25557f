package issuer

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/oidc-doctor/oidc-doctor/check/diag"
	"github.com/oidc-doctor/oidc-doctor/check/emulator"
)

var (
	issuerKeyOnce sync.Once
	issuerKey     *rsa.PrivateKey
)

func issuerTestKey(t *testing.T) *rsa.PrivateKey {
	t.Helper()
	issuerKeyOnce.Do(func() {
		k, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			panic(err)
		}
		issuerKey = k
	})
	return issuerKey
}

// mintTestToken signs claims {iss, sub, aud, exp} with method and key,
// setting kid when non-empty, and decodes it unverified.
func mintTestToken(t *testing.T, method jwt.SigningMethod, key any, kid, iss string) Token {
	t.Helper()
	tk := jwt.NewWithClaims(method, jwt.MapClaims{
		"iss": iss, "sub": "space:root:stack:s:run_type:TRACKED:scope:write", "aud": "demo.app.spacelift.io",
		"exp": time.Now().Add(-time.Hour).Unix(), // expired: the signature must still be judged
	})
	if kid != "" {
		tk.Header["kid"] = kid
	}
	raw, err := tk.SignedString(key)
	if err != nil {
		t.Fatal(err)
	}
	return tokenOf(t, raw)
}

// tokenOf reads what the issuer step needs from a compact token.
func tokenOf(t *testing.T, raw string) Token {
	t.Helper()
	claims := jwt.MapClaims{}
	parsed, _, err := jwt.NewParser().ParseUnverified(raw, claims)
	if err != nil {
		t.Fatal(err)
	}
	tok := Token{Raw: raw}
	tok.Issuer, _ = claims["iss"].(string)
	tok.Alg, _ = parsed.Header["alg"].(string)
	tok.Kid, _ = parsed.Header["kid"].(string)
	return tok
}

func rsaJWK(pub *rsa.PublicKey, kid string) map[string]any {
	return map[string]any{
		"kty": "RSA", "use": "sig", "alg": "RS256", "kid": kid,
		"n": base64.RawURLEncoding.EncodeToString(pub.N.Bytes()),
		"e": base64.RawURLEncoding.EncodeToString(big.NewInt(int64(pub.E)).Bytes()),
	}
}

// fakeIssuer is an httptest TLS issuer whose discovery and JWKS answers a
// test can replace. It counts requests and new connections.
type fakeIssuer struct {
	srv       *httptest.Server
	requests  atomic.Int32
	conns     atomic.Int32
	discovery http.HandlerFunc
	jwks      http.HandlerFunc
}

func newFakeIssuer(t *testing.T, keys ...map[string]any) *fakeIssuer {
	t.Helper()
	f := &fakeIssuer{}
	f.srv = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.requests.Add(1)
		switch r.URL.Path {
		case "/.well-known/openid-configuration":
			f.discovery(w, r)
		case "/.well-known/jwks":
			f.jwks(w, r)
		default:
			http.NotFound(w, r)
		}
	}))
	f.srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			f.conns.Add(1)
		}
	}
	f.srv.StartTLS()
	t.Cleanup(f.srv.Close)
	f.discovery = jsonHandler(map[string]any{"issuer": f.srv.URL, "jwks_uri": f.srv.URL + "/.well-known/jwks"})
	f.jwks = jsonHandler(map[string]any{"keys": keys})
	return f
}

func jsonHandler(v any) http.HandlerFunc {
	return func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(v)
	}
}

func rawHandler(status int, ct, body string) http.HandlerFunc {
	return func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", ct)
		w.WriteHeader(status)
		_, _ = w.Write([]byte(body))
	}
}

func runIssuer(t *testing.T, client *http.Client, tok Token) (disc, sig diag.Result) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	rs := Check(ctx, client, tok)
	if len(rs) != 2 || rs[0].ID != "issuer-discovery" || rs[1].ID != "issuer-signature" {
		t.Fatalf("Check returned %d results, want issuer-discovery and issuer-signature: %+v", len(rs), rs)
	}
	for _, r := range rs {
		for _, f := range r.Facts {
			if strings.Contains(f.Value, tok.Raw) || strings.Contains(f.Value, "eyJ") {
				t.Errorf("%s fact %q holds the token", r.ID, f.Key)
			}
		}
		if strings.Contains(r.Summary+r.Hint, "eyJ") {
			t.Errorf("%s text holds the token", r.ID)
		}
		if (r.Status == diag.StatusFail || r.Status == diag.StatusWarn) && r.Hint == "" {
			t.Errorf("%s is %s without a hint: %s", r.ID, r.Status, r.Summary)
		}
	}
	return rs[0], rs[1]
}

func wantResult(t *testing.T, r diag.Result, status diag.Status, substrs ...string) {
	t.Helper()
	if r.Status != status {
		t.Errorf("%s status = %s, want %s (summary: %s; hint: %s)", r.ID, r.Status, status, r.Summary, r.Hint)
	}
	text := r.Summary + " | " + r.Hint
	for _, f := range r.Facts {
		text += " | " + f.Key + "=" + f.Value
	}
	for _, s := range substrs {
		if !strings.Contains(text, s) {
			t.Errorf("%s lacks %q in: %s", r.ID, s, text)
		}
	}
}

func TestIssuerFakeOK(t *testing.T) {
	key := issuerTestKey(t)
	f := newFakeIssuer(t, rsaJWK(&key.PublicKey, "k1"))
	tok := mintTestToken(t, jwt.SigningMethodRS256, key, "k1", f.srv.URL)
	disc, sig := runIssuer(t, f.srv.Client(), tok)
	// 127.0.0.1 is not a spacelift.io host: the public-reachability note.
	wantResult(t, disc, diag.StatusWarn, "not a spacelift.io host", "curl -sS "+f.srv.URL+"/.well-known/openid-configuration", "TLS 1.3", "HTTP status=200 OK")
	wantResult(t, sig, diag.StatusPass, `key "k1"`, "key size=2048 bits")
	if n := f.requests.Load(); n != 2 {
		t.Errorf("%d requests, want 2", n)
	}
	if n := f.conns.Load(); n != 1 {
		t.Errorf("%d connections, want 1 (the JWKS request must reuse the discovery connection)", n)
	}
}

func TestIssuerSkipped(t *testing.T) {
	rs := Skipped("no usable token")
	if len(rs) != 2 || rs[0].ID != "issuer-discovery" || rs[1].ID != "issuer-signature" {
		t.Fatalf("Skipped = %+v, want issuer-discovery and issuer-signature", rs)
	}
	for _, r := range rs {
		if r.Status != diag.StatusSkip {
			t.Errorf("%s = %s, want skip", r.ID, r.Status)
		}
	}
}

func TestIssuerBadIss(t *testing.T) {
	key := issuerTestKey(t)
	tests := []struct {
		iss  string
		want string
	}{
		{"http://demo.app.spacelift.io", "http://"},
		{"", "no iss claim"},
		{"demo.app.spacelift.io", "not an https URL"},
		{"https://demo.app.spacelift.io?x=1", "query"},
	}
	for _, tt := range tests {
		t.Run(tt.iss, func(t *testing.T) {
			var requests atomic.Int32
			client := &http.Client{Transport: roundTripFunc(func(*http.Request) (*http.Response, error) {
				requests.Add(1)
				return nil, net.ErrClosed
			})}
			tok := mintTestToken(t, jwt.SigningMethodRS256, key, "k1", tt.iss)
			disc, sig := runIssuer(t, client, tok)
			wantResult(t, disc, diag.StatusFail, tt.want)
			if sig.Status != diag.StatusSkip {
				t.Errorf("issuer-signature = %s, want skip", sig.Status)
			}
			if n := requests.Load(); n != 0 {
				t.Errorf("%d requests, want none", n)
			}
		})
	}
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

func TestIssuerDiscoveryShapes(t *testing.T) {
	key := issuerTestKey(t)
	tests := []struct {
		name    string
		handler func(f *fakeIssuer) http.HandlerFunc
		want    []string
		sig     diag.Status
	}{
		{"issuer a number", func(f *fakeIssuer) http.HandlerFunc {
			return jsonHandler(map[string]any{"issuer": 42, "jwks_uri": f.srv.URL + "/.well-known/jwks"})
		}, []string{"issuer is a number, not a string"}, diag.StatusSkip},
		{"no jwks_uri", func(f *fakeIssuer) http.HandlerFunc {
			return jsonHandler(map[string]any{"issuer": f.srv.URL})
		}, []string{"jwks_uri is missing"}, diag.StatusSkip},
		{"http jwks_uri", func(f *fakeIssuer) http.HandlerFunc {
			return jsonHandler(map[string]any{"issuer": f.srv.URL, "jwks_uri": "http://x/.well-known/jwks"})
		}, []string{"jwks_uri is not an https URL"}, diag.StatusSkip},
		{"array", func(*fakeIssuer) http.HandlerFunc {
			return rawHandler(200, "application/json", `[1,2]`)
		}, []string{"JSON but not an object"}, diag.StatusSkip},
		{"not json", func(*fakeIssuer) http.HandlerFunc {
			return rawHandler(200, "text/plain", `hello`)
		}, []string{"not valid JSON"}, diag.StatusSkip},
		{"cut short", func(f *fakeIssuer) http.HandlerFunc {
			return rawHandler(200, "application/json", `{"issuer": "`+f.srv.URL+`", "jwks_`)
		}, []string{"cut short"}, diag.StatusSkip},
		{"html", func(*fakeIssuer) http.HandlerFunc {
			return rawHandler(200, "text/html", "<html><head><title>Sign in</title></head></html>")
		}, []string{"HTML page", `"Sign in"`}, diag.StatusSkip},
		{"404", func(*fakeIssuer) http.HandlerFunc {
			return rawHandler(404, "text/plain", "not found")
		}, []string{"HTTP 404 Not Found", "FEDERATION_CUSTOM_ISSUER"}, diag.StatusSkip},
		{"503", func(*fakeIssuer) http.HandlerFunc {
			return rawHandler(503, "text/plain", "busy")
		}, []string{"HTTP 503", "AADSTS50166"}, diag.StatusSkip},
		{"trailing slash", func(f *fakeIssuer) http.HandlerFunc {
			return jsonHandler(map[string]any{"issuer": f.srv.URL + "/", "jwks_uri": f.srv.URL + "/.well-known/jwks"})
		}, []string{"differs from the token's iss", "trailing slash", "document issuer=" + "https://"}, diag.StatusPass},
		{"case", func(f *fakeIssuer) http.HandlerFunc {
			return jsonHandler(map[string]any{"issuer": strings.ToUpper(f.srv.URL), "jwks_uri": f.srv.URL + "/.well-known/jwks"})
		}, []string{"letter case"}, diag.StatusPass},
		{"huge", func(*fakeIssuer) http.HandlerFunc {
			return rawHandler(200, "application/json", `{"x":"`+strings.Repeat("a", 2<<20)+`"}`)
		}, []string{"larger than 1 MiB"}, diag.StatusSkip},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeIssuer(t, rsaJWK(&key.PublicKey, "k1"))
			f.discovery = tt.handler(f)
			tok := mintTestToken(t, jwt.SigningMethodRS256, key, "k1", f.srv.URL)
			disc, sig := runIssuer(t, f.srv.Client(), tok)
			wantResult(t, disc, diag.StatusFail, tt.want...)
			if sig.Status != tt.sig {
				t.Errorf("issuer-signature = %s (%s), want %s", sig.Status, sig.Summary, tt.sig)
			}
		})
	}
}

func TestIssuerRedirects(t *testing.T) {
	key := issuerTestKey(t)
	tests := []struct {
		name   string
		target func(f *fakeIssuer, r *http.Request) string
		status diag.Status
		want   string
	}{
		{"loop", func(f *fakeIssuer, r *http.Request) string { return f.srv.URL + r.URL.Path }, diag.StatusFail, "redirect loop"},
		{"to http", func(f *fakeIssuer, r *http.Request) string {
			return "http://" + strings.TrimPrefix(f.srv.URL, "https://") + "/x"
		}, diag.StatusFail, "another scheme"},
		{"too many", func(f *fakeIssuer, r *http.Request) string {
			return f.srv.URL + r.URL.Path + "?hop=x" + r.URL.Query().Get("hop")
		}, diag.StatusFail, "more than 3 redirects"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeIssuer(t, rsaJWK(&key.PublicKey, "k1"))
			mux := http.NewServeMux()
			mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
				http.Redirect(w, r, tt.target(f, r), http.StatusFound)
			})
			f.discovery = mux.ServeHTTP
			tok := mintTestToken(t, jwt.SigningMethodRS256, key, "k1", f.srv.URL)
			disc, _ := runIssuer(t, f.srv.Client(), tok)
			wantResult(t, disc, tt.status, tt.want)
		})
	}
}

func TestIssuerKeyProblems(t *testing.T) {
	key := issuerTestKey(t)
	small, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Fatal(err)
	}
	ec, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	other, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	with := func(k map[string]any, kv ...any) map[string]any {
		for i := 0; i < len(kv); i += 2 {
			if kv[i+1] == nil {
				delete(k, kv[i].(string))
			} else {
				k[kv[i].(string)] = kv[i+1]
			}
		}
		return k
	}
	good := func() map[string]any { return rsaJWK(&key.PublicKey, "k1") }
	tests := []struct {
		name   string
		kid    string // token kid
		keys   []map[string]any
		status diag.Status
		want   []string
	}{
		{"kid not found", "k1", []map[string]any{rsaJWK(&other.PublicKey, "k2")}, diag.StatusFail,
			[]string{`kid "k1" is not in`, "AADSTS7000272", `kids in JWKS="k2"`}},
		{"ec key", "k1", []map[string]any{with(good(), "kty", "EC", "crv", "P-256",
			"x", base64.RawURLEncoding.EncodeToString(ec.X.Bytes()), "n", nil, "e", nil)}, diag.StatusFail, []string{`type "EC", not RSA`}},
		{"small key", "k1", []map[string]any{rsaJWK(&small.PublicKey, "k1")}, diag.StatusFail, []string{"too small: 1024 bits"}},
		{"use enc", "k1", []map[string]any{with(good(), "use", "enc")}, diag.StatusFail, []string{`use "enc"`}},
		{"alg RS512", "k1", []map[string]any{with(good(), "alg", "RS512")}, diag.StatusFail, []string{`alg "RS512"`}},
		{"padded n", "k1", []map[string]any{with(good(), "n", base64.URLEncoding.EncodeToString(append([]byte{0xff}, key.N.Bytes()...)))},
			diag.StatusFail, []string{"bad modulus n: not unpadded base64url"}},
		{"numeric e", "k1", []map[string]any{with(good(), "e", 65537)}, diag.StatusFail, []string{"bad exponent e: missing or not a string"}},
		{"even e", "k1", []map[string]any{with(good(), "e", "AAE")}, diag.StatusFail, []string{"invalid exponent"}},
		{"wrong key same kid", "k1", []map[string]any{rsaJWK(&other.PublicKey, "k1")}, diag.StatusFail, []string{"does not verify", "AADSTS700027"}},
		{"no kid one key", "", []map[string]any{good()}, diag.StatusPass, []string{"only key", "note=the token has no kid"}},
		{"no kid two keys", "", []map[string]any{rsaJWK(&other.PublicKey, "k2"), good()}, diag.StatusWarn, []string{"key 2 of 2"}},
		{"no kid none verifies", "", []map[string]any{rsaJWK(&other.PublicKey, "k2"), rsaJWK(&other.PublicKey, "k3")}, diag.StatusFail, []string{"none of the issuer's 2 keys"}},
		{"empty set", "", []map[string]any{}, diag.StatusFail, []string{"JWKS is empty"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeIssuer(t, tt.keys...)
			tok := mintTestToken(t, jwt.SigningMethodRS256, key, tt.kid, f.srv.URL)
			_, sig := runIssuer(t, f.srv.Client(), tok)
			wantResult(t, sig, tt.status, tt.want...)
		})
	}
}

func TestIssuerJWKSShapes(t *testing.T) {
	key := issuerTestKey(t)
	tests := []struct {
		name string
		h    http.HandlerFunc
		want string
	}{
		{"no keys", jsonHandler(map[string]any{"key": []any{}}), "no keys array"},
		{"keys a string", jsonHandler(map[string]any{"keys": "x"}), "no keys array"},
		{"html", rawHandler(200, "text/html", "<html></html>"), "JWKS is an HTML page"},
		{"500", rawHandler(500, "application/json", "{}"), "HTTP 500"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeIssuer(t)
			f.jwks = tt.h
			tok := mintTestToken(t, jwt.SigningMethodRS256, key, "k1", f.srv.URL)
			_, sig := runIssuer(t, f.srv.Client(), tok)
			wantResult(t, sig, diag.StatusFail, tt.want)
		})
	}
}

// Tokens not signed with RS256 are never verified and their keys never fetched.
func TestIssuerNonRS256NeverVerified(t *testing.T) {
	key := issuerTestKey(t)
	ec, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	f := newFakeIssuer(t, rsaJWK(&key.PublicKey, "k1"))
	tests := []struct {
		name   string
		method jwt.SigningMethod
		key    any
		want   string
	}{
		{"none", jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType, "unsigned (alg none)"},
		{"HS256", jwt.SigningMethodHS256, []byte("a shared secret"), "HS256, a shared-secret MAC"},
		{"ES256", jwt.SigningMethodES256, ec, "signed with ES256; Entra accepts only RS256"},
		{"PS256", jwt.SigningMethodPS256, key, "signed with PS256"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f.requests.Store(0)
			tok := mintTestToken(t, tt.method, tt.key, "k1", f.srv.URL)
			_, sig := runIssuer(t, f.srv.Client(), tok)
			wantResult(t, sig, diag.StatusFail, tt.want, "RS256")
			if n := f.requests.Load(); n != 1 {
				t.Errorf("%d requests, want 1 (discovery only)", n)
			}
		})
	}
}

func TestIssuerHangCutByDeadline(t *testing.T) {
	key := issuerTestKey(t)
	f := newFakeIssuer(t, rsaJWK(&key.PublicKey, "k1"))
	f.discovery = func(w http.ResponseWriter, r *http.Request) {
		<-r.Context().Done()
	}
	tok := mintTestToken(t, jwt.SigningMethodRS256, key, "k1", f.srv.URL)
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	start := time.Now()
	rs := Check(ctx, f.srv.Client(), tok)
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("Check took %v despite a 300ms deadline", d)
	}
	wantResult(t, rs[0], diag.StatusFail, "timed out", "while waiting for the response headers")
	if rs[1].Status != diag.StatusSkip {
		t.Errorf("issuer-signature = %s, want skip", rs[1].Status)
	}
}

func TestIssuerDiff(t *testing.T) {
	tests := []struct{ iss, doc, want string }{
		{"https://a.app.spacelift.io", "https://a.app.spacelift.io/", "document's issuer has a trailing slash"},
		{"https://a.app.spacelift.io/", "https://a.app.spacelift.io", "token's iss has a trailing slash"},
		{"https://a.app.spacelift.io", "https://A.app.spacelift.io", "letter case"},
		{"https://a.app.spacelift.io", "https://b.app.spacelift.io", "host differs"},
		{"https://a.app.spacelift.io", "http://a.app.spacelift.io", "scheme differs"},
		{"https://a.app.spacelift.io/x", "https://a.app.spacelift.io/y", "path differs"},
		{"https://a.app.spacelift.io", "https://a.app.spacelift.io ", "white space"},
	}
	for _, tt := range tests {
		got := issuerDiff(tt.iss, tt.doc)
		if !strings.Contains(got, tt.want) || !strings.Contains(got, `"`+tt.iss+`"`) {
			t.Errorf("issuerDiff(%q, %q) = %q, want it to mention %q and both values", tt.iss, tt.doc, got, tt.want)
		}
	}
}

// Through the real HTTP stack over TLS against the emulated Spacelift issuer.

func startIssuerEmulator(t *testing.T, s emulator.Scenario) *emulator.Emulator {
	t.Helper()
	e, err := emulator.Start(s, emulator.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(e.Close)
	return e
}

func lookupPreset(t *testing.T, name string) emulator.Scenario {
	t.Helper()
	s, ok := emulator.Lookup(name)
	if !ok {
		t.Fatalf("no emulator preset %q", name)
	}
	return s
}

func withFault(s emulator.Scenario, endpoint string, f emulator.Fault) emulator.Scenario {
	faults := map[string]emulator.Fault{}
	for k, v := range s.Faults {
		faults[k] = v
	}
	faults[endpoint] = f
	s.Faults = faults
	return s
}

// issuerRequestCount counts the doctor's own requests to the issuer host
// (not the emulated Entra's key fetches).
func issuerRequestCount(e *emulator.Emulator) int {
	n := 0
	for _, r := range e.Requests() {
		if !r.Internal && strings.EqualFold(r.Host, emulator.IssuerHost) {
			n++
		}
	}
	return n
}

// runEmulated runs Check on the emulator's own token and checks the
// request budget: at most discovery plus JWKS.
func runEmulated(t *testing.T, e *emulator.Emulator, tok Token) (disc, sig diag.Result) {
	t.Helper()
	if tok.Raw == "" {
		tok = tokenOf(t, e.Token())
	}
	disc, sig = runIssuer(t, e.Client(), tok)
	if n := issuerRequestCount(e); n > 2 {
		t.Errorf("%d requests to %s, want at most 2:\n%v", n, emulator.IssuerHost, e.Requests())
	}
	return disc, sig
}

func TestIssuerEmulatorPresets(t *testing.T) {
	tests := []struct {
		preset   string
		disc     diag.Status
		discWant []string
		sig      diag.Status
		sigWant  []string
		requests int
	}{
		{"ok", diag.StatusPass, []string{"matches iss", "TLS version=TLS 1.3", "HTTP status=200 OK", "jwks_uri=https://demo.app.spacelift.io/.well-known/jwks"},
			diag.StatusPass, []string{"RS256 signature verifies", "key size=2048 bits"}, 2},
		{"clock-skew", diag.StatusPass, nil, diag.StatusPass, []string{"verifies"}, 2},
		{"issuer-keys-unreachable", diag.StatusPass, nil,
			diag.StatusFail, []string{"fetching the JWKS failed", "demo.app.spacelift.io", "entra expects=AADSTS50166"}, 2},
		{"issuer-kid-rotated", diag.StatusPass, nil,
			diag.StatusFail, []string{"is not in the issuer's JWKS", "entra expects=AADSTS7000272", "rotated"}, 2},
		{"issuer-mismatch", diag.StatusFail, []string{"differs from the token's iss", "host differs",
			"document issuer=https://spacelift.internal.example.com", "token iss=https://demo.app.spacelift.io"},
			diag.StatusPass, []string{"verifies"}, 2},
		{"tampered-signature", diag.StatusPass, nil,
			diag.StatusFail, []string{"does not verify", "altered, truncated", "entra expects=AADSTS700027"}, 2},
		{"issuer-wrong-cert", diag.StatusFail, []string{"authority this worker does not trust", "untrusted CA", "Entra rejects it too",
			"SSL_CERT_FILE", "entra expects=AADSTS50166"}, diag.StatusSkip, nil, 0},
	}
	for _, tt := range tests {
		t.Run(tt.preset, func(t *testing.T) {
			e := startIssuerEmulator(t, lookupPreset(t, tt.preset))
			disc, sig := runEmulated(t, e, Token{})
			wantResult(t, disc, tt.disc, tt.discWant...)
			wantResult(t, sig, tt.sig, tt.sigWant...)
			// A refused TLS handshake never becomes a request.
			if n := issuerRequestCount(e); n != tt.requests {
				t.Errorf("%d requests to the issuer, want %d", n, tt.requests)
			}
		})
	}
}

func TestIssuerEmulatorFaults(t *testing.T) {
	huge := strings.Repeat("x", 2<<20)
	tests := []struct {
		name     string
		scenario func(emulator.Scenario) emulator.Scenario
		disc     diag.Status
		discWant []string
		sig      diag.Status
		sigWant  []string
	}{
		{"html discovery", func(s emulator.Scenario) emulator.Scenario { s.Issuer.HTMLDiscovery = true; return s },
			diag.StatusFail, []string{"HTML page", `"Spacelift"`, "login page"}, diag.StatusSkip, nil},
		{"huge discovery", func(s emulator.Scenario) emulator.Scenario {
			return withFault(s, "issuer-discovery", emulator.Fault{Body: huge})
		}, diag.StatusFail, []string{"larger than 1 MiB"}, diag.StatusSkip, nil},
		{"huge jwks", func(s emulator.Scenario) emulator.Scenario {
			return withFault(s, "issuer-jwks", emulator.Fault{Body: huge})
		}, diag.StatusPass, nil, diag.StatusFail, []string{"JWKS is larger than 1 MiB"}},
		{"truncated discovery", func(s emulator.Scenario) emulator.Scenario {
			return withFault(s, "issuer-discovery", emulator.Fault{Truncate: true})
		}, diag.StatusFail, []string{"closed the connection before the response was complete", "while reading the response body"}, diag.StatusSkip, nil},
		{"truncated jwks", func(s emulator.Scenario) emulator.Scenario {
			return withFault(s, "issuer-jwks", emulator.Fault{Truncate: true})
		}, diag.StatusPass, nil, diag.StatusFail, []string{"fetching the JWKS failed", "closed the connection"}},
		{"reset discovery", func(s emulator.Scenario) emulator.Scenario {
			return withFault(s, "issuer-discovery", emulator.Fault{Reset: true})
		}, diag.StatusFail, []string{"fetching the discovery document failed", "demo.app.spacelift.io"}, diag.StatusSkip, nil},
		{"503 with retry-after", func(s emulator.Scenario) emulator.Scenario {
			return withFault(s, "issuer-discovery", emulator.Fault{Status: 503, RetryAfter: "30"})
		}, diag.StatusFail, []string{"HTTP 503 Service Unavailable", "Retry-After=30", "Retry later"}, diag.StatusSkip, nil},
		{"404 jwks", func(s emulator.Scenario) emulator.Scenario {
			return withFault(s, "issuer-jwks", emulator.Fault{Status: 404})
		}, diag.StatusPass, nil, diag.StatusFail, []string{"JWKS answered HTTP 404"}},
		{"wrong content type", func(s emulator.Scenario) emulator.Scenario {
			return withFault(s, "issuer-discovery", emulator.Fault{ContentType: "text/plain"})
		}, diag.StatusWarn, []string{`served as "text/plain"`}, diag.StatusPass, nil},
		{"issuer a number", func(s emulator.Scenario) emulator.Scenario {
			return withFault(s, "issuer-discovery", emulator.Fault{ContentType: "application/json", Body: `{"issuer": 1, "jwks_uri": "https://demo.app.spacelift.io/.well-known/jwks"}`})
		}, diag.StatusFail, []string{"issuer is a number"}, diag.StatusSkip, nil},
		{"trailing slash", func(s emulator.Scenario) emulator.Scenario {
			s.Issuer.DiscoveryIssuer = emulator.IssuerURL + "/"
			return s
		}, diag.StatusFail, []string{"trailing slash"}, diag.StatusPass, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := startIssuerEmulator(t, tt.scenario(lookupPreset(t, "ok")))
			disc, sig := runEmulated(t, e, Token{})
			wantResult(t, disc, tt.disc, tt.discWant...)
			wantResult(t, sig, tt.sig, tt.sigWant...)
		})
	}
}

// A slow or hanging issuer is cut by the caller's deadline, with generous
// slack for loaded machines, and the failure names the step.
func TestIssuerEmulatorSlow(t *testing.T) {
	for _, f := range []emulator.Fault{{Hang: true}, {Delay: time.Minute}} {
		e := startIssuerEmulator(t, withFault(lookupPreset(t, "ok"), "issuer-discovery", f))
		tok := tokenOf(t, e.Token())
		ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
		start := time.Now()
		rs := Check(ctx, e.Client(), tok)
		cancel()
		if d := time.Since(start); d > 5*time.Second {
			t.Errorf("%+v: Check took %v despite a 300ms deadline", f, d)
		}
		wantResult(t, rs[0], diag.StatusFail, "timed out", "while waiting for the response headers")
		if rs[1].Status != diag.StatusSkip {
			t.Errorf("%+v: issuer-signature = %s, want skip", f, rs[1].Status)
		}
	}
}

// Tokens minted in the test with alg none or HS256 for the emulated issuer:
// never verified, keys never fetched.
func TestIssuerEmulatorUnsignedTokens(t *testing.T) {
	for _, tt := range []struct {
		method jwt.SigningMethod
		key    any
	}{
		{jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType},
		{jwt.SigningMethodHS256, []byte("not a secret")},
	} {
		e := startIssuerEmulator(t, lookupPreset(t, "ok"))
		tok := mintTestToken(t, tt.method, tt.key, "", emulator.IssuerURL)
		disc, sig := runEmulated(t, e, tok)
		wantResult(t, disc, diag.StatusPass)
		wantResult(t, sig, diag.StatusFail, "Entra accepts only RS256")
		if n := issuerRequestCount(e); n != 1 {
			t.Errorf("%s: %d requests to the issuer, want 1 (no JWKS fetch)", tt.method.Alg(), n)
		}
	}
}

// One redirect is followed, noted as a warning, and shown without its query.
func TestIssuerOneRedirect(t *testing.T) {
	key := issuerTestKey(t)
	f := newFakeIssuer(t, rsaJWK(&key.PublicKey, "k1"))
	doc := f.discovery
	f.discovery = func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Has("moved") {
			doc(w, r)
			return
		}
		http.Redirect(w, r, r.URL.Path+"?moved=SECRETQUERY", http.StatusMovedPermanently)
	}
	tok := mintTestToken(t, jwt.SigningMethodRS256, key, "k1", f.srv.URL)
	disc, sig := runIssuer(t, f.srv.Client(), tok)
	wantResult(t, disc, diag.StatusWarn, "redirected 1 time(s)", "whether Entra follows redirects is not documented",
		"redirected to="+f.srv.URL+"/.well-known/openid-configuration |")
	wantResult(t, sig, diag.StatusPass)
	for _, fc := range disc.Facts {
		if strings.Contains(fc.Value, "SECRETQUERY") {
			t.Errorf("diag.F %s shows the redirect's query: %s", fc.Key, fc.Value)
		}
	}
}

// When the worker cannot reach a self-hosted issuer, Entra most likely
// cannot either; when it cannot reach Spacelift's public SaaS issuer, the
// worker's network is the suspect.
func TestIssuerUnreachable(t *testing.T) {
	key := issuerTestKey(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := ln.Addr().String()
	ln.Close()
	dnsFail := &http.Client{Transport: &http.Transport{DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
		host, _, _ := net.SplitHostPort(addr)
		return nil, &net.OpError{Op: "dial", Net: network, Err: &net.DNSError{Err: "no such host", Name: host, IsNotFound: true}}
	}}}
	tests := []struct {
		name, iss string
		client    *http.Client
		want      []string
		entra     bool
	}{
		{"self-hosted refused", "https://" + closed, http.DefaultClient,
			[]string{"refused", "Entra, on the public internet, most likely cannot either"}, true},
		{"self-hosted dns", "https://spacelift.corp.example", dnsFail,
			[]string{"DNS lookup of spacelift.corp.example failed", "most likely cannot either"}, true},
		{"saas dns", "https://demo.app.spacelift.io", dnsFail,
			[]string{"DNS lookup of demo.app.spacelift.io failed", "Spacelift's issuer is public"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tok := mintTestToken(t, jwt.SigningMethodRS256, key, "k1", tt.iss)
			disc, sig := runIssuer(t, tt.client, tok)
			want := tt.want
			if tt.entra {
				want = append(want, "entra expects=AADSTS50166 or AADSTS90061")
			}
			wantResult(t, disc, diag.StatusFail, want...)
			for _, f := range disc.Facts {
				if f.Key == "entra expects" && !tt.entra {
					t.Errorf("unexpected diag.F entra expects=%s", f.Value)
				}
			}
			if sig.Status != diag.StatusSkip {
				t.Errorf("issuer-signature = %s, want skip", sig.Status)
			}
		})
	}
}
