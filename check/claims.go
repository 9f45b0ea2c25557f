package check

import (
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/oidc-doctor/oidc-doctor/check/redact"
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

// judgeFormat checks what Terraform will really send, then decodes it.
func judgeFormat(src *tokenSource) (*Token, Result) {
	const id, title = "token-format", "Token format"
	v := src.Value
	r := Result{ID: id, Title: title}
	fail := func(summary, hint string) (*Token, Result) {
		r.Status, r.Summary, r.Hint = StatusFail, summary, hint
		return nil, r
	}
	switch {
	case len(v) >= 2 && (v[0] == '"' && v[len(v)-1] == '"' || v[0] == '\'' && v[len(v)-1] == '\''):
		return fail("the token from "+src.label()+" is wrapped in quotes; Terraform would send the quotes and Entra answers AADSTS50027",
			"write the bare token: drop the quotes around the value (in a hook, use \"$(cat file)\" without extra quoting inside)")
	case strings.HasPrefix(strings.ToLower(v), "bearer "):
		return fail("the token from "+src.label()+" starts with \"Bearer \"; Terraform would send it as is and Entra answers AADSTS50027",
			"store only the token itself, without the \"Bearer \" prefix")
	case strings.HasPrefix(v, "{") || strings.HasPrefix(v, "["):
		// A JSON file: decodeUnverified names it.
	case strings.ContainsAny(v, "\r\n"):
		return fail("the token from "+src.label()+" spans more than one line; azurerm trims only surrounding whitespace, so the line break goes to Entra",
			"keep only the token's single line: the file must hold one JWT and nothing else")
	case strings.ContainsAny(v, " \t"):
		return fail("the token from "+src.label()+" contains whitespace inside it; a JWT has none",
			"make sure the file holds exactly one token, not a log line or several values")
	}
	tok, err := decodeUnverified(v)
	if err != nil {
		r.Status, r.Summary = StatusFail, "the token from "+src.label()+" is not usable: "+err.Error()
		r.Hint = "point oidc-doctor (and Terraform's oidc_token_file_path) at Spacelift's token, " + DefaultTokenPath + ", or SPACELIFT_OIDC_TOKEN"
		if te, ok := err.(*TokenError); ok {
			r.Facts = []Fact{fact("problem", te.Kind)}
		}
		return nil, r
	}
	if len(tok.TypeErrors) > 0 {
		r.Status = StatusFail
		r.Summary = "the token has claims of the wrong type: " + strings.Join(tok.TypeErrors, "; ")
		r.Hint = "Entra will reject it (AADSTS50027); this is not a token Spacelift issued: check where it comes from"
		return tok, r
	}
	r.Status, r.Summary = StatusPass, "a compact JWS of three parts (claims decoded; signature not verified here)"
	r.Facts = []Fact{fact("fingerprint", redact.Fingerprint(v)), fact("length", fmt.Sprintf("%d bytes", len(v)))}
	return tok, r
}

// claimFacts lists what the token says, for the token-claims result.
func claimFacts(t *Token, now time.Time) []Fact {
	f := []Fact{
		fact("alg", orNone(t.Alg)), fact("kid", orNone(t.Kid)), fact("typ", orNone(t.Typ)),
		fact("iss", t.Issuer), fact("aud", audDisplay(t)), fact("sub", t.Subject),
		fact("iat", timeDisplay(t.IssuedAt, now)), fact("nbf", timeDisplay(t.NotBefore, now)),
		fact("exp", expDisplay(t.Expiry, now)), fact("jti", orNone(t.ID)),
	}
	sc := t.Spacelift
	for _, kv := range [][2]string{{"spaceId", sc.SpaceID}, {"spacePath", sc.SpacePath}, {"callerType", sc.CallerType},
		{"callerId", sc.CallerID}, {"runType", sc.RunType}, {"runId", sc.RunID}, {"scope", sc.Scope}} {
		if kv[1] != "" {
			f = append(f, fact(kv[0], kv[1]))
		}
	}
	f = append(f, t.Extra...)
	return append(f, fact("signature", "not verified by this step"))
}

func orNone(s string) string {
	if s == "" {
		return "(absent)"
	}
	return s
}

func audDisplay(t *Token) string {
	if t.AudArray {
		return "[" + t.AudienceString() + "]"
	}
	return orNone(t.AudienceString())
}

func timeDisplay(tm *time.Time, now time.Time) string {
	if tm == nil {
		return "(absent)"
	}
	d := tm.Sub(now)
	if d > 0 {
		return tm.Format(time.RFC3339) + " (in " + humanDuration(d) + ")"
	}
	return tm.Format(time.RFC3339) + " (" + humanDuration(-d) + " ago)"
}

func expDisplay(tm *time.Time, now time.Time) string {
	if tm == nil {
		return "(absent)"
	}
	if d := tm.Sub(now); d > 0 {
		return tm.Format(time.RFC3339) + " (expires in " + humanDuration(d) + ")"
	}
	return tm.Format(time.RFC3339) + " (expired " + humanDuration(now.Sub(*tm)) + " ago)"
}

func checkClaims(t *Token, now time.Time) Result {
	return Result{ID: "token-claims", Title: "Token claims", Status: StatusPass,
		Summary: "issuer " + t.Issuer + ", subject " + t.Subject + " (decoded without verifying the signature)",
		Facts:   claimFacts(t, now)}
}

func checkHeader(t *Token) Result {
	r := Result{ID: "token-header", Title: "Token header", Facts: []Fact{fact("alg", orNone(t.Alg)), fact("typ", orNone(t.Typ)), fact("kid", orNone(t.Kid))}}
	switch {
	case strings.EqualFold(t.Alg, "none") || t.Alg == "":
		r.Status, r.Summary = StatusFail, "the token is unsigned (alg \""+t.Alg+"\"); Entra accepts only RS256-signed tokens"
		r.Hint = "this is not a token Spacelift issued; use " + DefaultTokenPath
	case t.Alg != "RS256":
		r.Status, r.Summary = StatusFail, "the token is signed with "+t.Alg+"; Entra supports RS256 only for federated credentials"
		r.Hint = "Spacelift signs with RS256: check that this is Spacelift's token and not another issuer's"
	case t.Typ != "" && t.Typ != "JWT" && t.Typ != "http://openid.net/specs/jwt/1.0":
		r.Status, r.Summary = StatusFail, "the header's typ is \""+t.Typ+"\"; Entra requires JWT (AADSTS5002727)"
		r.Hint = "the issuer must emit typ JWT; this is not a token Spacelift issued"
	default:
		r.Status, r.Summary = StatusPass, "RS256, typ "+orNone(t.Typ)
	}
	return r
}

// checkLifetime judges exp, nbf and iat against the local clock.
func checkLifetime(t *Token, now time.Time) Result {
	r := Result{ID: "token-lifetime", Title: "Token lifetime", Facts: []Fact{
		fact("now (local clock)", now.UTC().Format(time.RFC3339)),
		fact("valid from (nbf)", timeDisplay(t.NotBefore, now)),
		fact("expires (exp)", expDisplay(t.Expiry, now)),
	}}
	if t.IssuedAt != nil && t.Expiry != nil {
		r.Facts = append(r.Facts, fact("lifetime (exp - iat)", humanDuration(t.Expiry.Sub(*t.IssuedAt))))
	}
	switch {
	case t.Expiry == nil:
		r.Status, r.Summary = StatusFail, "the token has no exp claim; Entra rejects tokens without an expiry"
		r.Hint = "this is not a token Spacelift issued; use " + DefaultTokenPath
	case !now.Before(*t.Expiry):
		r.Status, r.ErrorCode = StatusFail, "AADSTS700024"
		r.Summary = "the token expired " + humanDuration(now.Sub(*t.Expiry)) + " ago; Entra will answer AADSTS700024"
		r.Hint = "Spacelift tokens live one hour and are written when a phase starts: trigger a fresh run; if the copy is stale, read " + DefaultTokenPath + " directly"
	case t.NotBefore != nil && t.NotBefore.Sub(now) > clockLeeway:
		// Entra judges nbf by its own clock: the exchange decides whether
		// this fails; locally it is evidence of a slow worker clock.
		r.Status = StatusWarn
		r.Summary = "the token is not valid until " + humanDuration(t.NotBefore.Sub(now)) + " from now by the local clock: this worker's clock is behind (or the issuer's ahead)"
		r.Hint = "Entra checks nbf against its own clock, so the exchange may still work (see entra-exchange and clock-skew); fix the worker's time sync (NTP/chrony)"
	case t.IssuedAt != nil && t.IssuedAt.Sub(now) > clockLeeway:
		r.Status = StatusWarn
		r.Summary = "the token was issued " + humanDuration(t.IssuedAt.Sub(now)) + " in the future by the local clock: this worker's clock is behind"
		r.Hint = "fix the worker's time sync (NTP/chrony)"
	case t.Expiry.Sub(now) < MinUsefulLifetime:
		r.Status = StatusWarn
		r.Summary = "the token expires in " + humanDuration(t.Expiry.Sub(now)) + ", less than " + humanDuration(MinUsefulLifetime) + ": a plan and an apply may outlive it"
		r.Hint = "the azurerm provider reads the token once and cannot refresh it: trigger a fresh run, or split a long stack"
	default:
		r.Status, r.Summary = StatusPass, "valid for another "+humanDuration(t.Expiry.Sub(now))
	}
	return r
}

// checkIssuerClaim checks iss is an exact https URL with no trailing slash.
func checkIssuerClaim(t *Token) Result {
	r := Result{ID: "claim-iss", Title: "Issuer claim", Facts: []Fact{fact("iss", fmt.Sprintf("%q", t.Issuer))}}
	u, err := url.Parse(t.Issuer)
	switch {
	case t.Issuer == "":
		r.Status, r.Summary = StatusFail, "the token has no iss claim (AADSTS90014)"
		r.Hint = "this is not a token Spacelift issued; use " + DefaultTokenPath
	case strings.TrimSpace(t.Issuer) != t.Issuer:
		r.Status, r.Summary = StatusFail, "iss has surrounding whitespace; Entra blocks the exchange"
		r.Hint = "the issuer must be the bare URL, e.g. https://<account>.app.spacelift.io"
	case err != nil || u.Host == "":
		r.Status, r.Summary = StatusFail, "iss is not a URL"
		r.Hint = "Spacelift's issuer is https://<account>.app.spacelift.io"
	case u.Scheme != "https":
		r.Status, r.Summary = StatusFail, "iss uses "+u.Scheme+"; Entra fetches the issuer's keys over https only"
		r.Hint = "on Self-Hosted, set FEDERATION_CUSTOM_ISSUER to an https URL reachable from the internet"
	case strings.HasSuffix(t.Issuer, "/"):
		r.Status, r.Summary = StatusWarn, "iss ends with a slash; the federated credential's issuer must end with it too, byte for byte"
		r.Hint = "copy iss exactly into the credential's issuer, including the trailing slash"
	default:
		r.Status, r.Summary = StatusPass, "https, no trailing slash: the credential's issuer must be exactly "+t.Issuer
	}
	return r
}

// checkAudience checks aud against Spacelift's convention (the issuer's host).
func checkAudience(t *Token) Result {
	r := Result{ID: "claim-aud", Title: "Audience claim", Facts: []Fact{fact("aud", audDisplay(t)), fact("iss", t.Issuer)}}
	host := ""
	if u, err := url.Parse(t.Issuer); err == nil {
		host = u.Host
	}
	switch {
	case len(t.Audience) == 0:
		r.Status, r.Summary = StatusFail, "the token has no aud claim; Entra needs one to match a federated credential"
		r.Hint = "this is not a token Spacelift issued; use " + DefaultTokenPath
	case len(t.Audience) > 1:
		r.Status, r.Summary = StatusWarn, fmt.Sprintf("aud holds %d values; a federated credential holds exactly one", len(t.Audience))
		r.Hint = "set the credential's audience to the value Entra matches, normally " + host
	case host != "" && t.Audience[0] != host:
		r.Status, r.Summary = StatusWarn, "aud "+t.Audience[0]+" is not the issuer's host "+host+" (Spacelift's convention; normal for some self-hosted issuers)"
		r.Hint = "the credential's audience must be exactly " + t.Audience[0]
	default:
		r.Status, r.Summary = StatusPass, "aud is the issuer's host: the credential's audience must be exactly "+t.Audience[0]+" (not api://AzureADTokenExchange)"
	}
	return r
}

// checkSubject parses sub in Spacelift's default format, or reports a custom template.
func checkSubject(t *Token) Result {
	r := Result{ID: "claim-sub", Title: "Subject claim", Facts: []Fact{fact("sub", t.Subject)}}
	rebuilt := spacelift.FromClaims(t.Spacelift)
	if _, err := spacelift.ParseSubject(rebuilt.String()); err == nil {
		r.Facts = append(r.Facts, fact("default subject from claims", rebuilt.String()))
	}
	switch s, err := spacelift.ParseSubject(t.Subject); {
	case t.Subject == "":
		r.Status, r.Summary = StatusFail, "the token has no sub claim"
		r.Hint = "this is not a token Spacelift issued; use " + DefaultTokenPath
	case len(t.Subject) > 600:
		r.Status, r.Summary = StatusFail, fmt.Sprintf("sub is %d characters; an Entra federated credential's subject holds at most 600", len(t.Subject))
		r.Hint = "shorten the account's OIDC subject template (Organization Settings → Security)"
	case err != nil:
		r.Status = StatusPass
		r.Summary = "custom subject template (not Spacelift's default format: " + err.Error() + "); the credential's subject must be exactly the sub above"
	case s != rebuilt:
		r.Status = StatusWarn
		r.Summary = "sub is in the default format but disagrees with the token's own claims"
		r.Hint = "the credential must match sub, not the claims; check for a custom subject template"
	default:
		r.Status, r.Summary = StatusPass, "Spacelift's default format: "+s.CallerType+" "+s.CallerID+", run type "+s.RunType+", scope "+s.Scope
	}
	return r
}

// checkScope judges scope against runType (spacelift.md §2, "About scopes").
func checkScope(t *Token) Result {
	sc := t.Spacelift
	r := Result{ID: "claim-scope", Title: "Run type and scope", Facts: []Fact{fact("runType", orNone(sc.RunType)), fact("scope", orNone(sc.Scope))}}
	write := spacelift.FromClaims(sc)
	write.Scope = "write"
	switch {
	case sc.RunType == "" || sc.Scope == "":
		r.Status, r.Summary = StatusSkip, "skipped: the token has no runType or scope claim"
	case sc.RunType == "TRACKED" && sc.Scope == "read":
		r.Status = StatusWarn
		r.Summary = "TRACKED run with read scope: the planning phase of a stack without autodeploy; the apply phase will present a different subject with write scope"
		r.Hint = "create a second federated credential for the apply phase, and run oidc-doctor in before_apply too"
		if t.Subject == spacelift.FromClaims(sc).String() {
			r.Facts = append(r.Facts, fact("apply-phase subject", write.String()))
		}
	case sc.RunType == "PROPOSED" && sc.Scope == "read",
		sc.Scope == "write" && (sc.RunType == "TRACKED" || sc.RunType == "TASK" || sc.RunType == "DESTROY" || sc.RunType == "TESTING"):
		r.Status, r.Summary = StatusPass, sc.RunType+" runs get "+sc.Scope+" scope"
	case sc.RunType == "TESTING" && sc.Scope == "read":
		r.Status, r.Summary = StatusPass, "TESTING with read scope: listed by Spacelift's Azure page (its scopes section says write); create credentials for both"
	default:
		r.Status = StatusWarn
		r.Summary = "unexpected combination: run type " + sc.RunType + " with " + sc.Scope + " scope"
		r.Hint = "the credential must match the subject exactly whatever the combination"
	}
	return r
}

// checkSpaceliftEnv compares the claims with the run's TF_VAR_spacelift_* variables.
func checkSpaceliftEnv(t *Token, getenv func(string) string) Result {
	r := Result{ID: "claim-run-env", Title: "Claims vs this run"}
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
			r.Facts = append(r.Facts, fact(p.env, e+" ≠ "+p.claim+" "+p.val))
		} else {
			r.Facts = append(r.Facts, fact(p.env, e+" = "+p.claim))
		}
	}
	switch {
	case seen == 0:
		r.Status, r.Summary = StatusSkip, "skipped: no TF_VAR_spacelift_* variables (not running inside a Spacelift run)"
	case len(bad) > 0:
		r.Status = StatusWarn
		r.Summary = "the token is not this run's: " + strings.Join(bad, "; ")
		r.Hint = "a stale or copied token is in use; read Spacelift's current token from " + DefaultTokenPath + " or SPACELIFT_OIDC_TOKEN"
	default:
		r.Status, r.Summary = StatusPass, "the token belongs to this run"
	}
	return r
}
