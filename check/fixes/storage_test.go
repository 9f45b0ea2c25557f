package fixes

import (
	"slices"
	"strings"
	"testing"
)

// TestStorageOpenNetwork: the first fix turns on what the account's network
// has off, naming the account as exactly as is known, and runs in sh with
// the arguments az expects; an open network gets no fix.
func TestStorageOpenNetwork(t *testing.T) {
	const id = "/subscriptions/s/resourceGroups/rg-tfstate/providers/Microsoft.Storage/storageAccounts/st1"
	tests := []struct {
		name, rg, id string
		n            StorageNetwork
		want         []string // az's arguments
		next         bool     // the firewall-keeping alternative follows
	}{
		{"firewall", "rg-tfstate", id, StorageNetwork{"Enabled", "Deny"},
			[]string{"storage", "account", "update", "--ids", id, "--default-action", "Allow"}, true},
		{"public access off", "rg-tfstate", id, StorageNetwork{"Disabled", "Deny"},
			[]string{"storage", "account", "update", "--ids", id, "--public-network-access", "Enabled", "--default-action", "Allow"}, false},
		{"not read, group known", "rg-tfstate", "/subscriptions/<subscription-id>/resourceGroups/rg-tfstate/providers/Microsoft.Storage/storageAccounts/st1", StorageNetwork{},
			[]string{"storage", "account", "update", "--resource-group", "rg-tfstate", "--name", "st1", "--public-network-access", "Enabled", "--default-action", "Allow"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fs := StorageOpenNetwork("st1", tt.rg, tt.id, tt.n)
			if len(fs) == 0 {
				t.Fatal("no fix")
			}
			calls := runSh(t, fs[0].Text, "")
			if !slices.Equal(calls[0], tt.want) {
				t.Errorf("az %q, want %q", calls[0], tt.want)
			}
			if got := len(fs) > 1 && strings.Contains(fs[1].Text, "network-rule add --resource-group rg-tfstate --account-name st1"); got != tt.next {
				t.Errorf("the alternative: %v, want %v: %+v", got, tt.next, fs)
			}
		})
	}
	if fs := StorageOpenNetwork("st1", "", "/subscriptions/<subscription-id>/resourceGroups/<resource-group>/providers/Microsoft.Storage/storageAccounts/st1", StorageNetwork{}); !strings.Contains(fs[0].Text, `--ids "$(az storage account show --name st1 --query id -o tsv)"`) {
		t.Errorf("with no group, az looks the account up by name: %s", fs[0].Text)
	}
	if fs := StorageOpenNetwork("st1", "rg", id, StorageNetwork{"Enabled", "Allow"}); fs != nil {
		t.Errorf("an open network gets %+v", fs)
	}
}

// TestConditionalAccess: one read of each policy the answer names, in the
// cloud's Graph, and who must act; a list when none is named.
func TestConditionalAccess(t *testing.T) {
	fs := ConditionalAccess("https://graph.microsoft.us", []string{"p1", "p2"}, "c1")
	calls := runSh(t, fs[0].Text, "")
	if len(calls) != 2 || calls[0][4] != "https://graph.microsoft.us/v1.0/identity/conditionalAccess/policies/p1" || calls[1][4] != "https://graph.microsoft.us/v1.0/identity/conditionalAccess/policies/p2" {
		t.Errorf("calls %q", calls)
	}
	if !strings.Contains(fs[0].Text, "Conditional Access Administrator") || !strings.Contains(fs[0].Text, "client id c1") {
		t.Errorf("who must act is not said:\n%s", fs[0].Text)
	}
	if calls := runSh(t, ConditionalAccess("", nil, "c1")[0].Text, ""); len(calls) != 1 || calls[0][4] != "https://graph.microsoft.com/v1.0/identity/conditionalAccess/policies" {
		t.Errorf("with no policy named: %q", calls)
	}
}

// TestStorageAccountLookup: the look-up lists the group's accounts, and
// the follow-up sets storage_account_name to what it prints.
func TestStorageAccountLookup(t *testing.T) {
	fs := StorageAccountLookup("rg-tfstate")
	calls := runSh(t, fs[0].Text, "")
	if want := []string{"storage", "account", "list", "--resource-group", "rg-tfstate", "--query", "[].name", "-o", "tsv"}; !slices.Equal(calls[0], want) {
		t.Errorf("az %q, want %q", calls[0], want)
	}
	if len(fs) != 2 || !strings.Contains(fs[1].Text, `storage_account_name = "`+PrintedAccount+`"`) {
		t.Errorf("follow-up: %+v", fs)
	}
}
