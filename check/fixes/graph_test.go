package fixes

import (
	"strings"
	"testing"
)

func TestGraphPermissions(t *testing.T) {
	fs := GraphPermissions("11111111-2222-3333-4444-555555555555", "", []GraphPermission{{"Group.Read.All", "5b567255-7703-4780-807c-7be8301ae99b"}, {"Application.ReadWrite.OwnedBy", "18a4783c-866b-4cc7-a460-3d5e5662c884"}})
	if len(fs) != 2 || !strings.Contains(fs[0].Text, "--api-permissions 5b567255-7703-4780-807c-7be8301ae99b=Role 18a4783c-866b-4cc7-a460-3d5e5662c884=Role\n") ||
		!strings.Contains(fs[0].Text, "az ad app permission admin-consent --id 11111111-2222-3333-4444-555555555555") {
		t.Errorf("az: %s", fs[0].Text)
	}
	if !strings.Contains(fs[1].Text, `app_role_ids["Group.Read.All"]`) || !strings.Contains(fs[1].Text, `principal_object_id = "<service-principal-object-id>"`) {
		t.Errorf("hcl: %s", fs[1].Text)
	}
}
