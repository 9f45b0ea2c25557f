package token

import (
	"crypto/rand"
	"crypto/rsa"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

var (
	testKeyOnce sync.Once
	testKey     *rsa.PrivateKey
)

// testNow is the fixed clock of the pure checks' tests.
var testNow = time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)

// mint signs a Spacelift-shaped token with an in-memory key. mutate changes
// only what a test is about; a nil claim value deletes the claim.
func mint(t testing.TB, mutate func(c map[string]any, h map[string]any)) string {
	t.Helper()
	testKeyOnce.Do(func() {
		var err error
		if testKey, err = rsa.GenerateKey(rand.Reader, 2048); err != nil {
			panic(err)
		}
	})
	iat := testNow.Add(-5 * time.Minute).Unix()
	c := map[string]any{
		"iss": "https://demo.app.spacelift.io", "aud": "demo.app.spacelift.io",
		"sub": "space:root:stack:azure-infra:run_type:TRACKED:scope:write",
		"iat": iat, "nbf": iat, "exp": iat + 3600, "jti": "0b5e4f0e-6c1a-4d3c-9d0a-2f7a4a9f1c11",
		"spaceId": "root", "callerType": "stack", "callerId": "azure-infra",
		"runType": "TRACKED", "runId": "01JKZAHVAQHFM8CC3EA5HWRMP1", "scope": "write",
	}
	tok := jwt.NewWithClaims(jwt.SigningMethodRS256, jwt.MapClaims(c))
	tok.Header["kid"] = "test-key-1"
	if mutate != nil {
		mutate(c, tok.Header)
	}
	for k, v := range c {
		if v == nil {
			delete(c, k)
		}
	}
	for k, v := range tok.Header {
		if v == nil {
			delete(tok.Header, k)
		}
	}
	s, err := tok.SignedString(testKey)
	if err != nil {
		t.Fatal(err)
	}
	return s
}
