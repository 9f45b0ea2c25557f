package redact

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
)

// wrap cuts s into lines of width characters, each written by line(piece).
func wrap(s string, width int, line func(string) string) string {
	var b strings.Builder
	for len(s) > 0 {
		n := min(width, len(s))
		b.WriteString(line(s[:n]))
		s = s[n:]
	}
	return b.String()
}

// splitShapes are the ways a reader sees one token: wrapped, boxed, split,
// escaped. Each must mask to exactly one mask with the token's fingerprint.
func splitShapes(jwt string) map[string]string {
	sig := jwt[strings.LastIndexByte(jwt, '.')+1:]
	at := func(i int, sep string) string { return jwt[:i] + sep + jwt[i:] }
	mid := len(jwt) - len(sig)/2
	return map[string]string{
		"wrapped at 76":         wrap(jwt, 76, func(p string) string { return p + "\n" }),
		"wrapped with CRLF":     wrap(jwt, 64, func(p string) string { return p + "\r\n" }),
		"terraform box":         wrap(jwt, 70, func(p string) string { return "│ " + p + "\n" }),
		"coloured box":          wrap(jwt, 70, func(p string) string { return "\x1b[31m│\x1b[0m " + p + "\n" }),
		"text report value":     wrap(jwt, 80, func(p string) string { return p + "\n                 " }),
		"markdown list value":   wrap(jwt, 80, func(p string) string { return p + "\n  " }),
		"space in signature":    at(mid, " "),
		"tab in signature":      at(mid, "\t"),
		"space after a dot":     at(len(jwt)-len(sig), " "),
		"space in header":       at(5, " "),
		"two spaces close":      at(mid, " ")[:mid+10] + " " + at(mid, " ")[mid+10:],
		"json escaped newline":  wrap(jwt, 60, func(p string) string { return p + `\n` }),
		"go %q of a fold":       fmt.Sprintf("%q", wrap(jwt, 60, func(p string) string { return p + "\n" })),
		"sanitised escape":      at(mid, `\x1b[31m`),
		"markdown escaped bidi": at(mid, `\\u202e`),
		"markdown table pipe":   at(mid, ` \| `),
	}
}

// TestStringMasksSplitShapes: each shape of a token becomes one mask with
// the token's fingerprint. The signature is fixed, so the last piece of each
// wrap is the same every run: a short last piece joins when it reads like
// base64url noise, which a random one mostly but not always does (see
// isNoisy); TestStringSplitShapesRandom covers random signatures.
func TestStringMasksSplitShapes(t *testing.T) {
	tok, sig := seededJWT("TestStringMasksSplitShapes", `{"alg":"RS256","typ":"JWT"}`)
	for name, in := range splitShapes(tok) {
		t.Run(name, func(t *testing.T) {
			got := String("token: " + in + " end")
			if strings.Count(got, "[REDACTED") != 1 || !strings.Contains(got, mask(tok)) {
				t.Errorf("String(%q)\n = %q\nwant one mask %s", in, got, mask(tok))
			}
			if p := survivingPiece(got, sig, 16); p != "" {
				t.Errorf("a piece of the signature survives: %q in %q", p, got)
			}
			if again := String(got); again != got {
				t.Errorf("not idempotent: %q -> %q", got, again)
			}
		})
	}
}

// TestStringSplitShapesRandom: whatever the signature, no piece of it as
// long as minAdjacentRun survives any shape.
func TestStringSplitShapesRandom(t *testing.T) {
	for range 20 {
		jwt := mintJWT(t)
		sig := jwt[strings.LastIndexByte(jwt, '.')+1:]
		for name, in := range splitShapes(jwt) {
			if p := survivingPiece(String("token: "+in+" end"), sig, minAdjacentRun); p != "" {
				t.Errorf("%s: %q of the signature survives", name, p)
			}
		}
	}
}

// survivingPiece returns a piece of sig of n characters found in out, or
// "". Each separator in out counts as a space: the letters of an escape
// such as \x1b are not the signature's.
func survivingPiece(out, sig string, n int) string {
	var b strings.Builder
	for i := 0; i < len(out); {
		if j := skipSeparators(out, i); j > i {
			b.WriteByte(' ')
			i = j
			continue
		}
		b.WriteByte(out[i])
		i++
	}
	out = b.String()
	for i := 0; i+n <= len(sig); i++ {
		if strings.Contains(out, sig[i:i+n]) {
			return sig[i : i+n]
		}
	}
	return ""
}

// TestStringKeepsIDsNextToAToken: the ids an Entra or ARM error gives next
// to a token are what a reader needs to look the request up.
func TestStringKeepsIDsNextToAToken(t *testing.T) {
	jwt := mintJWT(t)
	for _, id := range []string{
		"5f4c2e1a-9b3d-4f61-8a0e-3d7c91b2e6f4",                             // a GUID: trace and correlation ids
		"0af7651916cd43dd8448eb211c80319c",                                 // a W3C trace id
		"00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",          // a traceparent
		"01JKZAHVAQHFM8CC3EA5HWRMP1",                                       // a Spacelift run id (ULID)
		"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", // a SHA-256
	} {
		for _, sep := range []string{" ", "\n", "\n│ ", "\t"} {
			in := "assertion " + jwt + sep + id + " Timestamp: 2026-01-02 03:04:05Z"
			got := String(in)
			if !strings.Contains(got, id) {
				t.Errorf("String(jwt %q %s) lost the id: %q", sep, id, got)
			}
			if strings.Contains(got, jwt[len(jwt)-40:]) {
				t.Errorf("the token survives: %q", got)
			}
		}
	}
}

func TestStringKeepsWeakHeaderWords(t *testing.T) {
	for _, s := range []string{
		"keyAlias theyAre GreyArea",
		"eyAlignment.config.json",
		"Eyjafjallajökull.volcano.is",
		"ewok.village.endor",
		"EYJAFJALLAJOKULL erupted",
		"the key eyAi is short",
	} {
		if got := String(s); got != s {
			t.Errorf("String(%q) = %q, want it unchanged", s, got)
		}
	}
}

// TestWriterSplitShapes writes each split shape cut at every byte and checks
// the output equals String of the whole.
func TestWriterSplitShapes(t *testing.T) {
	jwt := mintJWT(t)
	for name, shape := range splitShapes(jwt) {
		in := "fact: " + shape + "\nnext: line\n"
		want := String(in)
		for i := 0; i <= len(in); i++ {
			var out bytes.Buffer
			w := NewWriter(&out)
			w.Write([]byte(in[:i]))
			w.Write([]byte(in[i:]))
			w.Close()
			if out.String() != want {
				t.Fatalf("%s cut at %d:\n got %q\nwant %q", name, i, out.String(), want)
			}
		}
	}
}

// TestWriterOverflow: a token split across two writes after a line of 64
// KiB or more of base64url text is still masked whole.
func TestWriterOverflow(t *testing.T) {
	jwt := mintJWT(t)
	sig := jwt[strings.LastIndexByte(jwt, '.')+1:]
	long := strings.Repeat("QUJD", maxPending/4+100)
	for name, in := range map[string]string{
		"same line":       long + " " + jwt + "\n",
		"glued":           long + jwt + "\n",
		"wrapped":         long + " " + jwt[:100] + "\n" + jwt[100:] + "\n",
		"after the line":  long + "\n" + jwt + "\n",
		"token too long":  jwt + strings.Repeat("x", maxPending+10) + " " + sig + "\n",
		"keyed after run": long + " client_secret=" + sig + "\n",
	} {
		for _, cut := range []int{len(long) + 5, len(long) + 50, len(in) - len(sig)/2, len(in) - 3} {
			var out bytes.Buffer
			w := NewWriter(&out)
			w.Write([]byte(in[:cut]))
			w.Write([]byte(in[cut:]))
			w.Close()
			if p := survivingPiece(out.String(), sig, 20); p != "" {
				t.Errorf("%s cut at %d: %q of the signature survives", name, cut-len(long), p)
			}
		}
	}
}

// TestStringMasksTheRestAfterAMask: text that follows a mask, split off by
// a space or a wrap after another step masked the token's first part, is
// the rest of the token.
func TestStringMasksTheRestAfterAMask(t *testing.T) {
	jwt := mintJWT(t)
	sig := jwt[strings.LastIndexByte(jwt, '.')+1:]
	for _, m := range []string{"[redacted JWT]", mask(jwt[:100])} {
		for _, sep := range []string{" ", "\n│ ", "\t", ""} {
			in := "subject '" + m + sep + sig[100:] + "'. Trace ID: 5f4c2e1a-9b3d-4f61-8a0e-3d7c91b2e6f4"
			got := String(in)
			if p := survivingPiece(got, sig, 20); p != "" {
				t.Errorf("String(%q) = %q keeps %q", in, got, p)
			}
			if !strings.Contains(got, "5f4c2e1a-9b3d-4f61-8a0e-3d7c91b2e6f4") || !strings.HasPrefix(got, "subject '"+m) {
				t.Errorf("String(%q) = %q lost the mask or the id", in, got)
			}
			if again := String(got); again != got {
				t.Errorf("not idempotent: %q -> %q", got, again)
			}
		}
	}
	for _, s := range []string{"[REDACTED JWT sha256:0123abcd] then words", "[redacted JWT] 5f4c2e1a-9b3d-4f61-8a0e-3d7c91b2e6f4", "[REDACTED sha256:0123abcd] 100000000000A000a00"} {
		if got := String(s); got != s {
			t.Errorf("String(%q) = %q, want it unchanged", s, got)
		}
	}
}
