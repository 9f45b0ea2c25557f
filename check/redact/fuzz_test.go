package redact

import (
	"regexp"
	"strings"
	"testing"
)

// jwtShaped matches what String promises never to leave behind: an "eyJ"
// run long enough to carry a secret, or one joined to another segment by a dot.
var jwtShaped = regexp.MustCompile(`eyJ[A-Za-z0-9_-]{5,}|eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_.-]`)

func FuzzString(f *testing.F) {
	f.Add("plain text with demo.app.spacelift.io and v1.2.3")
	f.Add("Authorization: Bearer eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln")
	f.Add(`{"access_token":"0.AXoAv4j5cvGGr0GRqy180BHbR1x1rVc2p3xoQ"}`)
	f.Add("eyJa.eyJb.")
	f.Add("eyJhbGciOiJkaXIifQ..aXY.Y3Q.dGFn")
	f.Add("http://u:p4ssw0rd@proxy:3128 client_assertion=eyJhbGciOiJSUzI1NiJ9")
	f.Fuzz(func(t *testing.T, s string) {
		got := String(s)
		if m := jwtShaped.FindString(got); m != "" {
			t.Fatalf("String(%q) = %q still holds JWT-shaped %q", s, got, m)
		}
		if again := String(got); again != got {
			t.Fatalf("String not idempotent:\n in   %q\n once %q\n twice %q", s, got, again)
		}
		if !strings.Contains(s, "eyJ") && !strings.Contains(s, "://") && !hasKeyword(s) && got != s {
			t.Fatalf("String(%q) = %q changed text with no secret trigger", s, got)
		}
	})
}
