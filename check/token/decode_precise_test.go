package token

import (
	"encoding/base64"
	"strings"
	"testing"
	"unicode/utf8"
)

// TestDecodeSaysWhatHappened: a number too large and JSON nested too deep
// are named as such, not as "not JSON".
func TestDecodeSaysWhatHappened(t *testing.T) {
	enc := base64.RawURLEncoding.EncodeToString
	header := enc([]byte(`{"alg":"RS256","typ":"JWT"}`))
	payload := func(json string) string { return header + "." + enc([]byte(json)) + ".c2ln" }
	huge := strings.Repeat("1", 20001)
	deep := strings.Repeat("[", 10001) + strings.Repeat("]", 10001)
	for _, tc := range []struct {
		name, tok, want string
	}{
		{"exp of 20,001 digits", payload(`{"iss":"x","exp":` + huge + `}`), "exp is a number out of range: 111111111111… (20001 digits)"},
		{"nbf out of range", payload(`{"nbf":1e400}`), "nbf is a number out of range: 1e400"},
		{"payload nested 10,001 deep", payload(`{"x":` + deep + `}`), "the JWT payload is nested too deep: more than 10000 levels"},
		{"header nested 10,001 deep", enc([]byte(`{"x":`+deep+`}`)) + ".e30.c2ln", "the JWT header is nested too deep"},
		{"header number out of range", enc([]byte(`{"alg":"RS256","kid":`+huge+`}`)) + ".e30.c2ln", "the JWT header's kid is a number out of range: 111111111111… (20001 digits)"},
		{"payload not JSON", payload(`{"x":`), "the JWT payload is not JSON"},
		{"two values", payload(`{} {}`), "more than one value"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tok, err := DecodeUnverified(tc.tok)
			got := ""
			switch {
			case err != nil:
				got = err.Error()
			default:
				got = strings.Join(tok.TypeErrors, "; ")
			}
			if !strings.Contains(got, tc.want) {
				t.Errorf("got %q, want %q", got, tc.want)
			}
			if len(got) > 300 {
				t.Errorf("the message is %d bytes long: it repeats the input", len(got))
			}
		})
	}
}

func TestExtraClaimsCutByRune(t *testing.T) {
	tok := decoded(t, set("note", strings.Repeat("é", 300), strings.Repeat("ü", 250), "x"))
	if len(tok.Extra) != 2 {
		t.Fatalf("extra = %v", tok.Extra)
	}
	for _, f := range tok.Extra {
		for _, s := range []string{f.Key, f.Value} {
			if !utf8.ValidString(s) {
				t.Errorf("%q is not valid UTF-8: a character was split", s)
			}
			if n := utf8.RuneCountInString(s); n > maxExtraRunes+1 {
				t.Errorf("%d runes, want at most %d and the ellipsis", n, maxExtraRunes)
			}
		}
	}
}
