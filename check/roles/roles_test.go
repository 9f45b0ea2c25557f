package roles

import (
	"strings"
	"testing"
)

func TestEmbeddedRoles(t *testing.T) {
	want := map[string]string{
		Owner: "Owner", Contributor: "Contributor", Reader: "Reader", UserAccessAdministrator: "User Access Administrator",
		RBACAdministrator: "Role Based Access Control Administrator", StorageBlobDataOwner: "Storage Blob Data Owner",
		StorageBlobDataContributor: "Storage Blob Data Contributor", StorageBlobDataReader: "Storage Blob Data Reader",
		StorageAccountContributor: "Storage Account Contributor",
	}
	got := Builtin()
	if len(got) != len(want) {
		t.Fatalf("%d embedded roles, want %d", len(got), len(want))
	}
	for _, d := range got {
		if want[d.ID] != d.Name {
			t.Errorf("role %s is named %q, want %q", d.ID, d.Name, want[d.ID])
		}
		if len(d.Permissions) == 0 || !strings.HasPrefix(d.Page, "https://learn.microsoft.com/") || d.Description == "" {
			t.Errorf("%s: permissions %v, page %q, description %q", d.Name, d.Permissions, d.Page, d.Description)
		}
	}
	for _, id := range []string{
		"/subscriptions/0f3e8d2c-5a1b-4c7e-8f6d-b4a9e2c1d705/providers/Microsoft.Authorization/roleDefinitions/B24988AC-6180-42A0-AB88-20F7382DD24C",
		"/providers/Microsoft.Authorization/roleDefinitions/b24988ac-6180-42a0-ab88-20f7382dd24c",
		"b24988ac-6180-42a0-ab88-20f7382dd24c",
	} {
		if d, ok := ByID(id); !ok || d.Name != "Contributor" {
			t.Errorf("ByID(%q) = %q, %v", id, d.Name, ok)
		}
	}
	if _, ok := ByID("6f1d2c3b-4a5e-4f6d-9c8b-7a6e5d4c3b2a"); ok {
		t.Error("a custom role's GUID was found among the built-in roles")
	}
	if d, ok := ByName("storage blob data reader"); !ok || !DataAllowed(d.Permissions, "Microsoft.Storage/storageAccounts/blobServices/containers/blobs/read") ||
		DataAllowed(d.Permissions, "Microsoft.Storage/storageAccounts/blobServices/containers/blobs/write") {
		t.Errorf("Storage Blob Data Reader: %v %+v", ok, d.Permissions)
	}
	// The published facts the RBAC step relies on.
	c, _ := ByName("Contributor")
	if c.Allows("Microsoft.Authorization/roleAssignments/write") || !c.Allows("Microsoft.Compute/register/action") || !c.Allows("Microsoft.Resources/subscriptions/resourceGroups/write") {
		t.Errorf("Contributor's permissions are not as published: %+v", c.Permissions)
	}
}

func TestNarrowest(t *testing.T) {
	tests := []struct {
		actions []string
		want    string // names, narrowest first
	}{
		{[]string{"Microsoft.Resources/subscriptions/providers/read"}, "Reader, Role Based Access Control Administrator, User Access Administrator, Contributor"},
		{[]string{"Microsoft.Resources/subscriptions/resourceGroups/write"}, "Contributor"},
		{[]string{"Microsoft.Resources/deployments/write", "Microsoft.Resources/subscriptions/resourceGroups/write"}, "Contributor"},
		// Storage Account Contributor allows deployments/*, but is no role for a deployment.
		{[]string{"Microsoft.Resources/deployments/write"}, "Contributor"},
		{[]string{"Microsoft.Authorization/roleAssignments/write"}, "Role Based Access Control Administrator, User Access Administrator"},
		{[]string{"Microsoft.Compute/register/action"}, "Contributor"},
		{[]string{"Microsoft.Storage/storageAccounts/listKeys/action"}, "Storage Account Contributor, Contributor"},
		{[]string{"Microsoft.Storage/storageAccounts/blobServices/containers/read"}, "Storage Blob Data Reader, Storage Blob Data Contributor, Storage Blob Data Owner, Reader, Storage Account Contributor, Role Based Access Control Administrator, User Access Administrator, Contributor"},
		// Owner only when nothing else will do.
		{[]string{"Microsoft.Authorization/roleAssignments/write", "Microsoft.Compute/virtualMachines/write"}, "Owner"},
		{nil, ""},
	}
	for _, tt := range tests {
		var names []string
		for _, d := range Narrowest(tt.actions...) {
			names = append(names, d.Name)
		}
		if got := strings.Join(names, ", "); got != tt.want {
			t.Errorf("Narrowest(%v) = %s, want %s", tt.actions, got, tt.want)
		}
	}
}

func TestExistingScope(t *testing.T) {
	const sub = "/subscriptions/0000"
	tests := []struct{ action, scope, want string }{
		{"Microsoft.Resources/subscriptions/resourcegroups/write", sub + "/resourcegroups/rg-new", sub},
		{"Microsoft.Resources/subscriptions/resourceGroups/write", sub + "/resourceGroups/rg-new/", sub},
		{"Microsoft.Resources/subscriptions/resourceGroups/read", sub + "/resourceGroups/rg", sub + "/resourceGroups/rg"},
		{"Microsoft.Storage/storageAccounts/write", sub + "/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/sanew", sub + "/resourceGroups/rg"},
		{"Microsoft.Storage/storageAccounts/blobServices/containers/write", sub + "/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/sa/blobServices/default/containers/tfstate", sub + "/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/sa/blobServices/default"},
		// Writing something else at a scope: the scope exists.
		{"Microsoft.Resources/deployments/write", sub + "/resourceGroups/rg", sub + "/resourceGroups/rg"},
		{"Microsoft.Network/virtualNetworks/subnets/join/action", sub + "/resourceGroups/net/providers/Microsoft.Network/virtualNetworks/v/subnets/s", sub + "/resourceGroups/net/providers/Microsoft.Network/virtualNetworks/v/subnets/s"},
		{"Microsoft.Storage/storageAccounts/write", sub + "/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v", sub + "/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v"},
		{"Microsoft.Storage/storageAccounts/write", "", ""},
	}
	for _, tt := range tests {
		if got := ExistingScope(tt.action, tt.scope); got != tt.want {
			t.Errorf("ExistingScope(%q, %q) = %q, want %q", tt.action, tt.scope, got, tt.want)
		}
	}
}

func TestGrant(t *testing.T) {
	const sub = "/subscriptions/0000"
	// A new resource group: the subscription, never the group.
	fs := Grant("oid-1", []string{"Microsoft.Resources/subscriptions/resourcegroups/write"}, sub+"/resourcegroups/rg-new")
	if len(fs) != 2 || !strings.Contains(fs[0].Text, "--role Contributor --scope "+sub+"\n") || !strings.HasPrefix(fs[0].Title, "least privilege: assign Contributor on the subscription") {
		t.Errorf("resource group create: %+v", fs)
	}
	for _, f := range fs {
		if strings.Contains(f.Text, "rg-new") {
			t.Errorf("a fix names the scope that does not exist yet: %s", f.Text)
		}
	}
	// A deployment into an existing group: the group, then the subscription.
	fs = Grant("oid-1", []string{"Microsoft.Resources/deployments/write"}, sub+"/resourceGroups/rg-app")
	if len(fs) != 3 || !strings.Contains(fs[0].Text, "--scope "+sub+"/resourceGroups/rg-app") || !strings.HasPrefix(fs[2].Title, "broader: ") || !strings.Contains(fs[2].Text, "--scope "+sub+"\n") {
		t.Errorf("deployment: %+v", fs)
	}
	// A read at the subscription: Reader, nothing broader.
	fs = Grant("oid-1", []string{"Microsoft.Resources/subscriptions/providers/read"}, sub)
	if len(fs) != 2 || !strings.Contains(fs[0].Text, "--role Reader") {
		t.Errorf("providers read: %+v", fs)
	}
	if fs := Grant("", nil, sub); !strings.Contains(fs[0].Text, "<role>") {
		t.Errorf("no action: %+v", fs)
	}
}
