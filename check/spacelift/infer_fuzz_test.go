package spacelift

import "testing"

// FuzzInfer: any subject and claims infer a template and render every
// run type without panicking, and the default format stays the default.
func FuzzInfer(f *testing.F) {
	f.Add("space:root:stack:x:run_type:TRACKED:scope:write", "root", "x", "TRACKED", "write", testRunID, "")
	f.Add("readwrite:TRACKEDread", "r", "read", "TRACKEDread", "read", "", "")
	f.Add("aaaaaaaaaaaa", "a", "a", "aa", "aaa", "aaaaaaaa", "aaaaaaaaa")
	f.Fuzz(func(t *testing.T, sub, space, caller, runType, scope, runID, jti string) {
		c := Claims{SpaceID: space, CallerType: "stack", CallerID: caller, RunType: runType, Scope: scope, RunID: runID}
		tp := Infer(sub, c, RunValue{"jti", jti})
		_ = tp.Text()
		for _, rt := range RunTypes {
			for _, sc := range []string{"read", "write"} {
				if s, ok := tp.Render(rt, sc); ok && tp.Default && s != (Subject{space, "stack", caller, rt, sc}).String() {
					t.Fatalf("default render %q", s)
				}
			}
		}
		tp.Variants(c)
	})
}
