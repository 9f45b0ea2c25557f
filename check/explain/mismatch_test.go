package explain

import (
	"strings"
	"testing"
)

func TestCompareValues(t *testing.T) {
	tests := []struct{ a, b, want string }{
		{"x", "x", "identical"},
		{"https://a.app.spacelift.io", "https://a.app.spacelift.io/", "the expected value has a trailing slash the presented value lacks"},
		{"https://a.app.spacelift.io/", "https://a.app.spacelift.io", "the presented value has a trailing slash the expected value lacks"},
		{" a", "a", `the presented value has surrounding whitespace (" a")`},
		{"a", "a\n", `the expected value has surrounding whitespace ("a\n")`},
		{"a.app.spacelift.io", "https://a.app.spacelift.io", "the expected value has https:// in front; the presented value is the bare host"},
		{"run_type:tracked", "run_type:TRACKED", `differs only in letter case, first at byte 10 ("t" vs "T")`},
		{"scope:read", "scope:write", `differs at byte 7: presented has "read", expected has "write"`},
		{"abc", "abcdef", `differs at byte 4: the presented value ends there; the expected value goes on with "def"`},
		{"abcdef", "abc", `differs at byte 4: the expected value ends there; the presented value goes on with "def"`},
	}
	for _, tt := range tests {
		if got := CompareValues(tt.a, tt.b); got != tt.want {
			t.Errorf("CompareValues(%q, %q) = %q, want %q", tt.a, tt.b, got, tt.want)
		}
	}
}

func TestMismatchShapes(t *testing.T) {
	tests := []struct {
		field, presented string
		first            string // substring of the first shape
		also             []string
	}{
		{"issuer", "https://acme.app.spacelift.io", "trailing slash", []string{"http://acme.app.spacelift.io", "acme.app.us.spacelift.io", "whitespace"}},
		{"issuer", "https://acme.app.us.spacelift.io", "trailing slash", []string{"acme.app.spacelift.io"}},
		{"audience", "acme.app.spacelift.io", "api://AzureADTokenExchange", []string{"https://acme.app.spacelift.io"}},
		{"subject", "space:production-01HND497T9JKR76MR3KA2CDJHP:stack:infra:run_type:TRACKED:scope:read", "planning phase", []string{"run type", "space:production:stack:infra:run_type:TRACKED:scope:read", "letter case"}},
		{"subject", "space:root:stack:infra:run_type:TRACKED:scope:write", "scope:read", nil},
		{"subject", "space:root:module:m:run_type:TESTING:scope:write", "scope:read", []string{"space:root:stack:m:run_type:TESTING:scope:write"}},
		{"subject", "space:root:stack:infra:RUN_TYPE:tracked:scope:write", "letter case", nil},
		{"subject", "repo:x/y:ref:refs/heads/main", "custom subject template", nil},
	}
	for _, tt := range tests {
		got := MismatchShapes(tt.field, tt.presented, nil)
		if len(got) == 0 || !strings.Contains(got[0], tt.first) {
			t.Errorf("MismatchShapes(%s, %q)[0] lacks %q: %q", tt.field, tt.presented, tt.first, got)
			continue
		}
		all := strings.Join(got, "\n")
		for _, w := range tt.also {
			if !strings.Contains(all, w) {
				t.Errorf("MismatchShapes(%s, %q) lacks %q:\n%s", tt.field, tt.presented, w, all)
			}
		}
	}
	tok := &Token{Issuer: "https://acme.app.spacelift.io", Audience: []string{"acme.app.spacelift.io"}, Subject: "space:root:stack:infra:run_type:TASK:scope:write"}
	if got := MismatchShapes("audience", "", tok); len(got) == 0 || !strings.Contains(got[0], "acme.app.spacelift.io") {
		t.Errorf("MismatchShapes from token: %q", got)
	}
	if got := MismatchShapes("issuer", " https://x ", nil); !strings.Contains(got[0], "whitespace") {
		t.Errorf("whitespace first: %q", got)
	}
}
