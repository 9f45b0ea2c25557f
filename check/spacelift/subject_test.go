package spacelift

import (
	"strings"
	"testing"
)

func TestParseSubject(t *testing.T) {
	tests := []struct {
		in      string
		want    Subject
		wantErr string
	}{
		{"space:root:stack:infra:run_type:TRACKED:scope:write", Subject{"root", "stack", "infra", "TRACKED", "write"}, ""},
		{"space:production-01HND497T9JKR76MR3KA2CDJHP:module:my-module:run_type:TESTING:scope:read", Subject{"production-01HND497T9JKR76MR3KA2CDJHP", "module", "my-module", "TESTING", "read"}, ""},
		{"space:root:stack:infra:run_type:tracked:scope:write", Subject{}, "run type"},
		{"space:root:stack:infra:run_type:TRACKED:scope:Write", Subject{}, "scope"},
		{"space:root:space_path:/root:stack:infra:run_type:TRACKED:scope:write", Subject{}, "fields"},
		{"space::stack:infra:run_type:TRACKED:scope:write", Subject{}, "space id is empty"},
		{"repo:org/repo:ref:refs/heads/main", Subject{}, "fields"},
		{"", Subject{}, "fields"},
	}
	for _, tt := range tests {
		got, err := ParseSubject(tt.in)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("ParseSubject(%q) err = %v, want %q", tt.in, err, tt.wantErr)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("ParseSubject(%q) = %+v, %v; want %+v", tt.in, got, err, tt.want)
		}
		if got.String() != tt.in {
			t.Errorf("round trip %q -> %q", tt.in, got.String())
		}
	}
}

func TestAllSubjects(t *testing.T) {
	st := AllSubjects("root", "stack", "infra")
	if len(st) != 5 {
		t.Fatalf("stack subjects = %d, want 5", len(st))
	}
	seen := map[string]bool{}
	for _, v := range st {
		if _, err := ParseSubject(v.Subject.String()); err != nil {
			t.Errorf("%s does not parse: %v", v.Subject, err)
		}
		seen[v.Subject.String()] = true
	}
	if !seen["space:root:stack:infra:run_type:TRACKED:scope:read"] || !seen["space:root:stack:infra:run_type:DESTROY:scope:write"] {
		t.Errorf("missing subjects: %v", seen)
	}
	mod := AllSubjects("dev-01JS", "module", "m")
	hasStackForm := false
	for _, v := range mod {
		if v.Subject.CallerType == "stack" && v.Uncertain != "" {
			hasStackForm = true
		}
	}
	if !hasStackForm {
		t.Errorf("module subjects lack the docs' stack-segment form with its reason")
	}
}

func FuzzParseSubject(f *testing.F) {
	for _, s := range []string{"space:root:stack:infra:run_type:TRACKED:scope:write", "space:a:module:b:run_type:TESTING:scope:read", "::::::::", "space:root"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		sub, err := ParseSubject(s)
		if err == nil && sub.String() != s {
			t.Fatalf("accepted %q but renders %q", s, sub.String())
		}
	})
}

func TestUntemplatable(t *testing.T) {
	for _, tc := range []struct {
		sub  string
		want rune
		at   int
	}{
		{"space:root:stack:azure-infra:run_type:TRACKED:scope:write", 0, -1},
		{"space:production-01HND497T9JKR76MR3KA2CDJHP:space_path:/root/production:stack:x:run_type:TRACKED:scope:write", 0, -1},
		{"{stack}|x", 0, -1},
		{"space:root:stack:a b", ' ', 18},
		{"space:root\x1b[2K", 0x1b, 10},
		{"space:root:stack:infra.prod", '.', 22},
		{"space:röot", 'ö', 7},
		{"space:root\u202e", '\u202e', 10},
	} {
		if r, at := Untemplatable(tc.sub); r != tc.want || at != tc.at {
			t.Errorf("Untemplatable(%q) = %q at %d, want %q at %d", tc.sub, r, at, tc.want, tc.at)
		}
	}
}
