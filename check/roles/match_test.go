package roles

import "testing"

// Built-in role permissions as ARM returns them (trimmed).
var (
	permContributor = Permission{
		Actions: []string{"*"},
		NotActions: []string{
			"Microsoft.Authorization/*/Delete",
			"Microsoft.Authorization/*/Write",
			"Microsoft.Authorization/elevateAccess/Action",
		},
	}
	permReader = Permission{Actions: []string{"*/read"}}
	permUAA    = Permission{Actions: []string{"*/read", "Microsoft.Authorization/*", "Microsoft.Support/*"}}
)

func TestActionAllowed(t *testing.T) {
	tests := []struct {
		name   string
		perms  []Permission
		action string
		want   bool
	}{
		{"no permissions", nil, "Microsoft.Resources/subscriptions/read", false},
		{"empty permission", []Permission{{}}, "Microsoft.Resources/subscriptions/read", false},
		{"star allows anything", []Permission{{Actions: []string{"*"}}}, "Microsoft.Compute/virtualMachines/write", true},

		// A prefix matcher that treats "*/read" as a literal prefix fails these.
		{"leading star read allows a read", []Permission{permReader}, "Microsoft.Compute/virtualMachines/read", true},
		{"leading star read allows a nested read", []Permission{permReader}, "Microsoft.Resources/subscriptions/resourceGroups/read", true},
		{"leading star read refuses a write", []Permission{permReader}, "Microsoft.Resources/deployments/write", false},
		{"leading star read refuses a read-like action", []Permission{permReader}, "Microsoft.Web/sites/readiness/action", false},
		{"middle star", []Permission{{Actions: []string{"Microsoft.Authorization/*/write"}}}, "Microsoft.Authorization/roleAssignments/write", true},
		{"middle star needs the suffix", []Permission{{Actions: []string{"Microsoft.Authorization/*/write"}}}, "Microsoft.Authorization/roleAssignments/read", false},
		{"middle star spans slashes", []Permission{{Actions: []string{"Microsoft.Network/*/join/action"}}}, "Microsoft.Network/virtualNetworks/subnets/join/action", true},
		{"several stars backtrack", []Permission{{Actions: []string{"*/*/register/action"}}}, "Microsoft.Compute/register/action", false},
		{"several stars match", []Permission{{Actions: []string{"*/*/register/action"}}}, "Microsoft.Insights/x/register/action", true},

		// A prefix matcher without the star fails these.
		{"no star means whole action", []Permission{{Actions: []string{"Microsoft.Compute/virtualMachines"}}}, "Microsoft.Compute/virtualMachines/read", false},
		{"namespace star stays in namespace", []Permission{{Actions: []string{"Microsoft.Compute/*"}}}, "Microsoft.ComputeSchedule/actions/read", false},
		{"namespace star spans slashes", []Permission{{Actions: []string{"Microsoft.Compute/*"}}}, "Microsoft.Compute/virtualMachines/extensions/write", true},
		{"exact action", []Permission{{Actions: []string{"Microsoft.Resources/deployments/write"}}}, "Microsoft.Resources/deployments/write", true},

		// A case-sensitive matcher fails these.
		{"case-insensitive action", []Permission{{Actions: []string{"Microsoft.Resources/deployments/write"}}}, "microsoft.resources/DEPLOYMENTS/Write", true},
		{"case-insensitive notAction", []Permission{permContributor}, "Microsoft.Authorization/roleAssignments/write", false},
		{"case-insensitive wildcard", []Permission{{Actions: []string{"MICROSOFT.COMPUTE/*/READ"}}}, "Microsoft.Compute/disks/read", true},

		{"contributor writes resources", []Permission{permContributor}, "Microsoft.Resources/subscriptions/resourceGroups/write", true},
		{"contributor registers providers", []Permission{permContributor}, "Microsoft.Compute/register/action", true},
		{"contributor reads role assignments", []Permission{permContributor}, "Microsoft.Authorization/roleAssignments/read", true},

		// notActions subtract per permission: a global-notActions matcher fails these.
		{"another permission restores a notAction", []Permission{permContributor, permUAA}, "Microsoft.Authorization/roleAssignments/write", true},
		{"order does not matter", []Permission{permUAA, permContributor}, "Microsoft.Authorization/roleAssignments/write", true},
		{"permissions add up", []Permission{permReader, {Actions: []string{"Microsoft.Resources/deployments/write"}}}, "Microsoft.Resources/deployments/write", true},
		{"notAction of the only granting permission", []Permission{
			{Actions: []string{"Microsoft.Storage/*"}, NotActions: []string{"Microsoft.Storage/storageAccounts/listKeys/action"}},
			permReader,
		}, "Microsoft.Storage/storageAccounts/listKeys/action", false},
		{"notAction only", []Permission{{NotActions: []string{"*"}}}, "Microsoft.Compute/disks/read", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Allowed(tt.perms, tt.action); got != tt.want {
				t.Errorf("Allowed(%v, %q) = %v, want %v", tt.perms, tt.action, got, tt.want)
			}
		})
	}
}

func TestMatchAction(t *testing.T) {
	tests := []struct {
		pattern, action string
		want            bool
	}{
		{"", "", true},
		{"", "a", false},
		{"*", "", true},
		{"**", "a/b", true},
		{"a*", "a", true},
		{"*a", "ba", true},
		{"*a", "ab", false},
		{"a*b*c", "aXbYbZc", true},
		{"a*b*c", "aXbYbZ", false},
		{"Microsoft.Authorization/*/Write", "microsoft.authorization/locks/write", true},
		{"Microsoft.Authorization/*/Write", "Microsoft.Authorization/write", false},
	}
	for _, tt := range tests {
		if got := matchAction(tt.pattern, tt.action); got != tt.want {
			t.Errorf("matchAction(%q, %q) = %v, want %v", tt.pattern, tt.action, got, tt.want)
		}
	}
}
