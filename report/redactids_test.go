package report

import (
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
