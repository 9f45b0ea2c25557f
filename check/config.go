package check

import (
	"net/http"
	"time"
)

// DefaultTokenPath is where Spacelift writes the run's OIDC token.
const DefaultTokenPath = "/mnt/workspace/spacelift.oidc"

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
