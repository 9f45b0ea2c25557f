package check_test

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/oidc-doctor/oidc-doctor/check/diag"
	"github.com/oidc-doctor/oidc-doctor/check/emulator"
	"github.com/oidc-doctor/oidc-doctor/check/fixes"
)

// TestAliasFixesEditTheBlock: a provider block whose literal client_id
// is the app's object id fails its own exchange (AADSTS700016). What it
// says names the block's settings, never the stack's ARM_* variables that
// the literal overrides, and the follow-ups of the look-up edit the block.
// Run as an administrator of the block's tenant would, the look-up and
// the block edit it selects repair the block's exchange.
func TestAliasFixesEditTheBlock(t *testing.T) {
	sc := lookup(t, "alias-other-tenant")
	const objectID = `  client_id       = "` + emulator.AppObjectID + `"` + "\n"
	tf := strings.Replace(sc.Terraform["providers.tf"], `  tenant_id       = "`+emulator.OtherTenantID+`"`+"\n",
		`  tenant_id       = "`+emulator.OtherTenantID+`"`+"\n"+objectID, 1)
	sc.Terraform["providers.tf"] = tf
	rep, e := runScenario(t, sc, 20*time.Second)
	r := rep.Find("entra-exchange@other")
	if r == nil || r.Status != diag.StatusFail || r.ErrorCode != "AADSTS700016" || len(r.Fixes) != 3 {
		t.Fatalf("entra-exchange@other: %+v\n%s", r, dump(rep))
	}
	if main := rep.Find("entra-exchange"); main.Status != diag.StatusPass {
		t.Fatalf("the main exchange: %+v", main)
	}
	client, tenant := `client_id in provider "azurerm" (alias "other")`, `tenant_id in provider "azurerm" (alias "other")`
	if !hasFactValue(*r, "wrong setting", client+", or "+tenant+": the look-up below tells which") {
		t.Errorf("the wrong setting is not the block's: %+v", r.Facts)
	}
	all := resultText(*r)
	for _, f := range r.Fixes {
		all += f.Title + "\n" + f.Text
	}
	for _, env := range []string{"ARM_CLIENT_ID", "ARM_TENANT_ID"} {
		if strings.Contains(all, env) {
			t.Errorf("names %s, which the block's literal overrides:\n%s", env, all)
		}
	}
	for i, want := range []struct{ attr, value string }{{"client_id", fixes.PrintedClientID}, {"tenant_id", fixes.PrintedTenantID}} {
		f := r.Fixes[i+1]
		if f.Lang != "hcl" || !strings.Contains(f.Title, `in provider "azurerm" (alias "other") (providers.tf:`) ||
			!strings.Contains(f.Text, "provider \"azurerm\" {\n  alias     = \"other\"\n  "+want.attr+" = \""+want.value+"\"\n") {
			t.Errorf("fix %d does not edit the block's %s: %q\n%s", i+1, want.attr, f.Title, f.Text)
		}
	}

	sh := newShell(t, e)
	if _, err := sh.run("az login --tenant " + emulator.OtherTenantID); err != nil {
		t.Fatal(err)
	}
	out, err := sh.run(r.Fixes[0].Text)
	lines := strings.Fields(out)
	if err != nil || len(lines) != 2 || lines[0] != emulator.ClientID || lines[1] != emulator.OtherTenantID {
		t.Fatalf("the look-up printed %q (%v)", out, err)
	}
	sc.Terraform["providers.tf"] = applyBlockFix(t, tf, strings.ReplaceAll(r.Fixes[1].Text, fixes.PrintedClientID, lines[0]))
	again, _ := runScenario(t, sc, 20*time.Second)
	if r := again.Find("entra-exchange@other"); r == nil || r.Status != diag.StatusPass || again.Status() != diag.StatusPass {
		t.Errorf("after the block's client_id is set: %+v\n%s", r, dump(again))
	}
}

// TestAliasFixesNameTheVariable: a block that sets client_id from a
// Terraform variable is fixed there, not in ARM_CLIENT_ID.
func TestAliasFixesNameTheVariable(t *testing.T) {
	sc := lookup(t, "alias-other-tenant")
	sc.Env["ARM_CLIENT_ID"] = emulator.AppObjectID
	sc.Terraform["providers.tf"] = strings.Replace(sc.Terraform["providers.tf"], `  alias           = "other"`,
		`  alias           = "other"`+"\n  client_id       = var.other_client_id", 1)
	rep, _ := runScenario(t, sc, 20*time.Second)
	r := rep.Find("entra-exchange@other")
	if r == nil || r.Status != diag.StatusFail || len(r.Fixes) != 3 {
		t.Fatalf("entra-exchange@other: %+v\n%s", r, dump(rep))
	}
	if f := r.Fixes[1]; !strings.Contains(f.Title, `variable other_client_id (client_id in provider "azurerm" (alias "other"))`) ||
		f.Text != "other_client_id = \""+fixes.PrintedClientID+"\"\n" {
		t.Errorf("the client id's follow-up: %q\n%s", f.Title, f.Text)
	}
}

// applyBlockFix writes each attribute of an HCL block fix over the one
// line of the configuration that sets it.
func applyBlockFix(t *testing.T, config, fix string) string {
	t.Helper()
	for _, l := range strings.Split(fix, "\n") {
		k, v, ok := strings.Cut(strings.TrimSpace(l), "=")
		if k = strings.TrimSpace(k); !ok || k == "alias" || strings.HasPrefix(k, "#") {
			continue
		}
		re := regexp.MustCompile(`(?m)^(\s*` + regexp.QuoteMeta(k) + `\s*=).*$`)
		if n := len(re.FindAllString(config, -1)); n != 1 {
			t.Fatalf("%s is set %d times in the configuration", k, n)
		}
		config = re.ReplaceAllString(config, "${1} "+strings.TrimSpace(v))
	}
	return config
}

func hasFactValue(r diag.Result, key, value string) bool {
	for _, f := range r.Facts {
		if f.Key == key && f.Value == value {
			return true
		}
	}
	return false
}
