// Package token finds the run's OIDC token, decodes it and judges it, the
// way Terraform and Entra ID will see it. It makes no network request and
// uses no Azure SDK: every check here is a pure function of the token, the
// environment and the clock.
//
// It owns the check ids token-source, token-format, token-claims,
// token-header, token-lifetime and claim-*.
package token

import (
	"context"
	"fmt"
	"time"

	"github.com/oidc-doctor/oidc-doctor/check/diag"
)

// Input is where the token step looks.
type Input struct {
	// Getenv reads one environment variable ("" when unset).
	Getenv func(string) string
	// TokenFile is --token-file; empty means resolve from the environment.
	TokenFile string
	// DefaultPath replaces spacelift.TokenPath (tests, the demo); empty
	// means the default.
	DefaultPath string
	// Terraform says where Terraform itself reads the token; nil is not
	// judged (see terraform.go).
	Terraform *Terraform
}

func (in Input) env(k string) string {
	if in.Getenv == nil {
		return ""
	}
	return in.Getenv(k)
}

// Titles of the checks this step owns, in the order they run. A skipped
// check carries the same title as a run one.
var titles = []struct{ id, title string }{
	{"token-source", "Token source"},
	{"token-format", "Token format"},
	{"token-claims", "Token claims"},
	{"token-header", "Token header"},
	{"token-lifetime", "Token lifetime"},
	{"claim-iss", "Issuer claim"},
	{"claim-aud", "Audience claim"},
	{"claim-sub", "Subject claim"},
	{"claim-scope", "Run type and scope"},
	{"claim-run-env", "Claims vs this run"},
}

func title(id string) string {
	for _, t := range titles {
		if t.id == id {
			return t.title
		}
	}
	return ""
}

// Check finds, decodes and judges the token, reading files under ctx. It
// returns the decoded token (nil when none could be read or decoded), one
// result for each check it owns, in order (those it could not run are
// skipped with the reason), and the token files it found, which the report
// must never overwrite.
func Check(ctx context.Context, in Input, now time.Time) (*Token, []diag.Result, []string) {
	src, res, files := resolveToken(ctx, in)
	res = judgeTerraform(ctx, in, res, src)
	out := []diag.Result{res}
	if src == nil || src.Err != nil || src.Value == "" {
		for _, t := range titles[1:] {
			out = append(out, diag.Skipped(t.id, t.title, "no token was read"))
		}
		return nil, withCauses(diag.Caused(out, "token-source")), files
	}
	tok, res := judgeFormat(src)
	out = append(out, res)
	if tok == nil {
		for _, t := range titles[2:] {
			out = append(out, diag.Skipped(t.id, t.title, "the token could not be decoded"))
		}
		return nil, withCauses(diag.Caused(out, "token-format")), files
	}
	return tok, withCauses(append(out,
		checkClaims(tok, now),
		checkHeader(tok),
		checkLifetime(tok, now),
		checkIssuerClaim(tok),
		checkAudience(tok),
		checkSubject(tok),
		checkScope(tok),
		checkSpaceliftEnv(tok, in.env),
	)), files
}

// Load finds and decodes the token as Check would, for commands that only
// need its claims (explain, subjects). The error says why there is none.
// The files are those Check returns.
func Load(ctx context.Context, in Input) (*Token, []string, error) {
	src, r, files := resolveToken(ctx, in)
	if src == nil || src.Err != nil || src.Value == "" {
		return nil, files, fmt.Errorf("%s", r.Summary)
	}
	tok, fr := judgeFormat(src)
	if tok == nil {
		return nil, files, fmt.Errorf("%s", fr.Summary)
	}
	return tok, files, nil
}
