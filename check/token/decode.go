package token

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"sort"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/oidc-doctor/oidc-doctor/check/diag"
	"github.com/oidc-doctor/oidc-doctor/check/spacelift"
)

// Token is the decoded Spacelift OIDC token. The raw compact form is kept
// unexported so that no renderer can print it by accident.
type Token struct {
	raw string

	Alg, Kid, Typ string

	Issuer    string
	Audience  []string
	AudArray  bool // aud was serialised as a JSON array
	Subject   string
	IssuedAt  *time.Time
	NotBefore *time.Time
	Expiry    *time.Time
	ID        string // jti

	Spacelift spacelift.Claims
	// Extra lists claims that neither the JWT standard nor Spacelift defines,
	// sorted by name, values as compact JSON.
	Extra []diag.Fact
	// TypeErrors lists claims present with the wrong JSON type (e.g. exp as
	// a string) or out of range (an exp of 20,000 digits).
	TypeErrors []string
}

// Raw returns the compact token for sending to Entra. Never render it.
func (t *Token) Raw() string { return t.raw }

// AudienceString is aud joined for display.
func (t *Token) AudienceString() string { return strings.Join(t.Audience, ", ") }

// FirstAudience is the first (normally only) audience.
func (t *Token) FirstAudience() string {
	if len(t.Audience) == 0 {
		return ""
	}
	return t.Audience[0]
}

// TokenError is why a token could not be decoded, with a stable kind.
type TokenError struct {
	Kind string // empty, json-document, jwe, opaque, bad-base64, bad-json, too-deep, number-range, not-object
	Msg  string
}

func (e *TokenError) Error() string { return e.Msg }

var knownClaims = map[string]bool{
	"iss": true, "sub": true, "aud": true, "exp": true, "nbf": true, "iat": true, "jti": true,
	"spaceId": true, "spacePath": true, "callerType": true, "callerId": true,
	"runType": true, "runId": true, "scope": true,
}

// DecodeUnverified decodes a compact JWS WITHOUT checking its signature: the
// claims it returns are only what the token says, not proof of anything. The
// name carries the hazard, as kubelogin's DecodeWithoutVerify does.
func DecodeUnverified(raw string) (*Token, error) {
	if raw == "" {
		return nil, &TokenError{"empty", "the token is empty"}
	}
	if strings.HasPrefix(raw, "{") || strings.HasPrefix(raw, "[") {
		return nil, &TokenError{"json-document", "this is a JSON document, not a JWT: the token file must hold the compact token (three base64url parts joined by dots)"}
	}
	parts := strings.Split(raw, ".")
	switch {
	case len(parts) == 5:
		return nil, &TokenError{"jwe", "this is an encrypted JWT (JWE, five parts); Entra needs a signed JWT (JWS, three parts)"}
	case len(parts) != 3:
		return nil, &TokenError{"opaque", fmt.Sprintf("this is not a JWT: it has %d dot-separated parts, a compact JWT has three", len(parts))}
	}
	for i, name := range []string{"header", "payload"} {
		b, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(parts[i], "="))
		if err != nil {
			return nil, &TokenError{"bad-base64", fmt.Sprintf("the JWT %s is not valid base64url", name)}
		}
		if err := checkJSONObject(name, b, i == 0); err != nil {
			return nil, err
		}
	}
	claims := jwt.MapClaims{}
	p := jwt.NewParser(jwt.WithJSONNumber())
	parsed, _, err := p.ParseUnverified(raw, claims)
	if err != nil && !errors.Is(err, jwt.ErrTokenUnverifiable) {
		return nil, &TokenError{"bad-json", "the JWT could not be decoded: " + jwtErrText(err)}
	}
	t := &Token{raw: raw}
	t.Alg, _ = parsed.Header["alg"].(string)
	t.Kid, _ = parsed.Header["kid"].(string)
	t.Typ, _ = parsed.Header["typ"].(string)
	t.readClaims(claims)
	return t, nil
}

// jwtErrText keeps golang-jwt's words but never the token.
func jwtErrText(err error) string {
	switch {
	case errors.Is(err, jwt.ErrTokenMalformed):
		return "malformed token"
	default:
		return "undecodable token"
	}
}

// readClaims fills t from the claims, recording each claim of the wrong
// JSON type in TypeErrors, in the order read.
func (t *Token) readClaims(c jwt.MapClaims) {
	t.Issuer = t.claimString(c, "iss")
	t.Subject = t.claimString(c, "sub")
	t.ID = t.claimString(c, "jti")
	t.readAudience(c["aud"])
	t.IssuedAt, t.NotBefore, t.Expiry = t.claimTime(c, "iat"), t.claimTime(c, "nbf"), t.claimTime(c, "exp")
	str := func(k string) string { return t.claimString(c, k) }
	t.Spacelift = spacelift.Claims{
		SpaceID: str("spaceId"), SpacePath: str("spacePath"), CallerType: str("callerType"),
		CallerID: str("callerId"), RunType: str("runType"), RunID: str("runId"), Scope: str("scope"),
	}
	t.readExtra(c)
}

// claimString is claim k as a string; "" when absent, null or not a string.
func (t *Token) claimString(c jwt.MapClaims, k string) string {
	v, ok := c[k]
	if !ok || v == nil {
		return ""
	}
	s, ok := v.(string)
	if !ok {
		t.TypeErrors = append(t.TypeErrors, fmt.Sprintf("%s is %s, want a string", k, diag.JSONType(v)))
	}
	return s
}

// claimTime is claim k as a time in seconds since the epoch; nil when
// absent, null, not a number or out of range.
func (t *Token) claimTime(c jwt.MapClaims, k string) *time.Time {
	v, ok := c[k]
	if !ok || v == nil {
		return nil
	}
	n, ok := v.(json.Number)
	if !ok {
		t.TypeErrors = append(t.TypeErrors, fmt.Sprintf("%s is %s, want a number of seconds", k, diag.JSONType(v)))
		return nil
	}
	f, err := n.Float64()
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) || f < 0 || f > 1e11 {
		t.TypeErrors = append(t.TypeErrors, fmt.Sprintf("%s is a number out of range: %s", k, numberText(n)))
		return nil
	}
	sec, frac := math.Modf(f)
	u := time.Unix(int64(sec), int64(frac*1e9)).UTC()
	return &u
}

// readAudience reads aud: a string, or an array of strings.
func (t *Token) readAudience(aud any) {
	switch a := aud.(type) {
	case nil:
	case string:
		t.Audience = []string{a}
	case []any:
		t.AudArray = true
		for _, v := range a {
			if s, ok := v.(string); ok {
				t.Audience = append(t.Audience, s)
			} else {
				t.TypeErrors = append(t.TypeErrors, "aud holds "+diag.JSONType(v)+", want strings")
			}
		}
	default:
		t.TypeErrors = append(t.TypeErrors, "aud is "+diag.JSONType(a)+", want a string or an array of strings")
	}
}

// readExtra keeps the claims the doctor does not read, by name, each cut short.
func (t *Token) readExtra(c jwt.MapClaims) {
	var extra []string
	for k := range c {
		if !knownClaims[k] {
			extra = append(extra, k)
		}
	}
	sort.Strings(extra)
	for _, k := range extra {
		b, _ := json.Marshal(c[k])
		t.Extra = append(t.Extra, diag.F(cut(k, maxExtraRunes), cut(string(b), maxExtraRunes)))
	}
}
