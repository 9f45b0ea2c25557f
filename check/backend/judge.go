package backend

// The live checks' judgements, per release line: backend-account (the
// storage account through ARM), backend-data (List Blobs with Entra ID, or
// whether a key lookup can work) and backend-lock (blob write, which the
// state lock's lease needs).

import (
	"fmt"
	"strings"

	"github.com/oidc-doctor/oidc-doctor/check/diag"
	"github.com/oidc-doctor/oidc-doctor/check/explain"
	"github.com/oidc-doctor/oidc-doctor/check/fixes"
)

// Actions the backend needs.
const (
	actAccountRead = "Microsoft.Storage/storageAccounts/read"
	actListKeys    = "Microsoft.Storage/storageAccounts/listKeys/action"
	dataBlobWrite  = "Microsoft.Storage/storageAccounts/blobServices/containers/blobs/write"
	roleKeyOp      = "Storage Account Key Operator Service Role"
	roleDataContr  = "Storage Blob Data Contributor"
)

func (lv live) accountScope() string {
	v := lv.p.v
	return "/subscriptions/" + placeholder(diagText(v, "subscription_id"), "<subscription-id>") +
		"/resourceGroups/" + placeholder(diagText(v, "resource_group_name"), "<resource-group>") +
		"/providers/Microsoft.Storage/storageAccounts/" + v["storage_account_name"].Text
}

func (lv live) containerScope() string {
	return lv.accountScope() + "/blobServices/default/containers/" + lv.p.v["container_name"].Text
}

func placeholder(v, p string) string {
	if v == "" {
		return p
	}
	return v
}

func judgeAccount(in Input, plans []plan, lv live) diag.Result {
	if !lv.account.ran {
		return skip(idAccount, "resource_group_name or subscription_id is not set, so the account is not read through ARM (Terraform ≥ 1.11.2 with use_azuread_auth does not need to)")
	}
	step := "GET " + lv.accountScope()
	var per []perLine
	for _, p := range plans {
		per = append(per, perLine{p.line, accountVerdict(in, p, lv, step)})
	}
	r := merge(idAccount, per)
	r.Elapsed = lv.account.elapsed
	return r
}

func accountVerdict(in Input, p plan, lv live, step string) verdict {
	needed := p.armRead
	why := "this release reads the account through ARM before anything else"
	if p.line.ID == "terraform-1.11.0" && p.via == viaEntra {
		why = "this release reads the account through ARM even with use_azuread_auth (hashicorp/terraform#36595)"
	} else if p.via == viaKeyLookup {
		why = "the key lookup reads the account through ARM"
	}
	if err := lv.account.err; err != nil {
		v := in.failure(step, armHost(in), err)
		if !needed {
			if v.cause.Fault() {
				return verdict{status: diag.StatusPass, summary: "this release does not read the account through ARM (the doctor's read did not finish)"}
			}
			if v.code == "ResourceNotFound" || v.code == "ResourceGroupNotFound" {
				return verdict{status: diag.StatusWarn, cause: diag.CauseOther, code: v.code, facts: v.facts,
					summary: "resource_group_name names no such account (" + v.code + "); this release does not use it, but a key lookup or lookup_blob_endpoint would fail",
					hint:    "set resource_group_name to the account's resource group: az storage account show -n " + fixes.Shell(p.v["storage_account_name"].Text) + " --query resourceGroup -o tsv"}
			}
			return verdict{status: diag.StatusPass, summary: "this release does not read the account through ARM (the doctor's read was refused: " + diag.Absent(v.code) + ")"}
		}
		v.summary = why + ", and that read failed: " + v.summary
		if v.code == "AuthorizationFailed" {
			v.fixes = fixes.RoleAssignment(in.ObjectID, "Reader", lv.accountScope())
			if p.line.ID == "terraform-1.11.0" {
				v.hint = "Upgrade to Terraform 1.11.2 or later, which reads the account only when it must (hashicorp/terraform#36623), or grant Reader on the account. " + v.hint
			}
		}
		return v
	}
	a := lv.account.acct
	v := verdict{status: diag.StatusPass, facts: accountFacts(a)}
	v.summary = "read the account through ARM: " + sharedKeyPhrase(a) + "; " + networkPhrase(a)
	need := "no"
	if needed {
		need = "yes: " + why
	}
	v.facts = append(v.facts, diag.F("init reads it through ARM", need))
	if restricted(a) && p.via == viaKeyLookup {
		v.status, v.cause = diag.StatusWarn, diag.CauseNetworkConfig
		v.summary = "the account restricts network access (" + networkPhrase(a) + "): the key lookup works, but the data plane may refuse this worker"
		v.hint = "Spacelift's public workers cannot be allow-listed by IP address; use a private worker pool in a network the account allows, or allow public network access"
	}
	return v
}

func judgeData(in Input, plans []plan, lv live) diag.Result {
	var per []perLine
	for _, p := range plans {
		per = append(per, perLine{p.line, dataVerdict(in, p, lv)})
	}
	r := merge(idData, per)
	r.Elapsed = max(lv.blobs.elapsed, lv.keyPerms.elapsed)
	return r
}

func dataVerdict(in Input, p plan, lv live) verdict {
	switch p.via {
	case viaEntra:
		return blobsVerdict(in, lv)
	case viaKeyLookup:
		return keyVerdict(in, lv)
	case viaAccessKey:
		if lv.account.err == nil && lv.account.ran && sharedKeyDisabled(lv.account.acct) {
			return verdict{status: diag.StatusFail, cause: diag.CauseStorageAccessDenied, code: explain.StorageKeyBasedNotAllowed,
				summary: "the backend uses an access key, and the account does not allow shared-key access: List Blobs will answer 403 KeyBasedAuthenticationNotPermitted",
				hint:    explain.SharedKeyHint()}
		}
	}
	return verdict{status: diag.StatusSkip, summary: "skipped: the doctor never uses keys or SAS tokens"}
}

// blobsVerdict judges List Blobs.
func blobsVerdict(in Input, lv live) verdict {
	b := lv.blobs
	q := explain.StorageRequest{Step: b.step, Account: lv.p.v["storage_account_name"].Text, Container: lv.p.v["container_name"].Text,
		ObjectID: in.ObjectID, ContainerScope: lv.containerScope(), ResourceGroup: diagText(lv.p.v, "resource_group_name"), AccountID: lv.accountScope()}
	if lv.account.ran && lv.account.err == nil {
		q.Network = storageNetwork(lv.account.acct)
	}
	facts := []diag.Fact{diag.F("request", b.step)}
	if len(b.addrs) > 0 {
		facts = append(facts, diag.F("resolves to", strings.Join(b.addrs, ", ")))
	}
	switch {
	case b.err != nil:
		v := networkVerdict(in, b, lv)
		v.facts = append(facts, v.facts...)
		return v
	case b.status != 200:
		ev := explain.Storage(b.failure, q)
		return verdict{status: diag.StatusFail, summary: ev.Summary, hint: ev.Hint, cause: ev.Cause, code: ev.ErrorCode,
			facts: append(facts, ev.Facts[1:]...), fixes: ev.Fixes}
	}
	v := verdict{status: diag.StatusPass, facts: facts,
		summary: "List Blobs on " + q.Container + " answered 200 with a token for Azure Storage: the identity can read the state"}
	found := false
	for _, n := range b.names {
		found = found || n == lv.p.v["key"].Text
	}
	if found {
		v.facts = append(v.facts, diag.F("state blob", lv.p.v["key"].Text+" exists"))
	} else {
		v.facts = append(v.facts, diag.F("state blob", "no blob named "+lv.p.v["key"].Text+" yet: init creates it, which needs write (see backend-lock)"))
	}
	if private(b.addrs) {
		v.facts = append(v.facts, diag.F("network", "reached over a private address: this worker is inside the account's network"))
	}
	return v
}

// networkVerdict judges a List Blobs that got no answer, using the DNS
// lookup: no such host and a private address are the network's set-up
// (Terraform fails the same way), a timeout to a public address a fault.
func networkVerdict(in Input, b blobsOutcome, lv live) verdict {
	v := in.failure(b.step, b.host, b.err)
	if isTokenFailure(b.err) {
		return v
	}
	switch {
	case isNotFound(b.err):
		v.cause = diag.CauseNetworkConfig
		v.summary = b.host + " does not resolve: no storage account is called " + lv.p.v["storage_account_name"].Text + ", or only a private DNS zone knows the name (a private endpoint)"
		v.hint = "check storage_account_name; if the account has a private endpoint, run the stack on a private worker pool whose DNS resolves it. Try `nslookup " + b.host + "` from the worker"
		if lv.account.ran && lv.account.err == nil {
			v.summary = b.host + " does not resolve from this worker, though ARM knows the account: its name resolves only in a private DNS zone (a private endpoint)"
		}
		if av := in.failure("", "", lv.account.err); lv.account.ran && lv.account.err != nil && av.code == "ResourceNotFound" {
			v.summary = b.host + " does not resolve, and ARM has no account " + lv.p.v["storage_account_name"].Text + " in resource group " +
				lv.p.v["resource_group_name"].Text + ": storage_account_name is wrong"
			v.fixes = fixes.StorageAccountLookup(lv.p.v["resource_group_name"].Text)
		}
	case private(b.addrs) && (v.cause == diag.CauseTimeout || v.cause == diag.CauseNetworkFault):
		v.cause = diag.CauseNetworkConfig
		v.summary = b.host + " resolves to a private address (" + strings.Join(b.addrs, ", ") + "), a private endpoint this worker cannot reach: " + v.summary
		v.hint = "Spacelift's public workers reach only public endpoints: run the stack on a private worker pool inside the account's network, or allow public network access on the account"
	}
	return v
}

// keyVerdict judges a key lookup: may the identity list the keys (asked of
// the permissions API), and does the account accept keys at all?
func keyVerdict(in Input, lv live) verdict {
	kp := lv.keyPerms
	scope := lv.accountScope()
	switch {
	case !kp.ran:
		return verdict{status: diag.StatusSkip, summary: "skipped: resource_group_name and subscription_id are needed to ask about listKeys"}
	case kp.err != nil:
		v := in.failure("GET "+scope+"/providers/Microsoft.Authorization/permissions", armHost(in), kp.err)
		if v.code == "AuthorizationFailed" {
			return verdict{status: diag.StatusWarn, cause: diag.CauseAuthorizationFailed, code: v.code, facts: v.facts,
				summary: "ARM refused to list the identity's permissions on the account, so whether it may list the keys is not checked",
				hint:    "check with: az role assignment list --assignee " + fixes.Shell(in.ObjectID) + " --scope " + fixes.Shell(scope) + " --include-inherited"}
		}
		return v
	case !allowed(kp.perms, actListKeys, false):
		v := verdict{status: diag.StatusFail, cause: diag.CauseAuthorizationFailed,
			summary: "the identity may not list the account's keys (" + actListKeys + "), which the backend's key lookup needs: init fails with \"Error retrieving keys for Storage Account\"",
			hint: "Grant " + roleKeyOp + " (or Storage Account Contributor) on the account, or better, stop using keys: set use_azuread_auth = true and grant " + roleDataContr + " on the container. " +
				"The doctor asked the permissions API; it never calls listKeys, which returns secrets."}
		v.fixes = append(fixes.RoleAssignment(in.ObjectID, roleKeyOp, scope), entraAccessFix())
		return v
	case lv.account.ran && lv.account.err == nil && sharedKeyDisabled(lv.account.acct):
		return verdict{status: diag.StatusFail, cause: diag.CauseStorageAccessDenied, code: explain.StorageKeyBasedNotAllowed,
			summary: "the identity may list the keys, but the account does not allow shared-key access: the first List Blobs will answer 403 KeyBasedAuthenticationNotPermitted",
			hint:    explain.SharedKeyHint(), fixes: append([]diag.Fix{entraAccessFix()}, fixes.RoleAssignment(in.ObjectID, roleDataContr, lv.containerScope())...)}
	}
	v := verdict{status: diag.StatusPass, summary: "the identity may list the account keys (asked of the permissions API; the doctor never calls listKeys)"}
	if lv.account.ran && lv.account.err == nil {
		v.summary += " and the account allows shared-key access"
	}
	return v
}

func entraAccessFix() diag.Fix {
	return diag.Fix{Title: "read the state with Entra ID instead of keys (backend block)", Lang: "hcl",
		Text: "terraform {\n  backend \"azurerm\" {\n    # ... the settings you have, plus:\n    use_azuread_auth = true\n  }\n}\n"}
}

func judgeLock(in Input, plans []plan, lv live) diag.Result {
	var per []perLine
	for _, p := range plans {
		per = append(per, perLine{p.line, lockVerdict(in, p, lv)})
	}
	r := merge(idLock, per)
	r.Elapsed = lv.perms.elapsed
	return r
}

func lockVerdict(in Input, p plan, lv live) verdict {
	switch p.via {
	case viaKeyLookup:
		if dataVerdict(in, p, lv).status == diag.StatusPass {
			return verdict{status: diag.StatusPass, summary: "the account key grants write: init can take the state lock (a lease on the state blob)"}
		}
		return verdict{status: diag.StatusSkip, summary: "skipped: needs a usable account key (see backend-data)", root: idData}
	case viaEntra:
	default:
		return verdict{status: diag.StatusSkip, summary: "skipped: the doctor never uses keys or SAS tokens"}
	}
	pm := lv.perms
	switch {
	case lv.blobs.err != nil || lv.blobs.status != 200:
		return verdict{status: diag.StatusSkip, summary: "skipped: needs backend-data to pass", root: idData}
	case !pm.ran:
		return verdict{status: diag.StatusSkip, summary: "skipped: reads checked, the lock not checked: without resource_group_name the container's ARM scope is unknown"}
	case pm.err != nil:
		v := in.failure("GET "+lv.containerScope()+"/providers/Microsoft.Authorization/permissions", armHost(in), pm.err)
		if v.cause.Fault() {
			return v
		}
		return verdict{status: diag.StatusWarn, cause: v.cause, code: v.code, facts: v.facts,
			summary: "reads checked, the lock not checked: ARM refused to list the identity's permissions on the container (" + diag.Absent(v.code) + ")",
			hint: "taking the lock writes a lease on the state blob, which needs " + roleDataContr + "; check the identity's roles with: az role assignment list --assignee " +
				fixes.Shell(in.ObjectID) + " --scope " + fixes.Shell(lv.containerScope()) + " --include-inherited"}
	case allowed(pm.perms, dataBlobWrite, true):
		return verdict{status: diag.StatusPass, summary: "the identity's data actions on the container include blob write: init can take the state lock (a lease on the state blob)"}
	}
	return verdict{status: diag.StatusFail, cause: diag.CauseStorageAccessDenied,
		summary: "reads work, but the identity's data role on the container does not allow blob write: taking the state lock (a lease on the state blob) fails, and so does writing state",
		hint:    fmt.Sprintf("Storage Blob Data Reader reads only; grant %s on the container. %s", roleDataContr, "Role assignment changes can take up to about 10 minutes to apply."),
		fixes:   fixes.RoleAssignment(in.ObjectID, roleDataContr, lv.containerScope())}
}
