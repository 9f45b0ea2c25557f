package issuer

// The issuer-signature check: fetch the JWKS, pick the token's key and
// verify its RS256 signature.

import (
	"context"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/golang-jwt/jwt/v5"
	"github.com/oidc-doctor/oidc-doctor/check/diag"
	"github.com/oidc-doctor/oidc-doctor/check/transport"
)

// entraKeyLimit is how many signing keys Entra keeps from a JWKS
// (https://learn.microsoft.com/entra/workload-id/workload-identity-federation).
const entraKeyLimit = 100

// verifySignature fetches the JWKS at jwksURI, picks the token's key and
// verifies the RS256 signature. Any alg but RS256 fails without a request.
func verifySignature(ctx context.Context, client *http.Client, tok Token, jwksURI string) diag.Result {
	r := diag.Result{ID: "issuer-signature", Title: titleSignature,
		Facts: []diag.Fact{diag.F("alg", diag.Absent(tok.Alg)), diag.F("kid", diag.Absent(tok.Kid))}}
	if summary, bad := algProblem(tok.Alg); bad {
		r.Status, r.Summary, r.Hint = diag.StatusFail, summary, "use the token Spacelift writes to /mnt/workspace/spacelift.oidc; it is signed with RS256"
		return r
	}
	if jwksURI == "" {
		return diag.Skipped("issuer-signature", titleSignature, "needs the jwks_uri from issuer-discovery")
	}
	r, keys := fetchJWKS(ctx, client, r, jwksURI)
	if r.Status != "" {
		return r
	}
	kids := make([]string, len(keys))
	for i, k := range keys {
		kids[i], _ = jsonString(k["kid"])
	}
	r.Facts = append(r.Facts, diag.F("keys in JWKS", strconv.Itoa(len(keys))), diag.F("kids in JWKS", listKids(kids)))
	if tok.Kid == "" {
		return verifyWithoutKid(r, tok, keys, kids)
	}
	return verifyWithKid(r, tok, keys, kids)
}

// algProblem says why a token signed with alg cannot be used with Entra,
// which accepts only RS256.
func algProblem(alg string) (summary string, bad bool) {
	switch {
	case alg == "none" || alg == "":
		return "the token is unsigned (alg " + diag.Absent(alg) + "): nothing proves who issued it, and Entra accepts only RS256", true
	case strings.HasPrefix(alg, "HS"):
		return "the token is signed with " + alg + ", a shared-secret MAC no issuer can publish a key for; Entra accepts only RS256", true
	case alg != "RS256":
		return "the token is signed with " + alg + "; Entra accepts only RS256", true
	}
	return "", false
}

// verifyWithKid verifies the signature with the key the token's kid
// names among keys (whose kids are kids), as Entra does.
func verifyWithKid(r diag.Result, tok Token, keys []map[string]json.RawMessage, kids []string) diag.Result {
	fail := func(summary, hint string) diag.Result {
		r.Status, r.Summary, r.Hint = diag.StatusFail, summary, hint
		return r
	}
	idx := slices.Index(kids, tok.Kid)
	if idx < 0 {
		r.Facts = append(r.Facts, diag.F("entra expects", "AADSTS7000272: the certificate with identifier "+tok.Kid+" could not be found in the metadata"))
		return fail("the token's kid "+strconv.Quote(tok.Kid)+" is not in the issuer's JWKS",
			"the keys were rotated since the token was minted, or the token comes from another issuer (on Self-Hosted, check FEDERATION_CUSTOM_JWKS_URI). "+
				"Spacelift tokens live one hour: trigger a new run and check again")
	}
	pub, problem := rsaKey(keys[idx])
	if problem != "" {
		return fail("the issuer's key "+strconv.Quote(tok.Kid)+" "+problem, "the JWKS must publish the signing key as an RSA key of at least 2048 bits with use \"sig\"")
	}
	r.Facts = append(r.Facts, diag.F("key size", strconv.Itoa(pub.N.BitLen())+" bits"))
	if err := verifyRS256(tok, pub); err != nil {
		return signatureFailure(r, err)
	}
	r.Status, r.Summary = diag.StatusPass, "the token's RS256 signature verifies with key "+strconv.Quote(tok.Kid)+" from the issuer's JWKS"
	if idx >= entraKeyLimit {
		r.Status = diag.StatusWarn
		r.Summary += fmt.Sprintf(", but it is key number %d and Entra keeps only the first %d", idx+1, entraKeyLimit)
		r.Hint = "remove old keys from the JWKS so the signing key is among the first 100"
	}
	return r
}

// fetchJWKS GETs and parses the key set. On failure it returns r with its
// status set; otherwise r gains the request's facts and keeps an empty status.
func fetchJWKS(ctx context.Context, client *http.Client, r diag.Result, jwksURI string) (diag.Result, []map[string]json.RawMessage) {
	fail := func(summary, hint string) (diag.Result, []map[string]json.RawMessage) {
		r.Status, r.Summary, r.Hint = diag.StatusFail, summary, hint
		return r, nil
	}
	u, err := url.Parse(jwksURI)
	if err != nil {
		return fail("the jwks_uri is not a URL", "set jwks_uri to an https URL")
	}
	host, shown := u.Hostname(), transport.RedactURL(u)
	r.Facts = append(r.Facts, diag.F("jwks_uri", shown))
	res, ok := fetchDocument(ctx, client, &r, "the JWKS", jwksURI, shown, host)
	if !ok {
		return r, nil
	}
	var set struct {
		Keys []map[string]json.RawMessage `json:"keys"`
	}
	if err := json.Unmarshal(res.body, &set); err != nil || set.Keys == nil {
		return fail("the JWKS has no keys array of objects", "the jwks_uri must serve a JSON Web Key Set: {\"keys\": [...]}")
	}
	return r, set.Keys
}

// verifyWithoutKid handles a token without kid: the only key, or the first
// key of several that verifies.
func verifyWithoutKid(r diag.Result, tok Token, keys []map[string]json.RawMessage, kids []string) diag.Result {
	if len(keys) == 0 {
		r.Status, r.Summary = diag.StatusFail, "the issuer's JWKS is empty"
		r.Hint = "the issuer publishes no keys, so nobody can verify its tokens (Entra fails with AADSTS7000272)"
		return r
	}
	if len(keys) == 1 {
		r.Facts = append(r.Facts, diag.F("note", "the token has no kid; the JWKS's only key was used"))
		pub, problem := rsaKey(keys[0])
		if problem != "" {
			r.Status, r.Summary = diag.StatusFail, "the issuer's only key "+problem
			r.Hint = "the JWKS must publish the signing key as an RSA key of at least 2048 bits with use \"sig\""
			return r
		}
		if err := verifyRS256(tok, pub); err != nil {
			return signatureFailure(r, err)
		}
		r.Status, r.Summary = diag.StatusPass, "the token's RS256 signature verifies with the issuer's only key (the token has no kid)"
		return r
	}
	for i, k := range keys {
		if pub, problem := rsaKey(k); problem == "" && verifyRS256(tok, pub) == nil {
			r.Status = diag.StatusWarn
			r.Summary = fmt.Sprintf("the token has no kid; key %d of %d (%s) verifies it", i+1, len(keys), diag.Absent(kids[i]))
			r.Hint = "how Entra picks a key for a token without kid is not documented; Spacelift's tokens normally carry one, so check where this token came from"
			return r
		}
	}
	r.Status = diag.StatusFail
	r.Summary = fmt.Sprintf("the token has no kid and none of the issuer's %d keys verifies its signature", len(keys))
	r.Hint = "the token was altered or comes from another issuer; Entra will answer AADSTS700027 (client assertion failed signature validation)"
	return r
}

// signatureFailure words a failed verification.
func signatureFailure(r diag.Result, err error) diag.Result {
	r.Status = diag.StatusFail
	switch {
	case errors.Is(err, jwt.ErrTokenSignatureInvalid):
		r.Summary = "the token's signature does not verify with the issuer's key: the token was altered, truncated or signed by another issuer"
		r.Hint = "pass the token exactly as Spacelift wrote it (no quotes, no line breaks, not cut short); check that iss names the issuer that minted it"
		r.Facts = append(r.Facts, diag.F("entra expects", "AADSTS700027: Client assertion failed signature validation"))
	case errors.Is(err, jwt.ErrTokenMalformed):
		r.Summary = "the token could not be parsed for verification: it is malformed"
		r.Hint = "pass the token exactly as Spacelift wrote it"
	default:
		r.Summary = "the token's signature could not be verified: undecodable token"
		r.Hint = "pass the token exactly as Spacelift wrote it"
	}
	return r
}

// verifyRS256 checks the signature only: claims (exp, nbf) are judged
// elsewhere, so an expired token still gets its signature judged.
func verifyRS256(tok Token, pub *rsa.PublicKey) error {
	_, err := jwt.Parse(tok.Raw, func(*jwt.Token) (any, error) { return pub, nil },
		jwt.WithValidMethods([]string{"RS256"}), jwt.WithoutClaimsValidation())
	return err
}

// rsaKey builds the public key of one JWK, or says what is wrong with it.
//
// No JWKS library (go-jose, lestrrat-go/jwx): an RS256 key is two base64url
// big-endian integers, n and e, which encoding/base64 and math/big decode in
// a dozen lines, and golang-jwt does the verification. A library would add a
// dependency tree for no extra rigour here.
func rsaKey(k map[string]json.RawMessage) (*rsa.PublicKey, string) {
	kty, _ := jsonString(k["kty"])
	use, hasUse := jsonString(k["use"])
	alg, hasAlg := jsonString(k["alg"])
	switch {
	case kty != "RSA":
		return nil, "is of type " + strconv.Quote(kty) + ", not RSA: RS256 needs an RSA key"
	case hasUse && use != "sig":
		return nil, "is marked use " + strconv.Quote(use) + ", not \"sig\": verifiers must not use it for signatures"
	case hasAlg && alg != "RS256":
		return nil, "is marked alg " + strconv.Quote(alg) + ", not RS256"
	}
	n, errN := jwkInt(k["n"])
	e, errE := jwkInt(k["e"])
	switch {
	case errN != nil:
		return nil, "has a bad modulus n: " + errN.Error()
	case errE != nil:
		return nil, "has a bad exponent e: " + errE.Error()
	case !e.IsInt64() || e.Int64() < 3 || e.Int64() > 1<<31-1 || e.Bit(0) == 0:
		return nil, "has an invalid exponent e (it must be odd, at least 3 and fit 32 bits)"
	case n.BitLen() < 2048:
		return nil, fmt.Sprintf("is too small: %d bits, RS256 keys must have at least 2048", n.BitLen())
	}
	return &rsa.PublicKey{N: n, E: int(e.Int64())}, ""
}

// jwkInt decodes a base64url (unpadded, RFC 7518 §6.3.1) big-endian integer.
func jwkInt(raw json.RawMessage) (*big.Int, error) {
	s, ok := jsonString(raw)
	switch {
	case !ok:
		return nil, errors.New("missing or not a string")
	case s == "":
		return nil, errors.New("empty")
	}
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return nil, errors.New("not unpadded base64url")
	}
	return new(big.Int).SetBytes(b), nil
}

// listKids shows the JWKS's key ids, at most 10.
func listKids(kids []string) string {
	show := kids
	if len(show) > 10 {
		show = show[:10]
	}
	out := make([]string, len(show))
	for i, k := range show {
		out[i] = strconv.Quote(k)
	}
	s := strings.Join(out, ", ")
	if len(kids) > 10 {
		s += fmt.Sprintf(" and %d more", len(kids)-10)
	}
	return diag.Absent(s)
}
