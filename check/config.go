// Package check is the public face of oidc-doctor's diagnosis: Config, Run
// (the chain of steps), the clock and environment facts, and the entry
// points of `explain` and `subjects`, so that main holds no diagnosis. The
// steps live in their own packages (tfconfig, token, settings, issuer,
// entra, rbac, backend);
// the data they return is package diag's, what a service's answer means is
// package explain's. Nothing here prints: rendering is package report's.
//
// It owns the check id clock-skew.
package check

import (
	"context"
	"net/http"
	"time"

	"github.com/oidc-doctor/oidc-doctor/check/spacelift"
	"github.com/oidc-doctor/oidc-doctor/check/token"
)

// DefaultTokenPath is where Spacelift writes the run's OIDC token.
const DefaultTokenPath = spacelift.TokenPath

// Config is everything the diagnosis reads from the outside world. Tests and
// the demo inject the emulator's HTTP client and a fixed clock here; nothing
// in check/ builds a default client or reads the process environment itself.
type Config struct {
	// Getenv reads one environment variable ("" when unset).
	Getenv func(string) string
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// TokenFile is --token-file; empty means resolve from the environment.
	TokenFile string
	// DefaultTokenPath overrides DefaultTokenPath (tests); empty means the default.
	DefaultTokenPath string
	// Offline skips every step that needs the network.
	Offline bool
	// HTTPClient carries every request (issuer, Entra, ARM). nil means a
	// client built from the environment (proxy settings, system roots).
	HTTPClient *http.Client
	// Timeout bounds the whole run; zero means DefaultTimeout.
	Timeout time.Duration
	// Dir is the Terraform project root (--dir); empty means the working
	// directory, where the before_init hook runs.
	Dir string
	// LookupHost resolves a host name (the state backend's blob host); nil
	// means the system resolver. The demo and the tests use the emulator's.
	LookupHost func(ctx context.Context, host string) ([]string, error)
	// Progress, when set, is told what network step starts, in words
	// ("exchanging the token with Entra ID"), and "" when the run is done,
	// for a status line on a terminal.
	Progress func(step string)
}

// DefaultTimeout bounds a whole run when Config.Timeout is zero.
const DefaultTimeout = 30 * time.Second

// deadline is a context bounded by the run's timeout, for the commands
// that read a token but run no diagnosis.
func (c Config) deadline() (context.Context, context.CancelFunc) {
	t := c.Timeout
	if t <= 0 {
		t = DefaultTimeout
	}
	return context.WithTimeout(context.Background(), t)
}

func (c Config) now() time.Time {
	if c.Now == nil {
		return time.Now()
	}
	return c.Now()
}

func (c Config) env(k string) string {
	if c.Getenv == nil {
		return ""
	}
	return c.Getenv(k)
}

// progress reports the step that starts, when anyone listens.
func (c Config) progress(step string) {
	if c.Progress != nil {
		c.Progress(step)
	}
}

func (c Config) tokenInput(tf *token.Terraform) token.Input {
	return token.Input{Getenv: c.Getenv, TokenFile: c.TokenFile, DefaultPath: c.DefaultTokenPath, Terraform: tf}
}
