package redact

import (
	"crypto/sha512"
	"encoding/base64"
	"regexp"
	"sort"
	"strings"
	"testing"
)

// jwtShaped matches what String promises never to leave behind: an "eyJ"
// run long enough to carry a secret, or one joined to another segment by a dot.
var jwtShaped = regexp.MustCompile(`eyJ[A-Za-z0-9_-]{5,}|eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_.-]`)

// fuzzSeparators are what the split shapes put between a token's pieces.
var fuzzSeparators = []string{" ", "\t", "\n", "\r\n", "\n│ ", "\x1b[31m│\x1b[0m ", `\n`, "\n        ", "\n  ", `\x1b`, `\\u202e`, " \\| "}

// FuzzString checks String on any text, and on a token built from the text
// and put in it split, wrapped, case-folded or with a spaced header: no
// 40-character piece of its signature may survive.
func FuzzString(f *testing.F) {
	f.Add("plain text with demo.app.spacelift.io and v1.2.3")
	f.Add("Authorization: Bearer eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln")
	f.Add(`{"access_token":"0.AXoAv4j5cvGGr0GRqy180BHbR1x1rVc2p3xoQ"}`)
	f.Add("eyJa.eyJb.")
	f.Add("eyJhbGciOiJkaXIifQ..aXY.Y3Q.dGFn")
	f.Add("http://u:p4ssw0rd@proxy:3128 client_assertion=eyJhbGciOiJSUzI1NiJ9")
	f.Add("\x03\x10\x80\xff│ wrapped")
	f.Add("\x01\x02\x05\x40\x41\x90\x91 lower-cased and split")
	f.Fuzz(func(t *testing.T, s string) {
		got := String(s)
		if m := jwtShaped.FindString(got); m != "" {
			t.Fatalf("String(%q) = %q still holds JWT-shaped %q", s, got, m)
		}
		if again := String(got); again != got {
			t.Fatalf("String not idempotent:\n in   %q\n once %q\n twice %q", s, got, again)
		}
		if !mayHoldSecret(s) && got != s {
			t.Fatalf("String(%q) = %q changed text with no secret trigger", s, got)
		}
		shaped, sig := splitToken(s)
		in := s + " " + shaped + " " + s
		out := String(in)
		if p := survivingPiece(out, sig, 40); p != "" {
			t.Fatalf("String(%q)\n = %q\nkeeps %q of the signature", in, out, p)
		}
		if again := String(out); again != out {
			t.Fatalf("String not idempotent on a split token:\n once %q\n twice %q", out, again)
		}
	})
}

// splitToken builds a token whose signature is derived from s, and cuts it
// as the bytes of s say (the signature returned is cased as the token is):
// up to four cuts, each at a position and with a
// separator s chooses, then maybe upper- or lower-cased, maybe with the
// header `{ "`. The same s always gives the same shape.
func splitToken(s string) (shaped, sig string) {
	b := []byte(s)
	pick := func(i int) int {
		if i < len(b) {
			return int(b[i])
		}
		return 0
	}
	header := `{"alg":"RS256","typ":"JWT"}`
	if pick(0)&4 != 0 {
		header = `{ "alg": "RS256", "typ": "JWT" }`
	}
	tok, sig := seededJWT(s, header)
	switch pick(0) & 3 {
	case 1:
		tok, sig = strings.ToLower(tok), strings.ToLower(sig)
	case 2:
		tok, sig = strings.ToUpper(tok), strings.ToUpper(sig)
	}
	var cuts []int
	for i := 0; i < pick(0)>>4&3+1 && 2+2*i < len(b); i++ {
		cuts = append(cuts, (pick(1+2*i)<<8|pick(2+2*i))%len(tok))
	}
	sort.Ints(cuts)
	for i := len(cuts) - 1; i >= 0; i-- { // from the end, so the positions hold
		sep := fuzzSeparators[pick(1+2*i)%len(fuzzSeparators)]
		tok = tok[:cuts[i]] + sep + tok[cuts[i]:]
	}
	return tok, sig
}

// seededJWT is a JWT with the given header whose 256-byte signature is
// derived from seed: random-looking, and the same for the same seed.
func seededJWT(seed, header string) (tok, sig string) {
	enc := base64.RawURLEncoding
	h := sha512.Sum512([]byte(seed))
	raw := append(h[:], h[:]...)
	raw = append(raw, raw...)
	sig = enc.EncodeToString(raw)
	return enc.EncodeToString([]byte(header)) + "." +
		enc.EncodeToString([]byte(`{"iss":"https://demo.app.spacelift.io","sub":"space:root:stack:x:run_type:TRACKED:scope:write"}`)) + "." + sig, sig
}
