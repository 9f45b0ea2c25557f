package check_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/oidc-doctor/oidc-doctor/check/diag"
	"github.com/oidc-doctor/oidc-doctor/check/emulator"
)

// TestForeignAnswersLive: another service's JSON, read whole, answering
// Entra's tenant discovery or token request (a wrong sign-in host, a
// proxy's own API) is someone else answering, a misconfiguration (exit 3)
// that names what came, whether MSAL rejects it whole (200) or reports its
// status (400); only JSON cut short on the way is a fault (exit 4). The
// real recorded answers of testdata/recorded/foreign are served at their
// live and their recorded status: a proxy's own 5xx page is a fault that
// names Entra ID or the proxy in front of it.
func TestForeignAnswersLive(t *testing.T) {
	type row struct {
		name  string
		fault emulator.Fault
		cause diag.Cause
		shows []string
	}
	const ct = "application/json; charset=utf-8"
	rows := []row{
		{"array 200", emulator.Fault{ContentType: ct, Body: `[1,2,3]`}, diag.CauseOther, []string{"[…]"}},
		{"message 200", emulator.Fault{ContentType: ct, Body: `{"message":"no route"}`}, diag.CauseOther, []string{`{"message": …}`}},
		{"cut short", emulator.Fault{ContentType: ct, Body: `{"message":"no route"}`, Truncate: true}, diag.CauseNetworkFault, []string{"no answer from Entra ID"}},
	}
	for name, rec := range loadRecordedAnswers(t, "foreign") {
		statuses := []int{rec.LiveStatus}
		if rec.Status != 0 && rec.Status != rec.LiveStatus {
			statuses = append(statuses, rec.Status)
		}
		for _, st := range statuses {
			cause := rec.Expect.Cause
			if st == 429 || st >= 500 {
				cause = diag.CauseServiceFault
			}
			var shows []string
			for _, f := range rec.Expect.Fields {
				shows = append(shows, f)
			}
			rows = append(rows, row{fmt.Sprintf("%s %d", name, st), emulator.Fault{Status: st, ContentType: rec.ContentType, Body: rec.Body}, cause, shows})
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
				if r.Cause != tt.cause {
					t.Errorf("cause %s, want %s: %s", r.Cause, tt.cause, r.Summary)
				}
				for _, s := range tt.shows {
					if !strings.Contains(r.Summary, s) {
						t.Errorf("does not show %q: %s", s, r.Summary)
					}
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

// TestGraphTokenUnreadable: the Graph token request reads an answer Entra's
// client could not use as the ARM exchange does (one function for both): a
// proxy's page or another service's JSON, read whole, is someone else
// answering (exit 3), JSON cut short a fault (exit 4), whether only the
// Graph token meets it or both token requests do; no token, not even one
// in a body MSAL rejected, reaches a result.
func TestGraphTokenUnreadable(t *testing.T) {
	const tok = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl"
	rows := []struct {
		name  string
		fault emulator.Fault
		cause diag.Cause
	}{
		{"html", emulator.Fault{ContentType: "text/html; charset=utf-8", Body: "<html><body>Sign in to the proxy</body></html>"}, diag.CauseOther},
		{"json without expiry", emulator.Fault{ContentType: "application/json", Body: `{"token_type":"Bearer","access_token":"` + tok + `"}`}, diag.CauseOther},
		{"json cut short", emulator.Fault{ContentType: "application/json", Body: `{"token_type":"Bearer","access_token":"` + tok + `","expires_in":3599}`, Truncate: true}, diag.CauseNetworkFault},
	}
	for _, ep := range []string{"entra-token-graph", "entra-token"} {
		for _, tt := range rows {
			t.Run(ep+"/"+tt.name, func(t *testing.T) {
				t.Parallel()
				sc := lookup(t, "graph-azuread-ok")
				sc.Faults = map[string]emulator.Fault{ep: tt.fault}
				rep, _ := runScenario(t, sc, 20*time.Second)
				ids := []string{"graph-token"}
				if ep == "entra-token" {
					ids = append(ids, "entra-exchange")
				}
				for _, id := range ids {
					r := rep.Find(id)
					if r == nil || r.Status != diag.StatusFail || r.Cause != tt.cause {
						t.Errorf("%s: want a failure with cause %s:\n%s", id, tt.cause, dump(rep))
					}
				}
				want := 3
				if tt.cause.Fault() {
					want = 4
				}
				if got := exitOf(rep); got != want {
					t.Errorf("exit %d, want %d:\n%s", got, want, dump(rep))
				}
				for _, r := range rep.Results {
					if strings.Contains(resultText(r), "eyJ") {
						t.Errorf("%s shows a token:\n%s", r.ID, resultText(r))
					}
				}
			})
		}
	}
}

// TestTokenAnswersNeverInResults: a token response MSAL cannot decode (an
// expiry missing or of the wrong type, a trailing comma), at 200 or 400,
// on each token request (the exchange's, the Graph token's, the storage
// token's), holds an access token; MSAL quotes such a body whole in its
// error ("raw message was: ..."). No result of the run may hold it, in
// any field, before any redacting writer (faults review: backend-data's
// error fact and graph-token's "azurerm stops with" quoted it).
func TestTokenAnswersNeverInResults(t *testing.T) {
	const tok = "eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJlLXNpZ25hdHVyZQ"
	bodies := map[string]string{
		"no expiry":      `{"token_type":"Bearer","access_token":"` + tok + `"}`,
		"expiry a word":  `{"token_type":"Bearer","expires_in":"soon","access_token":"` + tok + `"}`,
		"trailing comma": `{"token_type":"Bearer","expires_in":3599,"access_token":"` + tok + `",}`,
		"expiry a bool":  `{"token_type":"Bearer","expires_in":true,"access_token":"` + tok + `"}`,
	}
	for _, ep := range []string{"entra-token", "entra-token-graph", "entra-token-storage"} {
		for _, status := range []int{200, 400} {
			for name, body := range bodies {
				t.Run(fmt.Sprintf("%s/%d/%s", ep, status, name), func(t *testing.T) {
					t.Parallel()
					sc := lookup(t, "backend-ok")
					sc.Faults = map[string]emulator.Fault{ep: {Status: status, ContentType: "application/json", Body: body}}
					rep, e := runScenario(t, sc, 20*time.Second)
					if !slices.ContainsFunc(e.Requests(), func(r emulator.Request) bool { return r.Fault != "" }) {
						t.Fatalf("%s was not requested", ep)
					}
					failed := false
					for _, r := range rep.Results {
						failed = failed || r.Status == diag.StatusFail
						if strings.Contains(resultText(r), "eyJ") {
							t.Errorf("%s holds the token:\n%s", r.ID, resultText(r))
						}
						// The mask is the backstop, not what keeps it out.
						if strings.Contains(resultText(r), "REDACTED") {
							t.Errorf("%s held the token until it was masked:\n%s", r.ID, resultText(r))
						}
					}
					if !failed {
						t.Errorf("no check failed on a token answer MSAL cannot read:\n%s", dump(rep))
					}
				})
			}
		}
	}
}
