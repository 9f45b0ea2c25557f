package graph

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestScope(t *testing.T) {
	for env, want := range map[string]string{
		"":               "https://graph.microsoft.com/.default",
		"Public":         "https://graph.microsoft.com/.default",
		"usgovernment":   "https://graph.microsoft.us/.default",
		"usgovernmentl5": "https://dod-graph.microsoft.us/.default",
		"dod":            "https://dod-graph.microsoft.us/.default",
		"china":          "https://microsoftgraph.chinacloudapi.cn/.default",
		"mars":           "https://graph.microsoft.com/.default",
	} {
		if got := Scope(env); got != want {
			t.Errorf("Scope(%q) = %q, want %q", env, got, want)
		}
	}
	if got := Endpoint(Scope("china")); got != "https://microsoftgraph.chinacloudapi.cn" {
		t.Errorf("Endpoint = %q", got)
	}
}

func TestReadWids(t *testing.T) {
	got := ReadWids([]string{"62E90394-69F5-4237-9190-012177145E10", AppOnlyWid, "88d8e3e3-8f55-4a1e-953a-9b9898b8876b", "11111111-2222-3333-4444-555555555555"})
	want := Wids{Roles: []string{"Global Administrator", "Directory Readers"}, NotRoles: []string{AppOnlyWid}, Unknown: []string{"11111111-2222-3333-4444-555555555555"}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("ReadWids (-want +got):\n%s", diff)
	}
	if n := len(loadRoles().Roles); n != 123 {
		t.Errorf("%d directory roles, the table has 123", n)
	}
	if RoleID("Application Administrator") != "9b895d92-2cd3-44c7-9d02-a6ac2d5ea5c3" {
		t.Error("RoleID")
	}
}

func TestAzureadTable(t *testing.T) {
	types := Types()
	if len(types) != 19 {
		t.Errorf("%d types, the research table has 19", len(types))
	}
	for _, k := range types {
		e := loadAzuread()[k]
		if len(e.AnyOf) == 0 || !strings.HasPrefix(e.Doc, "docs/") {
			t.Errorf("%s: %+v", k, e)
		}
	}
}

func TestJudge(t *testing.T) {
	tests := []struct {
		typ        string
		data       bool
		roles, wid []string
		want       Outcome
		by, note   string
	}{
		{"azuread_application", false, []string{"Application.ReadWrite.All"}, nil, Met, "Application.ReadWrite.All", "owners include user"},
		{"azuread_application", false, []string{"Application.ReadWrite.OwnedBy"}, nil, Met, "OwnedBy", "owns"},
		{"azuread_application", false, []string{"Application.Read.All"}, nil, Missing, "Application.ReadWrite.OwnedBy or Application.ReadWrite.All (or the directory role Application Administrator or Global Administrator)", ""},
		{"azuread_application", false, nil, []string{"Application Administrator"}, Met, "directory role Application Administrator", ""},
		{"azuread_application", false, nil, []string{"Directory Readers"}, Unsure, "Application.ReadWrite.OwnedBy", "may allow it"},
		{"azuread_group", true, []string{"Directory.Read.All"}, nil, Met, "Directory.Read.All", ""},
		{"azuread_group", true, nil, nil, Missing, "Group.Read.All or Directory.Read.All", ""},
		{"azuread_group", true, nil, []string{"Global Administrator"}, Met, "Global Administrator", ""},
		{"azuread_group_member", false, nil, nil, Unsure, "no permission needed", "owner of the group"},
		{"azuread_app_role_assignment", false, []string{"AppRoleAssignment.ReadWrite.All"}, nil, Missing, "AppRoleAssignment.ReadWrite.All + Application.Read.All or", ""},
		{"azuread_app_role_assignment", false, []string{"AppRoleAssignment.ReadWrite.All", "Directory.Read.All"}, nil, Met, "AppRoleAssignment.ReadWrite.All + Directory.Read.All", ""},
		{"azuread_client_config", true, nil, nil, Met, "no permission needed", ""},
	}
	for _, tt := range tests {
		res, data := []string{tt.typ}, []string(nil)
		if tt.data {
			res, data = nil, res
		}
		needs, unknown := Needs(res, data)
		if len(needs) != 1 || len(unknown) != 0 {
			t.Fatalf("%s: needs %v unknown %v", tt.typ, needs, unknown)
		}
		v := needs[0].Judge(tt.roles, tt.wid)
		if v.Outcome != tt.want || !strings.Contains(v.By, tt.by) || !strings.Contains(v.Note, tt.note) {
			t.Errorf("%s %v %v: %s by %q note %q; want %s by %q note %q", tt.typ, tt.roles, tt.wid, v.Outcome, v.By, v.Note, tt.want, tt.by, tt.note)
		}
		if !strings.HasPrefix(v.Doc, docBase+"docs/") {
			t.Errorf("%s: doc %q", tt.typ, v.Doc)
		}
	}
	_, unknown := Needs([]string{"azuread_named_location", "azurerm_resource_group"}, nil)
	if diff := cmp.Diff([]string{"resource azuread_named_location"}, unknown); diff != "" {
		t.Errorf("unknown (-want +got):\n%s", diff)
	}
}

func TestCanListCredentials(t *testing.T) {
	if CanListCredentials([]string{"User.Read.All"}) || !CanListCredentials([]string{"application.read.all"}) || !CanListCredentials([]string{"Application.ReadWrite.OwnedBy"}) {
		t.Error("CanListCredentials")
	}
}

func TestEveryPermissionHasAnAppRole(t *testing.T) {
	for k, e := range loadAzuread() {
		sets := e.AnyOf
		for _, a := range e.Alternatives {
			sets = append(sets, a.AnyOf...)
		}
		for _, set := range sets {
			for _, p := range set {
				if AppRoleID(p) == "" {
					t.Errorf("%s: no appRole id for %s", k, p)
				}
			}
		}
	}
	if AppRoleID("Application.Read.All") != "9a5d68dd-52b0-4cc2-bd40-abcf44ac3a30" {
		t.Error("Application.Read.All")
	}
	needs, _ := Needs([]string{"azuread_application"}, []string{"azuread_client_config"})
	if got := needs[0].Suggest(); len(got) != 1 || got[0] != "Application.ReadWrite.OwnedBy" {
		t.Errorf("Suggest = %v", got)
	}
	if got := needs[1].Suggest(); got != nil {
		t.Errorf("Suggest for nothing needed = %v", got)
	}
}
