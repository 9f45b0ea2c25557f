package explain

import (
	"strings"
	"testing"
)

// A denied resource-group write names a group that does not exist yet: the
// fix is a role on the subscription, never on the group-to-be; a write into
// an existing group gets that group first, then the subscription, labelled.
func TestPasteGrantsAtAnExistingScope(t *testing.T) {
	msg := func(action, scope string) string {
		return `{"error":{"code":"AuthorizationFailed","message":"The client 'c' with object id 'oid-1' does not have authorization to perform action '` + action + `' over scope '` + scope + `' or the scope is invalid. If access was recently granted, please refresh your credentials."}}`
	}
	fs := Paste(msg("Microsoft.Resources/subscriptions/resourcegroups/write", "/subscriptions/0000/resourcegroups/rg-new"), nil)
	if len(fs) != 1 || len(fs[0].Fixes) == 0 {
		t.Fatalf("findings %+v", fs)
	}
	for _, f := range fs[0].Fixes {
		if strings.Contains(f.Text, "rg-new") {
			t.Errorf("fix %q assigns at the group that does not exist yet:\n%s", f.Title, f.Text)
		}
	}
	if f := fs[0].Fixes[0]; !strings.Contains(f.Text, "--role Contributor --scope /subscriptions/0000\n") || !strings.HasPrefix(f.Title, "least privilege: ") {
		t.Errorf("first fix %q:\n%s", f.Title, f.Text)
	}
	fs = Paste(msg("Microsoft.Resources/deployments/write", "/subscriptions/0000/resourceGroups/rg-app"), nil)
	if n := len(fs[0].Fixes); n != 3 || !strings.Contains(fs[0].Fixes[0].Text, "--scope /subscriptions/0000/resourceGroups/rg-app") || !strings.HasPrefix(fs[0].Fixes[n-1].Title, "broader: ") {
		t.Errorf("deployment into an existing group: %+v", fs[0].Fixes)
	}
}
