package emulator

import (
	"context"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// issuerFetchTimeout bounds each request the emulated Entra makes to an
// external issuer. UNCONFIRMED: Entra's real timeout is not documented.
const issuerFetchTimeout = 5 * time.Second

// verifyAssertion does what Entra does with a trusted external issuer:
// fetch {iss}/.well-known/openid-configuration and its jwks_uri over HTTPS
// (through the emulator's own client, so certificate, reachability and
// fault scenarios apply), find the token's kid and check the signature.
func (e *Emulator) verifyAssertion(r *http.Request, a *assertion, iss string) *aadsts {
	keys, err := e.fetchIssuerKeys(r.Context(), iss)
	if errors.Is(err, errUnparseableKeys) {
		f := errSigningKeys()
		return &f
	}
	if err != nil {
		f := errIssuerEndpoint()
		return &f
	}
	kidValue, _ := a.header["kid"].(string)
	var candidates []*rsa.PublicKey
	if kidValue != "" {
		if k, ok := keys[kidValue]; ok {
			candidates = append(candidates, k)
		}
		if len(candidates) == 0 {
			f := errKidNotFound(kidValue, iss)
			return &f
		}
	} else {
		for _, k := range keys {
			candidates = append(candidates, k)
		}
	}
	alg, _ := a.header["alg"].(string)
	method, ok := jwt.GetSigningMethod(alg).(*jwt.SigningMethodRSA)
	if !ok {
		f := errSignature()
		return &f
	}
	for _, k := range candidates {
		if method.Verify(a.signing, a.sig, k) == nil {
			return nil
		}
	}
	f := errSignature()
	return &f
}

// errUnparseableKeys: the issuer's JWKS was fetched but holds no key Entra
// can read. UNCONFIRMED: how many broken keys Entra tolerates beside good
// ones; the emulator answers AADSTS900612 only when none can be read.
var errUnparseableKeys = errors.New("no readable signing key in the JWKS")

// fetchIssuerKeys returns the issuer's RSA keys by kid.
func (e *Emulator) fetchIssuerKeys(ctx context.Context, iss string) (map[string]*rsa.PublicKey, error) {
	var disc struct {
		Issuer  string `json:"issuer"`
		JWKSURI string `json:"jwks_uri"`
	}
	if err := e.getJSON(ctx, iss+"/.well-known/openid-configuration", &disc); err != nil {
		return nil, err
	}
	// UNCONFIRMED: whether Entra rejects a discovery document whose issuer
	// differs from iss; OIDC Discovery requires the check, so the emulator
	// treats it as an endpoint failure (AADSTS50166).
	if disc.Issuer != iss {
		return nil, fmt.Errorf("discovery issuer %q does not match %q", disc.Issuer, iss)
	}
	if disc.JWKSURI == "" {
		return nil, errors.New("discovery document has no jwks_uri")
	}
	var set struct {
		Keys []struct {
			Kty, Kid, N, E string
		} `json:"keys"`
	}
	if err := e.getJSON(ctx, disc.JWKSURI, &set); err != nil {
		return nil, err
	}
	keys := map[string]*rsa.PublicKey{}
	for i, k := range set.Keys {
		if k.Kty != "RSA" || i >= 100 { // Entra keeps only the first 100 keys
			continue
		}
		n, err1 := base64.RawURLEncoding.DecodeString(k.N)
		eb, err2 := base64.RawURLEncoding.DecodeString(k.E)
		if err1 != nil || err2 != nil || len(n) == 0 || len(eb) == 0 {
			continue
		}
		keys[k.Kid] = &rsa.PublicKey{N: new(big.Int).SetBytes(n), E: int(new(big.Int).SetBytes(eb).Int64())}
	}
	if len(set.Keys) > 0 && len(keys) == 0 {
		return nil, errUnparseableKeys
	}
	return keys, nil
}

func (e *Emulator) getJSON(ctx context.Context, url string, v any) error {
	ctx, cancel := context.WithTimeout(ctx, issuerFetchTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	req.Header.Set(internalHeader, e.secret)
	req.Header.Set("User-Agent", "Microsoft Entra ID (oidc-doctor emulator)")
	resp, err := e.Client().Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %s", url, resp.Status)
	}
	return json.NewDecoder(io.LimitReader(resp.Body, maxBody)).Decode(v)
}
