package fixes

import (
	"encoding/json"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/oidc-doctor/oidc-doctor/check/spacelift"
)

var ficNameRE = regexp.MustCompile(`^[a-zA-Z0-9][a-zA-Z0-9-_]{2,119}$`)

func TestFICName(t *testing.T) {
	tests := []struct{ sub, want string }{
		{"space:production-01HND497T9JKR76MR3KA2CDJHP:stack:azure-infra:run_type:TRACKED:scope:write", "spacelift-azure-infra-tracked-write"},
		{"space:root:stack:infra:run_type:PROPOSED:scope:read", "spacelift-infra-proposed-read"},
		{"space:dev-01JS1ZCWC4VYKR20SBRDAAFX6D:module:my-module:run_type:TESTING:scope:write", "spacelift-module-my-module-testing-write"},
	}
	for _, tt := range tests {
		if got := FICName(tt.sub); got != tt.want {
			t.Errorf("FICName(%q) = %q, want %q", tt.sub, got, tt.want)
		}
	}
	odd := []string{
		"space:us-east-1:space_path:/root/production/us-east-1:stack:azure-test:run_type:TRACKED:scope:write",
		"space:root:stack:Infra:run_type:TRACKED:scope:write",
		strings.Repeat("x", 700),
		"",
		"::::",
		"ü",
	}
	seen := map[string]string{}
	for _, sub := range append(odd, tests[0].sub, tests[1].sub) {
		n := FICName(sub)
		if !ficNameRE.MatchString(n) {
			t.Errorf("FICName(%q) = %q, not a valid name", sub, n)
		}
		if n != FICName(sub) {
			t.Errorf("FICName(%q) is not deterministic", sub)
		}
		if prev, ok := seen[n]; ok {
			t.Errorf("FICName(%q) = FICName(%q) = %q", sub, prev, n)
		}
		seen[n] = sub
	}
	names := FICNames([]string{
		"space:a-01HND497T9JKR76MR3KA2CDJHP:stack:infra:run_type:TRACKED:scope:write",
		"space:b-01HND497T9JKR76MR3KA2CDJHP:stack:infra:run_type:TRACKED:scope:write",
	})
	if names[0] == names[1] || !ficNameRE.MatchString(names[0]) || !ficNameRE.MatchString(names[1]) {
		t.Errorf("FICNames did not tell colliding subjects apart: %q", names)
	}
}

// azParams pulls the single-quoted --parameters JSON back out of an az command.
func azParams(t *testing.T, cmd string) ficParams {
	t.Helper()
	_, rest, ok := strings.Cut(cmd, "--parameters '")
	if !ok {
		t.Fatalf("no quoted --parameters in %q", cmd)
	}
	end := strings.LastIndex(rest, "'")
	raw := strings.ReplaceAll(rest[:end], `'\''`, "'")
	var p ficParams
	if err := json.Unmarshal([]byte(raw), &p); err != nil {
		t.Fatalf("parameters are not JSON: %v\n%s", err, raw)
	}
	return p
}

func TestFICFixesJSONRoundTrip(t *testing.T) {
	const (
		iss = "https://acme.app.spacelift.io"
		sub = "space:root:stack:infra:run_type:TRACKED:scope:write"
		aud = "acme.app.spacelift.io"
	)
	fixes := FIC("11111111-2222-3333-4444-555555555555", iss, sub, aud)
	if len(fixes) != 5 {
		t.Fatalf("got %d fixes, want 5", len(fixes))
	}
	az := fixes[0].Text
	if !strings.HasPrefix(az, `az ad app federated-credential list --id 11111111-2222-3333-4444-555555555555 --query "[?issuer=='`+iss+`' && subject=='`+sub+`'].name" -o tsv | grep -q . || az ad app federated-credential create --id 11111111-2222-3333-4444-555555555555 --parameters '`) {
		t.Errorf("az command: %s", az)
	}
	want := ficParams{Name: "spacelift-infra-tracked-write", Issuer: iss, Subject: sub, Audiences: []string{aud}, Description: ficDescription}
	if d := cmp.Diff(want, azParams(t, az)); d != "" {
		t.Errorf("parameters (-want +got):\n%s", d)
	}
	for _, want := range []string{"--identity-name <identity-name>", "--resource-group <resource-group>", "--audiences acme.app.spacelift.io", "--subject space:root:stack:infra:run_type:TRACKED:scope:write"} {
		if !strings.Contains(fixes[2].Text, want) || !strings.HasPrefix(fixes[2].Title, "alternative: ") {
			t.Errorf("UAMI command lacks %q: %s", want, fixes[2].Text)
		}
	}
	if !strings.Contains(fixes[3].Text, `application_id = "/applications/<application-object-id>"`) || !strings.Contains(fixes[3].Text, `subject        = "`+sub+`"`) {
		t.Errorf("azuread block:\n%s", fixes[3].Text)
	}
	if !strings.Contains(fixes[4].Text, "azurerm_federated_identity_credential") {
		t.Errorf("azurerm block:\n%s", fixes[4].Text)
	}
}

// TestFICFixesHostileValues runs the create command through sh (with az as
// a function printing its arguments, and listing nothing) to prove the
// quoting survives quotes, spaces and dollars.
func TestFICFixesHostileValues(t *testing.T) {
	iss := `https://it's $HOME "x"`
	sub := "a b;`rm -rf`"
	fixes := FIC("id with space", iss, sub, "aud'$(x)")
	calls := runSh(t, fixes[0].Text, "")
	if len(calls) != 2 || len(calls[1]) != 8 || calls[1][5] != "id with space" {
		t.Fatalf("calls = %q", calls)
	}
	if q := calls[0][7]; q != "[?issuer=="+JMESString(iss)+" && subject=="+JMESString(sub)+"].name" {
		t.Errorf("list query = %s", q)
	}
	var p ficParams
	if err := json.Unmarshal([]byte(calls[1][7]), &p); err != nil {
		t.Fatal(err)
	}
	if p.Issuer != iss || p.Subject != sub || p.Audiences[0] != "aud'$(x)" {
		t.Errorf("round trip through sh lost values: %+v", p)
	}
	if !strings.Contains(fixes[3].Text, `"https://it's $HOME \"x\""`) {
		t.Errorf("HCL escaping:\n%s", fixes[3].Text)
	}
	if got := HCL("${var.x} %{if}"); got != `"$${var.x} %%{if}"` {
		t.Errorf("HCL = %s", got)
	}
}

func TestFICFixesAll(t *testing.T) {
	var subs []string
	for _, v := range spacelift.AllSubjects("root", "stack", "infra") {
		subs = append(subs, v.Subject.String())
	}
	fixes := FICAll("", "https://acme.app.spacelift.io", "acme.app.spacelift.io", subs)
	if len(fixes) != 4 {
		t.Fatalf("got %d fixes", len(fixes))
	}
	lines := strings.Split(strings.TrimSpace(fixes[0].Text), "\n")[1:]
	if len(lines) != len(subs) {
		t.Fatalf("az script has %d commands, want %d", len(lines), len(subs))
	}
	for i, l := range lines {
		if p := azParams(t, l); p.Subject != subs[i] || !ficNameRE.MatchString(p.Name) {
			t.Errorf("command %d: %+v", i, p)
		}
		if !strings.Contains(l, "subject=='"+subs[i]+"'].name\" -o tsv | grep -q . || az ad app federated-credential create") {
			t.Errorf("command %d does not skip an existing credential: %s", i, l)
		}
		if !strings.Contains(l, "--id <client-id>") {
			t.Errorf("command %d has no client-id placeholder: %s", i, l)
		}
	}
	if !strings.Contains(fixes[3].Text, "for_each = local.spacelift_subjects") || strings.Count(fixes[3].Text, "space:root:stack:infra") != len(subs) {
		t.Errorf("terraform:\n%s", fixes[3].Text)
	}
}

func TestRoleAssignmentFixes(t *testing.T) {
	f := RoleAssignment("0f0e", "Contributor", "/subscriptions/abc")
	want := "az role assignment create --assignee-object-id 0f0e --assignee-principal-type ServicePrincipal --role Contributor --scope /subscriptions/abc\n"
	if !strings.Contains(f[0].Text, want) {
		t.Errorf("az:\n%s", f[0].Text)
	}
	f = RoleAssignment("", "Storage Blob Data Reader", "")
	if !strings.Contains(f[0].Text, "--assignee-object-id <service-principal-object-id>") || !strings.Contains(f[0].Text, "--role 'Storage Blob Data Reader' --scope <scope>") {
		t.Errorf("placeholders:\n%s", f[0].Text)
	}
	if !strings.Contains(f[1].Text, `role_definition_name = "Storage Blob Data Reader"`) {
		t.Errorf("terraform:\n%s", f[1].Text)
	}
}

func TestProviderRegisterFixes(t *testing.T) {
	f := ProviderRegister([]string{"Microsoft.Compute", "Microsoft.Network"})
	if !strings.Contains(f[0].Text, "az provider register --namespace Microsoft.Compute") || !strings.Contains(f[0].Text, "--namespace Microsoft.Network") {
		t.Errorf("az:\n%s", f[0].Text)
	}
	if !strings.Contains(f[1].Text, `resource "azurerm_resource_provider_registration" "microsoft_compute"`) {
		t.Errorf("terraform:\n%s", f[1].Text)
	}
}
