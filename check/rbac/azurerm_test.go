package rbac

import (
	"strings"
	"testing"
)

func TestAzurermSets(t *testing.T) {
	sets := azurermSets()
	want := map[string]int{"legacy-68": 68, "legacy-67": 67, "legacy-66": 66, "core": 8, "extended": 50, "all": 70, "none": 0}
	for k, n := range want {
		s, ok := sets[k]
		if !ok || len(s.Namespaces) != n {
			t.Errorf("set %s: %d namespaces, want %d", k, len(s.Namespaces), n)
		}
		if k != "none" && (!strings.HasPrefix(s.Tag, "v") || len(s.Commit) != 40 || !strings.Contains(s.source(), "required.go at "+s.Tag)) {
			t.Errorf("set %s has no tag and commit: %+v", k, s)
		}
	}
	// What the sets in
	// https://github.com/hashicorp/terraform-provider-azurerm/blob/v4.81.0/internal/resourceproviders/required.go
	// show: all is not a superset of legacy, the sets are case-sensitive
	// ("Note that resource providers are case-sensitive."), and each legacy
	// shrank by a retired namespace.
	if contains(sets["all"].Namespaces, "Microsoft.DBforMariaDB") || !contains(sets["legacy-66"].Namespaces, "Microsoft.DBforMariaDB") {
		t.Error("all should lack Microsoft.DBforMariaDB, which legacy has")
	}
	if !contains(sets["legacy-66"].Namespaces, "microsoft.insights") || contains(sets["legacy-66"].Namespaces, "Microsoft.Insights") {
		t.Error("the sets spell microsoft.insights in lower case")
	}
	if !contains(sets["legacy-68"].Namespaces, "Microsoft.TimeSeriesInsights") || contains(sets["legacy-67"].Namespaces, "Microsoft.TimeSeriesInsights") ||
		!contains(sets["legacy-67"].Namespaces, "Microsoft.Media") || contains(sets["legacy-66"].Namespaces, "Microsoft.Media") {
		t.Error("legacy-67 drops Microsoft.TimeSeriesInsights (4.5.0), legacy-66 drops Microsoft.Media (4.27.0)")
	}
	for _, ns := range sets["core"].Namespaces {
		if !contains(sets["extended"].Namespaces, ns) || !contains(sets["all"].Namespaces, ns) {
			t.Errorf("core's %s is missing from extended or all", ns)
		}
	}
}

func TestCandidates(t *testing.T) {
	tests := []struct {
		ver   string
		want  string // lo of each release
		known bool
	}{
		{"", "3.0 3.112 4.0 4.5 4.27 5.0", false},
		{"4.27.0", "4.27", true},
		{"v4.26.3", "4.5", true},
		{"=3.117.1", "3.112", true},
		{"4", "4.0 4.5 4.27", true},
		{"4.4", "4.0", true},
		{"3", "3.0 3.112", true},
		{"5.2.0-beta1", "5.0", true},
		{"~> 4.0", "3.0 3.112 4.0 4.5 4.27 5.0", false},
		{"2.99.0", "3.0 3.112 4.0 4.5 4.27 5.0", false},
	}
	for _, tt := range tests {
		rs, known := candidates(tt.ver)
		var los []string
		for _, r := range rs {
			los = append(los, r.lo)
		}
		if got := strings.Join(los, " "); got != tt.want || known != tt.known {
			t.Errorf("candidates(%q) = %s, %v; want %s, %v", tt.ver, got, known, tt.want, tt.known)
		}
	}
}

func TestPlanFor(t *testing.T) {
	yes, no := true, false
	rel := func(lo string) release {
		for _, r := range releases {
			if r.lo == lo {
				return r
			}
		}
		t.Fatalf("no release %s", lo)
		return release{}
	}
	tests := []struct {
		name    string
		release string
		env     map[string]string
		az      Azurerm
		key     string // "" when azurerm stops with an error
		lists   bool
	}{
		{"3.x default", "3.0", nil, Azurerm{}, "legacy-68", true},
		{"3.x ignores the 4.x variable", "3.112", map[string]string{"ARM_RESOURCE_PROVIDER_REGISTRATIONS": "none"}, Azurerm{}, "legacy-68", true},
		{"3.0-3.111 skip: no registration, no fatal list", "3.0", map[string]string{"ARM_SKIP_PROVIDER_REGISTRATION": "true"}, Azurerm{}, "none", false},
		{"3.112+ skip still lists (enhanced validation)", "3.112", map[string]string{"ARM_SKIP_PROVIDER_REGISTRATION": "true"}, Azurerm{}, "none", true},
		{"3.112+ skip, enhanced validation off", "3.112", map[string]string{"ARM_SKIP_PROVIDER_REGISTRATION": "1", "ARM_PROVIDER_ENHANCED_VALIDATION": "false"}, Azurerm{}, "none", false},
		{"4.x default is legacy", "4.27", nil, Azurerm{}, "legacy-66", true},
		{"4.5 legacy", "4.5", nil, Azurerm{}, "legacy-67", true},
		{"4.x none still lists", "4.27", map[string]string{"ARM_RESOURCE_PROVIDER_REGISTRATIONS": "none"}, Azurerm{}, "none", true},
		{"4.x none, enhanced validation off", "4.27", map[string]string{"ARM_RESOURCE_PROVIDER_REGISTRATIONS": "none", "ARM_PROVIDER_ENHANCED_VALIDATION_RESOURCE_PROVIDERS": "false"}, Azurerm{}, "none", false},
		{"4.x none, features block off", "4.27", map[string]string{"ARM_RESOURCE_PROVIDER_REGISTRATIONS": "none"}, Azurerm{EnhancedValidation: &no}, "none", false},
		{"4.x variable lower-cased", "4.27", map[string]string{"ARM_RESOURCE_PROVIDER_REGISTRATIONS": "Core"}, Azurerm{}, "core", true},
		{"4.x block value is case-sensitive", "4.27", nil, Azurerm{Registrations: "Core"}, "", false},
		{"4.x unknown value", "4.27", map[string]string{"ARM_RESOURCE_PROVIDER_REGISTRATIONS": "some"}, Azurerm{}, "", false},
		{"4.x block wins over the variable", "4.27", map[string]string{"ARM_RESOURCE_PROVIDER_REGISTRATIONS": "all"}, Azurerm{Registrations: "none", EnhancedValidation: &no}, "none", false},
		{"4.x skip with legacy is none", "4.27", map[string]string{"ARM_SKIP_PROVIDER_REGISTRATION": "true"}, Azurerm{}, "none", true},
		{"4.x skip with core is an error", "4.0", map[string]string{"ARM_SKIP_PROVIDER_REGISTRATION": "true", "ARM_RESOURCE_PROVIDER_REGISTRATIONS": "core"}, Azurerm{}, "", false},
		{"4.x skip with none is an error too", "4.27", map[string]string{"ARM_RESOURCE_PROVIDER_REGISTRATIONS": "none"}, Azurerm{SkipRegistration: &yes}, "", false},
		{"4.x to-register makes none list", "4.27", map[string]string{"ARM_PROVIDER_ENHANCED_VALIDATION": "false"}, Azurerm{Registrations: "none", ProvidersToRegister: []string{"Microsoft.App"}}, "none", true},
		{"5.x default none, no list", "5.0", nil, Azurerm{}, "none", false},
		{"5.x ignores skip", "5.0", map[string]string{"ARM_SKIP_PROVIDER_REGISTRATION": "true", "ARM_RESOURCE_PROVIDER_REGISTRATIONS": "core"}, Azurerm{}, "core", true},
		{"5.x legacy", "5.0", map[string]string{"ARM_RESOURCE_PROVIDER_REGISTRATIONS": "legacy"}, Azurerm{}, "legacy-66", true},
		{"5.x enhanced validation on lists", "5.0", map[string]string{"ARM_PROVIDER_ENHANCED_VALIDATION_RESOURCE_PROVIDERS": "true"}, Azurerm{}, "none", true},
		{"5.x rejects the removed block argument", "5.0", nil, Azurerm{SkipRegistration: &no}, "", false},
		{"5.x rejects the removed variable", "5.0", map[string]string{"ARM_PROVIDER_ENHANCED_VALIDATION": "false"}, Azurerm{}, "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := Input{Azurerm: tt.az, Getenv: func(k string) string { return tt.env[k] }}
			p := planFor(rel(tt.release), settingsOf(in))
			if tt.key == "" {
				if p.err == "" {
					t.Errorf("plan %+v, want an error", p)
				}
				return
			}
			if p.err != "" || p.key != tt.key || p.lists != tt.lists || p.why == "" {
				t.Errorf("plan %+v, want set %s, lists %v", p, tt.key, tt.lists)
			}
		})
	}
}
