// Package redact masks secrets in text oidc-doctor is about to print.
//
// It is the backstop behind every output format: the checks are written never
// to put a raw token in a Report, and everything printed still goes through
// String or a Writer, so a mistake upstream prints a fingerprint instead of a
// credential. A mask names the hazard and keeps a short fingerprint, e.g.
// "[REDACTED JWT sha256:1a2b3c4d]", so two reports can be compared without
// either holding the secret.
//
// Secrets are recognised by shape, never by where they appear:
//   - a JWT, JWS or JWE: a run of base64url text that starts with "eyJ" (the
//     encoding of `{"`, i.e. a JSON object header), with or without dots and
//     with an empty signature; also in other letter case and with a header
//     written with spaces ("eyAi", `{ "`), and as a reader sees it: wrapped
//     across lines, boxed by │ borders, split by spaces or tabs, with its
//     line breaks escaped (jwt.go, separators.go); a long base64url run
//     next to a token, or next to a mask (the rest of a token split off),
//     is taken as more of it;
//   - the value after "Bearer", "bearer" or "BEARER" and white space;
//   - the value after access_token, refresh_token, id_token,
//     client_assertion or client_secret followed by ":" or "=" (query
//     strings, form bodies, JSON with or without escaped quotes);
//   - the password in a URL's userinfo (https://user:pass@proxy).
//
// Host names, GUIDs, trace and correlation ids, URLs and version strings are
// left alone, even next to a token.
//
// This package must not import package check: check may use it.
package redact

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
)

// String returns s with every secret-shaped substring masked. It is
// idempotent: masking masked text changes nothing.
func String(s string) string {
	if !mayHoldSecret(s) {
		return s
	}
	// Tokens first: a token region may span lines, which the keyed values
	// and URLs never do, so it must be seen whole before they cut into it.
	s, _ = maskTokens(s, false)
	return maskRest(s)
}

// maskRest masks keyed values and URL passwords in s, whose tokens are
// masked, then what follows a JWT mask either made (the rest of a token).
func maskRest(s string) string {
	s = maskUserinfo(maskKeyed(s))
	if hasMask(s) {
		s, _ = maskTokens(s, false)
	}
	return s
}

// mayHoldSecret is the fast path: most report lines hold none of the
// substrings that start a secret.
func mayHoldSecret(s string) bool {
	return hasHeader(s) || hasMask(s) || strings.Contains(s, "://") || hasKeyword(s)
}

// mask is the replacement for secret, whose kind is JWT when it looks like one.
func mask(secret string) string {
	kind := "[REDACTED "
	if ok, _ := headerAt(secret, 0); ok {
		kind = "[REDACTED JWT "
	}
	return kind + Fingerprint(secret) + "]"
}

// Fingerprint names a secret without revealing it: "sha256:" and the first
// 8 hex digits of its SHA-256. Masks, the token-source facts and the
// emulator's request log all use it, so the same token reads the same
// everywhere.
func Fingerprint(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return "sha256:" + hex.EncodeToString(sum[:4])
}

// isB64URL reports whether c can appear in a base64url segment.
func isB64URL(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_'
}

// isTokenChar reports whether c can appear in an opaque token or secret
// (RFC 6750 b64token, plus '%' for URL-encoded secrets).
func isTokenChar(c byte) bool {
	return isB64URL(c) || c == '.' || c == '~' || c == '+' || c == '/' || c == '=' || c == '%'
}

// maskUserinfo masks the password in "scheme://user:password@host".
func maskUserinfo(s string) string {
	var b strings.Builder
	last := 0
	for from := 0; from < len(s); {
		k := strings.Index(s[from:], "://")
		if k < 0 {
			break
		}
		start := from + k + 3
		from = start
		colon, at := -1, -1
		for j := start; j < len(s); j++ {
			c := s[j]
			if c == '@' {
				at = j
				break
			}
			if c == ':' && colon < 0 {
				colon = j
			}
			if c == '/' || c == '?' || c == '#' || c == ' ' || c == '\n' || c == '\t' || c == '"' || c == '\\' || c == '[' {
				break
			}
		}
		if colon < 0 || at < 0 || at == colon+1 {
			continue
		}
		b.WriteString(s[last : colon+1])
		b.WriteString(mask(s[colon+1 : at]))
		last, from = at, at
	}
	if last == 0 {
		return s
	}
	b.WriteString(s[last:])
	return b.String()
}
