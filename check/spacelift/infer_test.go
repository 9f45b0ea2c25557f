package spacelift

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

const testRunID = "01JQ7V9ZK3M2X8E4RB6T5WNC0D"

func claimsFor(runType, scope string) Claims {
	return Claims{SpaceID: "us-east-1", SpacePath: "/root/production/us-east-1", CallerType: "stack", CallerID: "azure-test",
		RunType: runType, RunID: testRunID, Scope: scope}
}

func TestInferTemplate(t *testing.T) {
	tests := []struct {
		name    string
		sub     string
		c       Claims
		text    string
		unsure  string
		perRun  string
		render  [2]string // run type and scope to render
		want    string
		renders bool
	}{
		{"default format", "space:us-east-1:stack:azure-test:run_type:TRACKED:scope:write", claimsFor("TRACKED", "write"),
			"space:{spaceId}:{callerType}:{callerId}:run_type:{runType}:scope:{scope}", "", "",
			[2]string{"PROPOSED", "read"}, "space:us-east-1:stack:azure-test:run_type:PROPOSED:scope:read", true},
		{"the docs' hierarchical example", "space:us-east-1:space_path:/root/production/us-east-1:stack:azure-test:run_type:TRACKED:scope:write", claimsFor("TRACKED", "write"),
			"space:us-east-1:space_path:/root/production/us-east-1:stack:azure-test:run_type:{runType}:scope:{scope}", "", "",
			[2]string{"TRACKED", "read"}, "space:us-east-1:space_path:/root/production/us-east-1:stack:azure-test:run_type:TRACKED:scope:read", true},
		{"no run type in the template", "azure-test|write", claimsFor("TASK", "write"),
			"azure-test|{scope}", "", "",
			[2]string{"PROPOSED", "read"}, "azure-test|read", true},
		{"the run id in the template", "stack:azure-test:run:" + testRunID + ":TRACKED", claimsFor("TRACKED", "write"),
			"stack:azure-test:run:{runId}:{runType}", "", "runId " + testRunID,
			[2]string{"DESTROY", "write"}, "stack:azure-test:run:<runId>:DESTROY", true},
		{"a stack named after the scope", "azure-test:write-infra:TRACKED:write", Claims{SpaceID: "root", CallerType: "stack", CallerID: "write-infra", RunType: "TRACKED", RunID: testRunID, Scope: "write"},
			"azure-test:write-infra:{runType}:{scope}", "", "",
			[2]string{"PROPOSED", "read"}, "azure-test:write-infra:PROPOSED:read", true},
		{"the scope only inside the stack id", "root:write-infra:TRACKED", Claims{SpaceID: "root", CallerType: "stack", CallerID: "write-infra", RunType: "TRACKED", RunID: testRunID, Scope: "write"},
			"root:write-infra:{runType}", "{scope}: write appears only inside another claim's value", "",
			[2]string{"TRACKED", "read"}, "", false},
		{"the same scope for another run type", "root:write-infra:TRACKED", Claims{SpaceID: "root", CallerType: "stack", CallerID: "write-infra", RunType: "TRACKED", RunID: testRunID, Scope: "write"},
			"root:write-infra:{runType}", "{scope}", "",
			[2]string{"DESTROY", "write"}, "root:write-infra:DESTROY", true},
		{"the run type twice", "TRACKED:azure-test:TRACKED:write", claimsFor("TRACKED", "write"),
			"TRACKED:azure-test:TRACKED:{scope}", "{runType}: TRACKED appears more than once", "",
			[2]string{"PROPOSED", "write"}, "", false},
		{"a literal that holds the value", "reader:azure-test:read", claimsFor("PROPOSED", "read"),
			"reader:azure-test:{scope}", "", "",
			[2]string{"PROPOSED", "write"}, "reader:azure-test:write", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tp := Infer(tt.sub, tt.c)
			if got := tp.Text(); got != tt.text {
				t.Errorf("Text = %q, want %q", got, tt.text)
			}
			if got := strings.Join(tp.Unsure, "; "); (tt.unsure == "") != (got == "") || !strings.Contains(got, tt.unsure) {
				t.Errorf("Unsure = %q, want %q", got, tt.unsure)
			}
			if tp.PerRun != tt.perRun {
				t.Errorf("PerRun = %q, want %q", tp.PerRun, tt.perRun)
			}
			got, ok := tp.Render(tt.render[0], tt.render[1])
			if got != tt.want || ok != tt.renders {
				t.Errorf("Render%v = %q, %v; want %q, %v", tt.render, got, ok, tt.want, tt.renders)
			}
		})
	}
}

func TestTemplateVariants(t *testing.T) {
	c := claimsFor("TRACKED", "read")
	tp := Infer("us-east-1/azure-test/read", c)
	vs, cannot := tp.Variants(c)
	var got []string
	for _, v := range vs {
		got = append(got, v.String())
	}
	// Without {runType}, the five run types share two subjects.
	if diff := cmp.Diff([]string{"us-east-1/azure-test/read", "us-east-1/azure-test/write"}, got); diff != "" {
		t.Errorf("subjects (-want +got):\n%s", diff)
	}
	if len(cannot) != 0 {
		t.Errorf("cannot = %v", cannot)
	}
	if !strings.Contains(vs[1].Why, "tasks") || !strings.Contains(vs[1].Why, "apply phase") {
		t.Errorf("merged reasons = %q", vs[1].Why)
	}

	tp = Infer("TRACKED:azure-test:TRACKED:read", c)
	vs, cannot = tp.Variants(c)
	if len(vs) != 2 || vs[0].String() != "TRACKED:azure-test:TRACKED:read" || vs[1].String() != "TRACKED:azure-test:TRACKED:write" {
		t.Errorf("with the run type unknown, only this run type's subjects: %+v", vs)
	}
	if diff := cmp.Diff([]string{"PROPOSED read", "TASK write", "DESTROY write"}, cannot); diff != "" {
		t.Errorf("cannot (-want +got):\n%s", diff)
	}
}

func TestPerRunValue(t *testing.T) {
	vals := []RunValue{{"runId", testRunID}, {"jti", "abc"}, {"TF_VAR_spacelift_run_id", ""}}
	if v, ok := PerRunValue("stack:x:"+testRunID, vals); !ok || v.Name != "runId" {
		t.Errorf("got %v %v", v, ok)
	}
	if _, ok := PerRunValue("stack:abc:x", vals); ok {
		t.Error("a short value matched by chance")
	}
}
