package explain

import (
	"sort"
	"testing"

	"github.com/oidc-doctor/oidc-doctor/check/diag"
)

// TestEveryCauseOnRealMaterial: each cause the catalogue can give is
// checked on at least one real recorded answer or pasted text (the corpus
// and recorded tests check the cause and fields of each).
func TestEveryCauseOnRealMaterial(t *testing.T) {
	real := map[diag.Cause]int{}
	for _, c := range loadPastes(t) {
		real[c.Cause]++
	}
	for _, svc := range []string{"entra", "arm"} {
		for _, r := range loadRecorded(t, svc) {
			real[r.Expect.Cause]++
		}
	}
	used := map[diag.Cause]bool{}
	for _, ci := range aadsts {
		used[ci.Cause] = true
	}
	for _, ci := range armCodes {
		used[ci.Cause] = true
	}
	used[registerInfo.Cause] = true
	var missing []string
	for c := range used {
		if real[c] == 0 {
			missing = append(missing, string(c))
		}
	}
	sort.Strings(missing)
	if len(missing) > 0 {
		t.Errorf("causes with no real recorded answer or paste: %v", missing)
	}
}
