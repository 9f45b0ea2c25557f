package check

import (
	"fmt"
	"time"

	"github.com/oidc-doctor/oidc-doctor/check/diag"
	"github.com/oidc-doctor/oidc-doctor/check/token"
	"github.com/oidc-doctor/oidc-doctor/check/transport"
)

// checkClock compares the local clock with the Date headers of responses the
// run already received (issuer, Entra, ARM): no extra request.
func checkClock(obs *transport.Observer, tok *token.Token, now time.Time) diag.Result {
	r := diag.Result{ID: "clock-skew", Title: "Clock"}
	dates := obs.Dates()
	var worst time.Duration
	for _, d := range dates {
		skew := d.Server.Sub(d.Local) // server minus local
		if abs(skew) > abs(worst) {
			worst = skew
		}
		r.Facts = append(r.Facts, diag.F(d.Host, fmt.Sprintf("server Date %s, local clock %s (%s)", d.Server.UTC().Format(time.RFC3339), d.Local.UTC().Format(time.RFC3339), skewWords(skew))))
	}
	if len(dates) == 0 {
		r.Status, r.Summary = diag.StatusSkip, "skipped: no server answered with a Date header"
		return r
	}
	if tok != nil {
		r.Facts = append(r.Facts, diag.F("token valid from (nbf)", diag.Time(tok.NotBefore)), diag.F("token expires (exp)", diag.Time(tok.Expiry)))
	}
	// Date has one-second resolution; allow for it and the round trip.
	if abs(worst) <= 30*time.Second {
		r.Status, r.Summary = diag.StatusPass, "the local clock agrees with the servers ("+skewWords(worst)+")"
		return r
	}
	r.Status, r.Cause = diag.StatusWarn, diag.CauseClockSkew
	r.Summary = "the local clock is off by " + diag.Duration(abs(worst)) + " against the servers: " + skewWords(worst)
	r.Hint = "fix time sync on the worker (NTP/chrony); token times (nbf, exp) judged by this clock are off by the same amount, and Entra answers AADSTS700024 if the token is out of its window by Entra's clock"
	return r
}

func skewWords(skew time.Duration) string {
	switch {
	case abs(skew) < time.Second:
		return "no measurable skew"
	case skew > 0:
		return "local clock " + diag.Duration(skew) + " behind"
	}
	return "local clock " + diag.Duration(-skew) + " ahead"
}

func abs(d time.Duration) time.Duration {
	if d < 0 {
		return -d
	}
	return d
}
