package report

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/oidc-doctor/oidc-doctor/check/diag"
)

func TestRedactIDs(t *testing.T) {
	const tenant, client = "72f988bf-86f1-41af-91ab-2d7cd011db47", "11111111-2222-3333-4444-555555555555"
	r := diag.Report{Results: []diag.Result{{ID: "azure-settings",
		Summary: "ARM_SUBSCRIPTION_ID is not set; client " + client,
		Facts: []diag.Fact{
			{Key: "ARM_CLIENT_ID", Value: client},
			{Key: "ARM_TENANT_ID", Value: tenant},
			{Key: "ARM_SUBSCRIPTION_ID", Value: "(not set)"},
			{Key: "tenant", Value: `"my tenant": is neither a GUID nor a domain name`},
			{Key: "ARM_USE_OIDC", Value: "(not set)"},
		}}}}
	got := RedactIDs(r).Results[0]
	want := []diag.Fact{
		{Key: "ARM_CLIENT_ID", Value: "client-1"},
		{Key: "ARM_TENANT_ID", Value: "tenant-1"},
		{Key: "ARM_SUBSCRIPTION_ID", Value: "(not set)"},
		{Key: "tenant", Value: `"my tenant": is neither a GUID nor a domain name`},
		{Key: "ARM_USE_OIDC", Value: "(not set)"},
	}
	if diff := cmp.Diff(want, got.Facts); diff != "" {
		t.Errorf("facts (-want +got):\n%s", diff)
	}
	if want := "ARM_SUBSCRIPTION_ID is not set; client client-1"; got.Summary != want {
		t.Errorf("summary = %q, want %q", got.Summary, want)
	}
}

// TestRedactIDsKeepsOtherValuesWhole: --redact changes secret values only,
// as whole values. Every value that is not an identifier (a subject, a
// stack or space id, a run id) survives byte for byte, even when it
// contains the account's name; hosts keep their region suffix.
func TestRedactIDsKeepsOtherValuesWhole(t *testing.T) {
	const (
		tenant = "72f988bf-86f1-41af-91ab-2d7cd011db47"
		sub    = "space:infra-01HND497T9JKR76MR3KA2CDJHP:stack:azure-infra:run_type:TRACKED:scope:write"
	)
	keep := []string{sub, "azure-infra", "infra-01HND497T9JKR76MR3KA2CDJHP", "01JQ7V9ZK3M2X8E4RB6T5WNC0D", ".app.us.spacelift.io"}
	r := diag.Report{
		Environment: []diag.Fact{{Key: "spacelift_account_name", Value: "infra"}, {Key: "spacelift_stack_id", Value: "azure-infra"},
			{Key: "spacelift_space_id", Value: "infra-01HND497T9JKR76MR3KA2CDJHP"}, {Key: "spacelift_run_id", Value: "01JQ7V9ZK3M2X8E4RB6T5WNC0D"}},
		Results: []diag.Result{{ID: "token-claims", Summary: "issuer https://infra.app.us.spacelift.io, subject " + sub,
			Facts: []diag.Fact{{Key: "iss", Value: "https://infra.app.us.spacelift.io"}, {Key: "aud", Value: "infra.app.us.spacelift.io"},
				{Key: "sub", Value: sub}, {Key: "tid", Value: tenant}}}},
	}
	got := RedactIDs(r)
	var all strings.Builder
	for _, f := range append(got.Environment, got.Results[0].Facts...) {
		all.WriteString(f.Key + "=" + f.Value + "\n")
	}
	all.WriteString(got.Results[0].Summary)
	for _, k := range keep {
		if !strings.Contains(all.String(), k) {
			t.Errorf("%q did not survive --redact:\n%s", k, all.String())
		}
	}
	for _, secret := range []string{tenant, "https://infra.", "=infra\n", " infra."} {
		if strings.Contains(all.String(), secret) {
			t.Errorf("%q survived --redact:\n%s", secret, all.String())
		}
	}
	if want := "account-1.app.us.spacelift.io"; !strings.Contains(all.String(), want) {
		t.Errorf("host not masked as %q:\n%s", want, all.String())
	}
}
