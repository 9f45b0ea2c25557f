package check_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/oidc-doctor/oidc-doctor/check/diag"
	"github.com/oidc-doctor/oidc-doctor/check/emulator"
)

// TestForeignJSONLive: another service's JSON, read whole, answering
// Entra's tenant discovery or token request (a wrong sign-in host, a
// proxy's own API) is someone else answering, a misconfiguration (exit 3)
// that names what came, whether MSAL rejects it whole (200) or reports its
// status (400); only JSON cut short on the way is a fault (exit 4). The
// real recorded answers of testdata/recorded/foreign are served with
// their live status and their recorded one.
func TestForeignJSONLive(t *testing.T) {
	type row struct {
		name  string
		fault emulator.Fault
		cause diag.Cause
		shows string
	}
	const ct = "application/json; charset=utf-8"
	rows := []row{
		{"array 200", emulator.Fault{ContentType: ct, Body: `[1,2,3]`}, diag.CauseOther, "[…]"},
		{"message 200", emulator.Fault{ContentType: ct, Body: `{"message":"no route"}`}, diag.CauseOther, `{"message": …}`},
		{"cut short", emulator.Fault{ContentType: ct, Body: `{"message":"no route"}`, Truncate: true}, diag.CauseNetworkFault, "no answer from Entra ID"},
	}
	for name, rec := range loadRecordedAnswers(t, "foreign") {
		for _, st := range []int{rec.LiveStatus, 400} {
			rows = append(rows, row{fmt.Sprintf("%s %d", name, st), emulator.Fault{Status: st, ContentType: rec.ContentType, Body: rec.Body},
				rec.Expect.Cause, `"code": …, "message": …`})
		}
	}
	for _, ep := range []string{"entra-tenant", "entra-token"} {
		for _, tt := range rows {
			t.Run(ep+"/"+tt.name, func(t *testing.T) {
				t.Parallel()
				sc := lookup(t, "ok")
				sc.Faults = map[string]emulator.Fault{ep: tt.fault}
				rep, _ := runScenario(t, sc, 20*time.Second)
				r := rep.Find("entra-exchange")
				if r == nil || r.Status != diag.StatusFail {
					t.Fatalf("entra-exchange did not fail:\n%s", dump(rep))
				}
				if r.Cause != tt.cause || !strings.Contains(r.Summary, tt.shows) {
					t.Errorf("cause %s, want %s, showing %q: %s", r.Cause, tt.cause, tt.shows, r.Summary)
				}
				want := 3
				if tt.cause.Fault() {
					want = 4
				}
				if got := exitOf(rep); got != want {
					t.Errorf("exit %d, want %d:\n%s", got, want, dump(rep))
				}
			})
		}
	}
}
