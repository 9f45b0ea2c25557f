package emulator

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"math/big"
	"net/http"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// DefaultSubject is the sub claim of the base token.
const DefaultSubject = "space:" + SpaceID + ":stack:" + StackID + ":run_type:TRACKED:scope:write"

// kid derives a stable key ID from an RSA public key.
func kid(k *rsa.PublicKey) string {
	sum := sha256.Sum256(k.N.Bytes())
	return hex.EncodeToString(sum[:10])
}

// jwk renders an RSA public key as a JWK with use "sig" (Spacelift added
// "use":"sig" to its JWKS on 2026-01-13).
func jwk(k *rsa.PublicKey) map[string]any {
	return map[string]any{
		"kty": "RSA",
		"use": "sig",
		"alg": "RS256",
		"kid": kid(k),
		"n":   base64.RawURLEncoding.EncodeToString(k.N.Bytes()),
		"e":   base64.RawURLEncoding.EncodeToString(big.NewInt(int64(k.E)).Bytes()),
	}
}

// newUUID returns a random version-4 UUID.
func newUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// mintToken signs the run's OIDC token the way Spacelift does (claims per
// https://docs.spacelift.io/integrations/cloud-providers/oidc/), applying the scenario's overrides. now is Spacelift's clock.
func mintToken(spec TokenSpec, now time.Time) (string, error) {
	if spec.Raw != "" {
		return spec.Raw, nil
	}
	lifetime := spec.Lifetime
	if lifetime == 0 {
		lifetime = time.Hour
	}
	iat := now.Add(-spec.IssuedAgo).Unix()
	claims := jwt.MapClaims{
		"iss":        IssuerURL,
		"aud":        Audience,
		"iat":        iat,
		"nbf":        iat,
		"exp":        iat + int64(lifetime/time.Second),
		"jti":        newUUID(),
		"spaceId":    SpaceID,
		"callerType": "stack",
		"callerId":   StackID,
		"runType":    "TRACKED",
		"runId":      RunID,
		"scope":      "write",
	}
	_, subOverridden := spec.Claims["sub"]
	for k, v := range spec.Claims {
		if v == nil {
			delete(claims, k)
			continue
		}
		claims[k] = v
	}
	if !subOverridden {
		claims["sub"] = renderSubject(spec.SubjectTemplate, claims)
	}
	t := jwt.NewWithClaims(jwt.SigningMethodRS256, claims)
	t.Header["kid"] = kid(&issuerKey.PublicKey)
	for k, v := range spec.Header {
		if v == nil {
			delete(t.Header, k)
			continue
		}
		t.Header[k] = v
	}
	s, err := t.SignedString(issuerKey)
	if err != nil {
		return "", fmt.Errorf("signing token: %w", err)
	}
	if spec.TamperSignature {
		s = tamper(s)
	}
	return s, nil
}

// renderSubject renders a subject template with the token's claims, as
// Spacelift does (https://docs.spacelift.io/integrations/cloud-providers/oidc/subject-template);
// "" is the default format. {spacePath} renders the root space's path.
func renderSubject(tmpl string, claims jwt.MapClaims) string {
	if tmpl == "" {
		tmpl = "space:{spaceId}:{callerType}:{callerId}:run_type:{runType}:scope:{scope}"
	}
	v := func(k string) string { return fmt.Sprint(claims[k]) }
	return strings.NewReplacer("{spaceId}", v("spaceId"), "{spacePath}", "/"+v("spaceId"), "{callerType}", v("callerType"),
		"{callerId}", v("callerId"), "{runId}", v("runId"), "{runType}", v("runType"), "{scope}", v("scope")).Replace(tmpl)
}

// tamper flips one character in the middle of the signature segment, which
// changes the decoded signature bytes while keeping valid base64url.
func tamper(s string) string {
	i := strings.LastIndexByte(s, '.')
	if i < 0 || i+1 >= len(s) {
		return s
	}
	b := []byte(s)
	j := i + 1 + (len(s)-i-1)/2
	if b[j] == 'A' {
		b[j] = 'B'
	} else {
		b[j] = 'A'
	}
	return string(b)
}

// issuerRoute serves the Spacelift account's OIDC discovery and JWKS.
func (e *Emulator) issuerRoute(r *http.Request) (string, handlerFunc) {
	switch r.URL.Path {
	case "/.well-known/openid-configuration":
		return "issuer-discovery", e.issuerDiscovery
	case "/.well-known/jwks":
		return "issuer-jwks", e.issuerJWKS
	}
	return "", func(*http.Request) response {
		return textResponse(http.StatusNotFound, "text/plain; charset=utf-8", "404 page not found\n")
	}
}

func (e *Emulator) issuerDiscovery(r *http.Request) response {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		return textResponse(http.StatusMethodNotAllowed, "text/plain; charset=utf-8", "405 method not allowed\n")
	}
	if e.scn.Issuer.HTMLDiscovery {
		return textResponse(http.StatusOK, "text/html; charset=utf-8",
			"<!DOCTYPE html>\n<html><head><title>Spacelift</title></head><body><div id=\"root\"></div><script src=\"/static/js/main.js\"></script></body></html>\n")
	}
	iss := e.scn.Issuer.DiscoveryIssuer
	if iss == "" {
		iss = IssuerURL
	}
	// Field set as served by Spacelift, as imitated by Teleport's tests
	// (github.com/gravitational/teleport, lib/spacelift/token_validator_test.go).
	return jsonResponse(http.StatusOK, map[string]any{
		"issuer":                                iss,
		"jwks_uri":                              IssuerURL + "/.well-known/jwks",
		"id_token_signing_alg_values_supported": []string{"RS256"},
		"response_types_supported":              []string{"id_token"},
		"scopes_supported":                      []string{"openid", "profile"},
		"subject_types_supported":               []string{"public", "pairwise"},
		"claims_supported":                      []string{"aud", "callerId", "callerType", "exp", "iat", "iss", "jti", "nbf", "runId", "runType", "scope", "spaceId", "sub"},
	})
}

func (e *Emulator) issuerJWKS(r *http.Request) response {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		return textResponse(http.StatusMethodNotAllowed, "text/plain; charset=utf-8", "405 method not allowed\n")
	}
	key := &issuerKey.PublicKey
	if e.scn.Issuer.RotatedKeys {
		key = &rotatedKey.PublicKey
	}
	k := jwk(key)
	if e.scn.Issuer.MalformedJWKS {
		delete(k, "n")
	}
	return jsonResponse(http.StatusOK, map[string]any{"keys": []any{k}})
}
