package fixes

// The state account's network access and name. The az commands are those of
// https://learn.microsoft.com/azure/storage/common/storage-network-security-set-default-access
// (az storage account update --default-action, --public-network-access) and
// https://learn.microsoft.com/cli/azure/storage/account/network-rule
// (az storage account network-rule add --vnet-name --subnet).

import (
	"strings"

	"github.com/oidc-doctor/oidc-doctor/check/diag"
)

// StorageNetwork is the account's network access as ARM shows it; a field
// is "" when the account was not read.
type StorageNetwork struct {
	// PublicAccess is publicNetworkAccess: Enabled, Disabled or SecuredByPerimeter.
	PublicAccess string
	// DefaultAction is networkAcls.defaultAction: Allow or Deny.
	DefaultAction string
}

// StorageOpenNetwork lets any network reach the account's public endpoint,
// which the worker's request did not get through (403 AuthorizationFailure):
// the first fix turns on what is off (both, when the account was not read),
// the next keeps the firewall and allows a private worker pool's subnet.
// account names the account, rg its resource group, and id its ARM id
// (holding a <placeholder> when the subscription or group is not known:
// then az finds the account by its group, or by its name alone). Nil when
// the network already lets everything through, and something else
// refused the request.
func StorageOpenNetwork(account, rg, id string, n StorageNetwork) []diag.Fix {
	var set []string
	if !strings.EqualFold(n.PublicAccess, "Enabled") {
		set = append(set, "--public-network-access Enabled")
	}
	if !strings.EqualFold(n.DefaultAction, "Allow") {
		set = append(set, "--default-action Allow")
	}
	if len(set) == 0 {
		return nil
	}
	target := "--ids " + Shell(id)
	switch {
	case strings.Contains(id, "<") && rg != "":
		target = "--resource-group " + Shell(rg) + " --name " + Shell(account)
	case strings.Contains(id, "<"):
		target = "--ids \"$(az storage account show --name " + Shell(account) + " --query id -o tsv)\""
	}
	out := []diag.Fix{{Title: "let every network reach the account's public endpoint (az CLI): the state stays behind Entra ID and its roles; " +
		"to keep the network restricted, use the next fix", Lang: "sh",
		Text: "az storage account update " + target + " " + strings.Join(set, " ") + "\n" +
			"# check: az storage account show " + target + " --query '{public:publicNetworkAccess, default:networkRuleSet.defaultAction}'\n"}}
	if rg != "" && strings.EqualFold(n.PublicAccess, "Enabled") {
		out = append(out, diag.Fix{Title: "or keep the firewall: run the stack on a private worker pool and allow its subnet " +
			"(the subnet needs the Microsoft.Storage service endpoint)", Lang: "sh",
			Text: "az storage account network-rule add --resource-group " + Shell(rg) + " --account-name " + Shell(account) +
				" --vnet-name <worker-pool-vnet> --subnet <worker-pool-subnet>\n"})
	}
	return out
}

// PrintedAccount is where a look-up's printed storage account name goes.
const PrintedAccount = "<printed-account-name>"

// StorageAccountLookup lists the storage accounts of resource group rg,
// one name a line, and then sets storage_account_name to the one the
// backend means: for a backend block naming an account rg does not hold.
func StorageAccountLookup(rg string) []diag.Fix {
	return []diag.Fix{
		{Title: "look up the storage accounts of resource group " + rg + " (az CLI)", Lang: "sh",
			Text: "az storage account list --resource-group " + Shell(rg) + " --query '[].name' -o tsv\n"},
		{Title: "then set storage_account_name in the backend block to the one that holds the state (a line the look-up printed)", Lang: "hcl",
			Text: "terraform {\n  backend \"azurerm\" {\n    # ... the settings you have, with:\n    storage_account_name = \"" + PrintedAccount + "\"\n  }\n}\n"},
	}
}
