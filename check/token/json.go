package token

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"unicode/utf8"
)

// Reading a JWT's JSON precisely enough to say what is wrong with it: a
// number too large for any clock and JSON nested past encoding/json's limit
// are not "not JSON", and a claim cut for display keeps whole characters.

// maxJSONDepth is encoding/json's nesting limit (encoding/json scanner.go,
// maxNestingDepth, https://go.dev/src/encoding/json/scanner.go).
const maxJSONDepth = 10000

// maxExtraRunes is how much of an unknown claim's name and value is shown.
const maxExtraRunes = 200

// checkJSONObject checks that b, the token's header or payload (name), is a
// JSON object that can be read. Numbers are kept exact (json.Number), so a
// huge one fails only where it must be read as a number: in the header,
// which golang-jwt reads into float64, it is refused here.
func checkJSONObject(name string, b []byte, header bool) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		if depth(b) > maxJSONDepth {
			return &TokenError{"too-deep", fmt.Sprintf("the JWT %s is nested too deep: more than %d levels of objects and arrays", name, maxJSONDepth)}
		}
		return &TokenError{"bad-json", fmt.Sprintf("the JWT %s is not JSON", name)}
	}
	if dec.More() {
		return &TokenError{"bad-json", fmt.Sprintf("the JWT %s is not JSON: it holds more than one value", name)}
	}
	obj, ok := v.(map[string]any)
	if !ok {
		return &TokenError{"not-object", fmt.Sprintf("the JWT %s is JSON but not an object", name)}
	}
	if header {
		for k, x := range obj {
			if n, ok := x.(json.Number); ok {
				if _, err := strconv.ParseFloat(string(n), 64); errors.Is(err, strconv.ErrRange) {
					return &TokenError{"number-range", fmt.Sprintf("the JWT header's %s is a number out of range: %s", cut(k, 40), numberText(n))}
				}
			}
		}
	}
	return nil
}

// depth is the deepest nesting of objects and arrays in b, outside strings.
func depth(b []byte) int {
	d, deepest, inString, escaped := 0, 0, false, false
	for _, c := range b {
		switch {
		case inString:
			switch {
			case escaped:
				escaped = false
			case c == '\\':
				escaped = true
			case c == '"':
				inString = false
			}
		case c == '"':
			inString = true
		case c == '{' || c == '[':
			d++
			deepest = max(deepest, d)
		case c == '}' || c == ']':
			d--
		}
	}
	return deepest
}

// numberText shows a number, or its start and length when it is long.
func numberText(n json.Number) string {
	s := string(n)
	if len(s) <= 24 {
		return s
	}
	return fmt.Sprintf("%s… (%d digits)", s[:12], len(s))
}

// cut shortens s to at most n runes, marking the cut with "…". It never
// splits a UTF-8 sequence.
func cut(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	i, runes := 0, 0
	for i < len(s) && runes < n {
		_, size := utf8.DecodeRuneInString(s[i:])
		i += size
		runes++
	}
	return s[:i] + "…"
}
