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
		code, field, presented string
		likely                 string   // substring of the likely cause
		also                   []string // substrings of the rest
		not                    []string // substrings no line may hold
	}{
		{"AADSTS700211", "issuer", "https://acme.app.spacelift.io", "trailing slash", []string{"http://acme.app.spacelift.io", "acme.app.us.spacelift.io", "whitespace"}, nil},
		{"AADSTS700211", "issuer", "https://acme.app.us.spacelift.io", "trailing slash", []string{"acme.app.spacelift.io"}, nil},
		{"AADSTS700212", "audience", "acme.app.spacelift.io", "api://AzureADTokenExchange", []string{"https://acme.app.spacelift.io"}, nil},
		{"AADSTS700213", "subject", "space:production-01HND497T9JKR76MR3KA2CDJHP:stack:infra:run_type:TRACKED:scope:read", "planning phase", []string{"space:production:stack:infra:run_type:TRACKED:scope:read"}, []string{"letter case"}},
		{"AADSTS700213", "subject", "space:root:stack:infra:run_type:TRACKED:scope:write", "the apply phase", nil, []string{"letter case"}},
		{"AADSTS700213", "subject", "space:root:stack:infra:run_type:PROPOSED:scope:read", "proposed runs", nil, []string{"TRACKED"}},
		{"AADSTS70021", "subject", "space:root:stack:infra:run_type:PROPOSED:scope:read", "proposed runs", []string{"run_type:PROPOSED is upper case"}, []string{"TRACKED"}},
		{"AADSTS700213", "subject", "space:root:module:m:run_type:TESTING:scope:write", "module test cases", []string{"space:root:stack:m:run_type:TESTING:scope:write"}, nil},
		{"AADSTS700213", "subject", "space:root:stack:infra:RUN_TYPE:tracked:scope:write", "letter case", nil, nil},
		{"AADSTS700213", "subject", "repo:x/y:ref:refs/heads/main", "custom subject template", nil, nil},
		// Entra names the cause: letter case, first and only.
		{"AADSTS7002138", "subject", "space:root:stack:infra:run_type:PROPOSED:scope:read", "letter case", nil, []string{"TRACKED", "scope:write"}},
	}
	for _, tt := range tests {
		got := MismatchShapes(tt.code, tt.field, tt.presented, nil)
		if !strings.Contains(got.Likely, tt.likely) {
			t.Errorf("MismatchShapes(%s, %s, %q).Likely = %q, want %q in it", tt.code, tt.field, tt.presented, got.Likely, tt.likely)
			continue
		}
		all := strings.Join(got.Also, "\n")
		for _, w := range tt.also {
			if !strings.Contains(all, w) {
				t.Errorf("MismatchShapes(%s, %q).Also lacks %q:\n%s", tt.field, tt.presented, w, all)
			}
		}
		for _, w := range tt.not {
			if strings.Contains(got.Likely+"\n"+all, w) {
				t.Errorf("MismatchShapes(%s, %s, %q) says %q:\n%s\n%s", tt.code, tt.field, tt.presented, w, got.Likely, all)
			}
		}
		if tt.code == "AADSTS7002138" && len(got.Also) != 0 {
			t.Errorf("7002138 gives more than the letter case: %q", got.Also)
		}
	}
	tok := &Token{Issuer: "https://acme.app.spacelift.io", Audience: []string{"acme.app.spacelift.io"}, Subject: "space:root:stack:infra:run_type:TASK:scope:write"}
	if got := MismatchShapes("AADSTS700212", "audience", "", tok); !strings.Contains(got.Likely, "acme.app.spacelift.io") {
		t.Errorf("MismatchShapes from token: %q", got)
	}
	if got := MismatchShapes("AADSTS700211", "issuer", " https://x ", nil); !strings.Contains(got.Likely, "whitespace") {
		t.Errorf("whitespace first: %q", got)
	}
	// The given token's subject is another run's: that is the evidence.
	if got := MismatchShapes("AADSTS700213", "subject", "space:root:stack:infra:run_type:PROPOSED:scope:read", tok); !strings.Contains(got.Likely, "not the given token's") {
		t.Errorf("another run's subject: %q", got)
	}
	// The token's own audience is the portal default: no guess is a finding.
	if got := MismatchShapes("AADSTS700212", "audience", "api://AzureADTokenExchange", nil); got.Likely != "" {
		t.Errorf("a guess printed as a finding: %q", got.Likely)
	}
}
