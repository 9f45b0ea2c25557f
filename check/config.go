package check

import (
	"fmt"
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
}

// DefaultTimeout bounds a whole run when Config.Timeout is zero.
const DefaultTimeout = 30 * time.Second

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

func (c Config) tokenInput() token.Input {
	return token.Input{Getenv: c.Getenv, TokenFile: c.TokenFile, DefaultPath: c.DefaultTokenPath}
}

// LoadToken finds and decodes the token as Run would, for commands that only
// need its claims (explain, subjects).
func LoadToken(cfg Config) (*token.Token, error) { return token.Load(cfg.tokenInput()) }

// ExplainPaste explains pasted error output. With Config.TokenFile set it
// compares the values the errors quote with that token's; a token file that
// cannot be read or decoded is an error, never silently ignored.
func ExplainPaste(text string, cfg Config) ([]Finding, error) {
	var tok *token.Token
	if cfg.TokenFile != "" {
		var err error
		if tok, err = token.Load(cfg.tokenInput()); err != nil {
			return nil, fmt.Errorf("--token-file %s: %v", cfg.TokenFile, err)
		}
	}
	return Explain(text, tok), nil
}
