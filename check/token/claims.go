package token

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/oidc-doctor/oidc-doctor/check/diag"
	"github.com/oidc-doctor/oidc-doctor/check/spacelift"
)

// Lifetime thresholds for a plan followed by an apply.
const (
	// MinUsefulLifetime is how much validity a token should have left when a
	// run starts: the azurerm provider reads it once and cannot refresh it.
	MinUsefulLifetime = 15 * time.Minute
	// clockLeeway is how far nbf/iat may be ahead of the local clock before it
	// counts as clock skew rather than rounding.
	clockLeeway = 60 * time.Second
)

// claimFacts lists what the token says, for the token-claims result.
func claimFacts(t *Token, now time.Time) []diag.Fact {
	f := []diag.Fact{
		diag.F("alg", diag.Absent(t.Alg)), diag.F("kid", diag.Absent(t.Kid)), diag.F("typ", diag.Absent(t.Typ)),
		diag.F("iss", t.Issuer), diag.F("aud", audDisplay(t)), diag.F("sub", t.Subject),
		diag.F("iat", timeDisplay(t.IssuedAt, now)), diag.F("nbf", timeDisplay(t.NotBefore, now)),
		diag.F("exp", expDisplay(t.Expiry, now)), diag.F("jti", diag.Absent(t.ID)),
	}
	sc := t.Spacelift
	for _, kv := range [][2]string{{"spaceId", sc.SpaceID}, {"spacePath", sc.SpacePath}, {"callerType", sc.CallerType},
		{"callerId", sc.CallerID}, {"runType", sc.RunType}, {"runId", sc.RunID}, {"scope", sc.Scope}} {
		if kv[1] != "" {
			f = append(f, diag.F(kv[0], kv[1]))
		}
	}
	f = append(f, t.Extra...)
	return append(f, diag.F("signature", "not verified by this step"))
}

func audDisplay(t *Token) string {
	if t.AudArray {
		return "[" + t.AudienceString() + "]"
	}
	return diag.Absent(t.AudienceString())
}

func timeDisplay(tm *time.Time, now time.Time) string {
	if tm == nil {
		return "(absent)"
	}
	d := tm.Sub(now)
	if d > 0 {
		return tm.Format(time.RFC3339) + " (in " + diag.Duration(d) + ")"
	}
	return tm.Format(time.RFC3339) + " (" + diag.Duration(-d) + " ago)"
}

func expDisplay(tm *time.Time, now time.Time) string {
	if tm == nil {
		return "(absent)"
	}
	if d := tm.Sub(now); d > 0 {
		return tm.Format(time.RFC3339) + " (expires in " + diag.Duration(d) + ")"
	}
	return tm.Format(time.RFC3339) + " (expired " + diag.Duration(now.Sub(*tm)) + " ago)"
}

func checkClaims(t *Token, now time.Time) diag.Result {
	return diag.Result{ID: "token-claims", Title: title("token-claims"), Status: diag.StatusPass,
		Summary: "issuer " + t.Issuer + ", subject " + t.Subject + " (decoded without verifying the signature)",
		Facts:   claimFacts(t, now)}
}

func checkHeader(t *Token) diag.Result {
	r := diag.Result{ID: "token-header", Title: title("token-header"), Facts: []diag.Fact{diag.F("alg", diag.Absent(t.Alg)), diag.F("typ", diag.Absent(t.Typ)), diag.F("kid", diag.Absent(t.Kid))}}
	switch {
	case strings.EqualFold(t.Alg, "none") || t.Alg == "":
		r.Status, r.Summary = diag.StatusFail, "the token is unsigned (alg \""+t.Alg+"\"); Entra accepts only RS256-signed tokens"
		r.Hint = "this is not a token Spacelift issued; use " + spacelift.TokenPath
	case t.Alg != "RS256":
		r.Status, r.Summary = diag.StatusFail, "the token is signed with "+t.Alg+"; Entra supports RS256 only for federated credentials"
		r.Hint = "Spacelift signs with RS256: check that this is Spacelift's token and not another issuer's"
	case t.Typ != "" && t.Typ != "JWT" && t.Typ != "http://openid.net/specs/jwt/1.0":
		r.Status, r.Summary = diag.StatusFail, "the header's typ is \""+t.Typ+"\"; Entra requires JWT (AADSTS5002727)"
		r.Hint = "the issuer must emit typ JWT; this is not a token Spacelift issued"
	default:
		r.Status, r.Summary = diag.StatusPass, "RS256, typ "+diag.Absent(t.Typ)
	}
	return r
}

// checkLifetime judges exp, nbf and iat against the local clock.
func checkLifetime(t *Token, now time.Time) diag.Result {
	r := diag.Result{ID: "token-lifetime", Title: title("token-lifetime"), Facts: []diag.Fact{
		diag.F("now (local clock)", now.UTC().Format(time.RFC3339)),
		diag.F("valid from (nbf)", timeDisplay(t.NotBefore, now)),
		diag.F("expires (exp)", expDisplay(t.Expiry, now)),
	}}
	if t.IssuedAt != nil && t.Expiry != nil {
		r.Facts = append(r.Facts, diag.F("lifetime (exp - iat)", diag.Duration(t.Expiry.Sub(*t.IssuedAt))))
	}
	switch {
	case t.Expiry == nil:
		r.Status, r.Summary = diag.StatusFail, "the token has no exp claim; Entra rejects tokens without an expiry"
		r.Hint = "this is not a token Spacelift issued; use " + spacelift.TokenPath
	case !now.Before(*t.Expiry):
		r.Status, r.ErrorCode = diag.StatusFail, "AADSTS700024"
		r.Summary = "the token expired " + diag.Duration(now.Sub(*t.Expiry)) + " ago; Entra will answer AADSTS700024"
		r.Hint = "Spacelift tokens live one hour and are written when a phase starts: trigger a fresh run; if the copy is stale, read " + spacelift.TokenPath + " directly"
	case t.NotBefore != nil && t.NotBefore.Sub(now) > clockLeeway:
		// Entra judges nbf by its own clock: the exchange decides whether
		// this fails; locally it is evidence of a slow worker clock.
		r.Status = diag.StatusWarn
		r.Summary = "the token is not valid until " + diag.Duration(t.NotBefore.Sub(now)) + " from now by the local clock: this worker's clock is behind (or the issuer's ahead)"
		r.Hint = "Entra checks nbf against its own clock, so the exchange may still work (see entra-exchange and clock-skew); fix the worker's time sync (NTP/chrony)"
	case t.IssuedAt != nil && t.IssuedAt.Sub(now) > clockLeeway:
		r.Status = diag.StatusWarn
		r.Summary = "the token was issued " + diag.Duration(t.IssuedAt.Sub(now)) + " in the future by the local clock: this worker's clock is behind"
		r.Hint = "fix the worker's time sync (NTP/chrony)"
	case t.Expiry.Sub(now) < MinUsefulLifetime:
		r.Status = diag.StatusWarn
		r.Summary = "the token expires in " + diag.Duration(t.Expiry.Sub(now)) + ", less than " + diag.Duration(MinUsefulLifetime) + ": a plan and an apply may outlive it"
		r.Hint = "the azurerm provider reads the token once and cannot refresh it: trigger a fresh run, or split a long stack"
	default:
		r.Status, r.Summary = diag.StatusPass, "valid for another "+diag.Duration(t.Expiry.Sub(now))
	}
	return r
}

// checkIssuerClaim checks iss is an exact https URL with no trailing slash.
func checkIssuerClaim(t *Token) diag.Result {
	r := diag.Result{ID: "claim-iss", Title: title("claim-iss"), Facts: []diag.Fact{diag.F("iss", fmt.Sprintf("%q", t.Issuer))}}
	u, err := url.Parse(t.Issuer)
	switch {
	case t.Issuer == "":
		r.Status, r.Summary = diag.StatusFail, "the token has no iss claim (AADSTS90014)"
		r.Hint = "this is not a token Spacelift issued; use " + spacelift.TokenPath
	case strings.TrimSpace(t.Issuer) != t.Issuer:
		r.Status, r.Summary = diag.StatusFail, "iss has surrounding whitespace; Entra blocks the exchange"
		r.Hint = "the issuer must be the bare URL, e.g. https://<account>.app.spacelift.io"
	case err != nil || u.Host == "":
		r.Status, r.Summary = diag.StatusFail, "iss is not a URL"
		r.Hint = "Spacelift's issuer is https://<account>.app.spacelift.io"
	case u.Scheme != "https":
		r.Status, r.Summary = diag.StatusFail, "iss uses "+u.Scheme+"; Entra fetches the issuer's keys over https only"
		r.Hint = "on Self-Hosted, set FEDERATION_CUSTOM_ISSUER to an https URL reachable from the internet"
	case strings.HasSuffix(t.Issuer, "/"):
		r.Status, r.Summary = diag.StatusWarn, "iss ends with a slash; the federated credential's issuer must end with it too, byte for byte"
		r.Hint = "copy iss exactly into the credential's issuer, including the trailing slash"
	default:
		r.Status, r.Summary = diag.StatusPass, "https, no trailing slash: the credential's issuer must be exactly "+t.Issuer
	}
	return r
}

// checkAudience checks aud against Spacelift's convention (the issuer's host).
func checkAudience(t *Token) diag.Result {
	r := diag.Result{ID: "claim-aud", Title: title("claim-aud"), Facts: []diag.Fact{diag.F("aud", audDisplay(t)), diag.F("iss", t.Issuer)}}
	host := ""
	if u, err := url.Parse(t.Issuer); err == nil {
		host = u.Host
	}
	switch {
	case len(t.Audience) == 0:
		r.Status, r.Summary = diag.StatusFail, "the token has no aud claim; Entra needs one to match a federated credential"
		r.Hint = "this is not a token Spacelift issued; use " + spacelift.TokenPath
	case len(t.Audience) > 1:
		r.Status, r.Summary = diag.StatusWarn, fmt.Sprintf("aud holds %d values; a federated credential holds exactly one", len(t.Audience))
		r.Hint = "set the credential's audience to the value Entra matches, normally " + host
	case host != "" && t.Audience[0] != host:
		r.Status, r.Summary = diag.StatusWarn, "aud "+t.Audience[0]+" is not the issuer's host "+host+" (Spacelift's convention; normal for some self-hosted issuers)"
		r.Hint = "the credential's audience must be exactly " + t.Audience[0]
	default:
		r.Status, r.Summary = diag.StatusPass, "aud is the issuer's host: the credential's audience must be exactly "+t.Audience[0]+" (not api://AzureADTokenExchange)"
	}
	return r
}

// checkSubject parses sub in Spacelift's default format, or reports a
// custom template, or that no template could have produced it.
func checkSubject(t *Token) diag.Result {
	r := diag.Result{ID: "claim-sub", Title: title("claim-sub"), Facts: []diag.Fact{diag.F("sub", t.Subject)}}
	rebuilt := spacelift.FromClaims(t.Spacelift)
	if _, err := spacelift.ParseSubject(rebuilt.String()); err == nil {
		r.Facts = append(r.Facts, diag.F("default subject from claims", rebuilt.String()))
	}
	switch s, err := spacelift.ParseSubject(t.Subject); {
	case t.Subject == "":
		r.Status, r.Summary = diag.StatusFail, "the token has no sub claim"
		r.Hint = "this is not a token Spacelift issued; use " + spacelift.TokenPath
	case untemplatable(t.Subject) != "":
		r.Status = diag.StatusFail
		r.Summary = "not a Spacelift subject: sub holds " + untemplatable(t.Subject) + ", which no Spacelift subject template can produce (templates produce letters, digits and " + spacelift.TemplateChars + " around the claim values)"
		r.Hint = "this is not a token Spacelift issued; use " + spacelift.TokenPath
	case len(t.Subject) > 600:
		r.Status, r.Summary = diag.StatusFail, fmt.Sprintf("sub is %d characters; an Entra federated credential's subject holds at most 600", len(t.Subject))
		r.Hint = "shorten the account's OIDC subject template (Organization Settings → Security)"
	case err != nil:
		r.Status = diag.StatusPass
		r.Summary = "custom subject template (not Spacelift's default format: " + err.Error() + "); the credential's subject must be exactly the sub above"
	case s != rebuilt:
		r.Status = diag.StatusWarn
		r.Summary = "sub is in the default format but disagrees with the token's own claims"
		r.Hint = "the credential must match sub, not the claims; check for a custom subject template"
	default:
		r.Status, r.Summary = diag.StatusPass, "Spacelift's default format: "+s.CallerType+" "+s.CallerID+", run type "+s.RunType+", scope "+s.Scope
	}
	return r
}

// untemplatable names the first character of sub no Spacelift template can
// produce, and where it is, or is "".
func untemplatable(sub string) string {
	c, at := spacelift.Untemplatable(sub)
	if at < 0 {
		return ""
	}
	return fmt.Sprintf("%s at byte %d", strconv.QuoteRune(c), at)
}

// checkScope judges scope against runType
// (https://docs.spacelift.io/integrations/cloud-providers/oidc/, "About scopes").
func checkScope(t *Token) diag.Result {
	sc := t.Spacelift
	r := diag.Result{ID: "claim-scope", Title: title("claim-scope"), Facts: []diag.Fact{diag.F("runType", diag.Absent(sc.RunType)), diag.F("scope", diag.Absent(sc.Scope))}}
	write := spacelift.FromClaims(sc)
	write.Scope = "write"
	switch {
	case sc.RunType == "" || sc.Scope == "":
		r.Status, r.Summary = diag.StatusSkip, "skipped: the token has no runType or scope claim"
	case sc.RunType == "TRACKED" && sc.Scope == "read":
		r.Status = diag.StatusWarn
		r.Summary = "TRACKED run with read scope: the planning phase of a stack without autodeploy; the apply phase will present a different subject with write scope"
		r.Hint = "create a second federated credential for the apply phase, and run oidc-doctor in before_apply too"
		if t.Subject == spacelift.FromClaims(sc).String() {
			r.Facts = append(r.Facts, diag.F("apply-phase subject", write.String()))
		}
	case sc.RunType == "PROPOSED" && sc.Scope == "read",
		sc.Scope == "write" && (sc.RunType == "TRACKED" || sc.RunType == "TASK" || sc.RunType == "DESTROY" || sc.RunType == "TESTING"):
		r.Status, r.Summary = diag.StatusPass, sc.RunType+" runs get "+sc.Scope+" scope"
	case sc.RunType == "TESTING" && sc.Scope == "read":
		r.Status, r.Summary = diag.StatusPass, "TESTING with read scope: listed by Spacelift's Azure page (its scopes section says write); create credentials for both"
	default:
		r.Status = diag.StatusWarn
		r.Summary = "unexpected combination: run type " + sc.RunType + " with " + sc.Scope + " scope"
		r.Hint = "the credential must match the subject exactly whatever the combination"
	}
	return r
}

// checkSpaceliftEnv compares the claims with the run's TF_VAR_spacelift_* variables.
func checkSpaceliftEnv(t *Token, getenv func(string) string) diag.Result {
	r := diag.Result{ID: "claim-run-env", Title: title("claim-run-env")}
	pairs := []struct{ env, claim, val string }{
		{"TF_VAR_spacelift_run_id", "runId", t.Spacelift.RunID},
		{"TF_VAR_spacelift_stack_id", "callerId", t.Spacelift.CallerID},
		{"TF_VAR_spacelift_space_id", "spaceId", t.Spacelift.SpaceID},
		{"TF_VAR_spacelift_run_type", "runType", t.Spacelift.RunType},
	}
	var bad []string
	seen := 0
	for _, p := range pairs {
		e := getenv(p.env)
		if e == "" {
			continue
		}
		seen++
		if e != p.val {
			bad = append(bad, fmt.Sprintf("%s=%s but the token's %s is %q", p.env, e, p.claim, p.val))
			r.Facts = append(r.Facts, diag.F(p.env, e+" ≠ "+p.claim+" "+p.val))
		} else {
			r.Facts = append(r.Facts, diag.F(p.env, e+" = "+p.claim))
		}
	}
	switch {
	case seen == 0:
		r.Status, r.Summary = diag.StatusSkip, "skipped: no TF_VAR_spacelift_* variables (not running inside a Spacelift run)"
	case len(bad) > 0:
		r.Status = diag.StatusWarn
		r.Summary = "the token is not this run's: " + strings.Join(bad, "; ")
		r.Hint = "a stale or copied token is in use; read Spacelift's current token from " + spacelift.TokenPath + " or SPACELIFT_OIDC_TOKEN"
	default:
		r.Status, r.Summary = diag.StatusPass, "the token belongs to this run"
	}
	return r
}
