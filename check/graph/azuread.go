package graph

// What the azuread provider's resources and data sources need from
// Microsoft Graph, from the "API Permissions" section of each one's
// documentation (hashicorp/terraform-provider-azuread docs/, v3.9.0, the
// same text at v2.53.1 but for azuread_group and at 2026-08-17's HEAD; read
// 2026-12-01). This is documentation, not a guarantee of Graph's
// behaviour, so a need is only "missing" when neither an application
// permission nor a directory role of the token could meet it.

import (
	_ "embed"
	"encoding/json"
	"sort"
	"strings"
	"sync"
)

//go:embed azuread_permissions.json
var azureadJSON []byte

// docBase is where each entry's doc path is published.
const docBase = "https://github.com/hashicorp/terraform-provider-azuread/blob/v3.9.0/"

type azureadEntry struct {
	AnyOf        [][]string `json:"any_of"`
	Doc          string     `json:"doc"`
	Alternatives []struct {
		When  string     `json:"when"`
		AnyOf [][]string `json:"any_of"`
	} `json:"alternatives"`
	MoreWhen       []string `json:"more_when"`
	DirectoryRoles []string `json:"directory_roles"`
}

var loadAzuread = sync.OnceValue(func() map[string]azureadEntry {
	var d struct {
		Types map[string]azureadEntry `json:"types"`
	}
	if err := json.Unmarshal(azureadJSON, &d); err != nil {
		panic("graph: azuread_permissions.json: " + err.Error()) // embedded: a test reads it
	}
	return d.Types
})

// Need is what one resource or data source type needs.
type Need struct {
	// Type is "resource azuread_group" or "data azuread_group".
	Type string
	// Doc is the documentation page that says so.
	Doc   string
	entry azureadEntry
}

// Needs returns the needs of the azuread resource and data source types
// in use, in that order; unknown lists the azuread_* types the table does
// not hold (not judged).
func Needs(resources, dataSources []string) (needs []Need, unknown []string) {
	tbl := loadAzuread()
	for _, kind := range []struct {
		key, word string
		types     []string
	}{{"resource.", "resource ", resources}, {"data.", "data ", dataSources}} {
		for _, t := range kind.types {
			if !strings.HasPrefix(t, "azuread_") {
				continue
			}
			e, ok := tbl[kind.key+t]
			if !ok {
				unknown = append(unknown, kind.word+t)
				continue
			}
			needs = append(needs, Need{Type: kind.word + t, Doc: docBase + e.Doc, entry: e})
		}
	}
	return needs, unknown
}

// Outcome is whether a token meets a need.
type Outcome string

// The outcomes of Judge.
const (
	Met     Outcome = "met"
	Unsure  Outcome = "unsure"
	Missing Outcome = "missing"
)

// Verdict is a need judged against a token's roles and directory roles.
type Verdict struct {
	Need
	Outcome Outcome
	// By says what meets it ("Application.ReadWrite.All", "directory role
	// Global Administrator"); for Unsure and Missing, what would.
	By string
	// Note is a condition the token cannot show (ownership, owners that
	// are users).
	Note string
}

// Options lists the permission sets that meet the need, in the
// documentation's order: "Group.ReadWrite.All or Directory.ReadWrite.All".
func (n Need) Options() string {
	var opts []string
	for _, set := range n.entry.AnyOf {
		if len(set) == 0 {
			opts = append(opts, "no permission")
			continue
		}
		opts = append(opts, strings.Join(set, " + "))
	}
	return strings.Join(opts, " or ")
}

// Judge says whether roles (the token's roles claim) and directoryRoles
// (the names its wids give) meet the need. A directory role the
// documentation lists for users, or Global Administrator, meets it: Graph
// honours directory roles assigned to a service principal too. Any other
// directory role makes a need Unsure rather than Missing.
func (n Need) Judge(roles, directoryRoles []string) Verdict {
	v := Verdict{Need: n}
	if len(n.entry.MoreWhen) > 0 {
		v.Note = "more when " + strings.Join(n.entry.MoreWhen, "; ")
	}
	if set, ok := firstHeld(n.entry.AnyOf, roles); ok {
		v.Outcome, v.By = Met, setText(set)
		if contains(set, "Application.ReadWrite.OwnedBy") {
			v.Note = join(v.Note, "OwnedBy only reaches the applications (and service principals) the identity owns, which includes those it creates")
		}
		return v
	}
	for _, r := range directoryRoles {
		if strings.EqualFold(r, "Global Administrator") || contains(n.entry.DirectoryRoles, r) {
			v.Outcome, v.By = Met, "directory role "+r
			return v
		}
	}
	for _, alt := range n.entry.Alternatives {
		if set, ok := firstHeld(alt.AnyOf, roles); ok {
			v.Outcome, v.By = Unsure, setText(set)
			v.Note = join(v.Note, "enough only when "+alt.When)
			return v
		}
	}
	v.Outcome, v.By = Missing, n.Options()
	if len(n.entry.DirectoryRoles) > 0 {
		v.By += " (or the directory role " + strings.Join(n.entry.DirectoryRoles, " or ") + ")"
	}
	if len(directoryRoles) > 0 {
		v.Outcome = Unsure
		v.Note = join(v.Note, "the identity holds the directory role "+strings.Join(directoryRoles, ", ")+", which may allow it")
	}
	return v
}

// firstHeld is the first set of sets whose permissions roles all hold.
func firstHeld(sets [][]string, roles []string) ([]string, bool) {
	for _, set := range sets {
		held := true
		for _, p := range set {
			held = held && contains(roles, p)
		}
		if held {
			return set, true
		}
	}
	return nil, false
}

// setText renders a permission set for By.
func setText(set []string) string {
	if len(set) == 0 {
		return "no permission needed"
	}
	return strings.Join(set, " + ")
}

func contains(xs []string, s string) bool {
	for _, x := range xs {
		if strings.EqualFold(x, s) {
			return true
		}
	}
	return false
}

func join(a, b string) string {
	if a == "" {
		return b
	}
	return a + "; " + b
}

// Types lists every type the table holds, sorted, for tests.
func Types() []string {
	var out []string
	for k := range loadAzuread() {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
