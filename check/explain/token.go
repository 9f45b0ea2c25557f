package explain

import (
	"strings"
	"time"
)

// Token is what the run's token presented to Entra, as far as it is known:
// the values a federated credential must equal. The live exchange fills it
// from the decoded token; explain fills it from --token-file. Zero fields
// are unknown.
type Token struct {
	Issuer, Subject string
	Audience        []string
	// CallerType is the Spacelift callerType claim, stack or module.
	CallerType string
	// NotBefore and Expiry are the nbf and exp claims.
	NotBefore, Expiry *time.Time
}

// FirstAudience is the first (normally only) audience.
func (t *Token) FirstAudience() string {
	if t == nil || len(t.Audience) == 0 {
		return ""
	}
	return t.Audience[0]
}

// AudienceString is aud joined for display.
func (t *Token) AudienceString() string { return strings.Join(t.Audience, ", ") }
