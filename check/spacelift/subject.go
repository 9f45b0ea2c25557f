// Package spacelift knows what Spacelift's OIDC tokens say about a run: the
// custom claims and the default subject format
// space:<spaceId>:(stack|module):<callerId>:run_type:<runType>:scope:<scope>
// (https://docs.spacelift.io/integrations/cloud-providers/oidc/, "Standard claims", "Custom claims" and "About scopes"). It imports nothing of the project:
// the token step, the fixes and the explanations all read subjects with it.
package spacelift

import (
	"fmt"
	"strings"
)

// Subject is a Spacelift subject in the default format
// space:<spaceId>:(stack|module):<callerId>:run_type:<runType>:scope:<scope>.
type Subject struct {
	SpaceID, CallerType, CallerID, RunType, Scope string
}

// String renders the subject in Spacelift's default format.
func (s Subject) String() string {
	return "space:" + s.SpaceID + ":" + s.CallerType + ":" + s.CallerID +
		":run_type:" + s.RunType + ":scope:" + s.Scope
}

// RunTypes are the run types Spacelift puts in OIDC tokens.
var RunTypes = []string{"PROPOSED", "TRACKED", "TASK", "TESTING", "DESTROY"}

// ParseSubject parses a subject in Spacelift's default format. It is strict:
// exact literal segments, known run types and scopes, non-empty ids. Any
// other shape means a custom subject template (or not a Spacelift token).
func ParseSubject(sub string) (Subject, error) {
	f := strings.Split(sub, ":")
	if len(f) != 8 {
		return Subject{}, fmt.Errorf("subject has %d colon-separated fields, the default format has 8", len(f))
	}
	s := Subject{SpaceID: f[1], CallerType: f[2], CallerID: f[3], RunType: f[5], Scope: f[7]}
	switch {
	case f[0] != "space":
		return Subject{}, fmt.Errorf("subject starts with %q, the default format starts with \"space\"", f[0])
	case f[4] != "run_type":
		return Subject{}, fmt.Errorf("field 5 is %q, the default format has \"run_type\"", f[4])
	case f[6] != "scope":
		return Subject{}, fmt.Errorf("field 7 is %q, the default format has \"scope\"", f[6])
	case s.SpaceID == "":
		return Subject{}, fmt.Errorf("the space id is empty")
	case s.CallerType != "stack" && s.CallerType != "module":
		return Subject{}, fmt.Errorf("caller type is %q, want stack or module", s.CallerType)
	case s.CallerID == "":
		return Subject{}, fmt.Errorf("the %s id is empty", s.CallerType)
	case !knownRunType(s.RunType):
		return Subject{}, fmt.Errorf("run type is %q, want one of %s", s.RunType, strings.Join(RunTypes, ", "))
	case s.Scope != "read" && s.Scope != "write":
		return Subject{}, fmt.Errorf("scope is %q, want read or write", s.Scope)
	}
	return s, nil
}

func knownRunType(rt string) bool {
	for _, r := range RunTypes {
		if r == rt {
			return true
		}
	}
	return false
}

// FromClaims rebuilds the default subject from the token's Spacelift claims.
func FromClaims(c Claims) Subject {
	return Subject{SpaceID: c.SpaceID, CallerType: c.CallerType, CallerID: c.CallerID, RunType: c.RunType, Scope: c.Scope}
}

// Variant is one subject a caller may present, and why.
type Variant struct {
	Subject Subject
	// Why says which runs present it.
	Why string
	// Uncertain is set where the Spacelift docs disagree: the Azure page
	// (https://docs.spacelift.io/integrations/cloud-providers/oidc/azure-oidc)
	// writes module subjects with a stack segment and lists TESTING with read.
	Uncertain string
	// Custom is the subject under the account's custom template (see
	// Template.Variants); empty for the default format.
	Custom string
}

// String is the subject as the caller presents it.
func (v Variant) String() string {
	if v.Custom != "" {
		return v.Custom
	}
	return v.Subject.String()
}

// AllSubjects lists every subject a stack or module can present under the
// default template: one federated credential each, since Entra has no wildcards.
func AllSubjects(spaceID, callerType, callerID string) []Variant {
	mk := func(rt, scope string) Subject {
		return Subject{SpaceID: spaceID, CallerType: callerType, CallerID: callerID, RunType: rt, Scope: scope}
	}
	if callerType == "module" {
		const why = "Spacelift's Azure page writes module subjects with a \"stack\" segment; the general format says \"module\": both are listed until a real token settles it"
		return []Variant{
			{Subject: mk("TESTING", "write"), Why: "module test cases (testing runs get write scope)"},
			{Subject: mk("TESTING", "read"), Why: "listed by Spacelift's Azure page; the scopes section says testing runs get write", Uncertain: "TESTING with read scope is unconfirmed"},
			{Subject: Subject{SpaceID: spaceID, CallerType: "stack", CallerID: callerID, RunType: "TESTING", Scope: "write"}, Why: "module tests, as Spacelift's Azure page writes them", Uncertain: why},
			{Subject: Subject{SpaceID: spaceID, CallerType: "stack", CallerID: callerID, RunType: "TESTING", Scope: "read"}, Why: "as Spacelift's Azure page writes them", Uncertain: why},
		}
	}
	return []Variant{
		{Subject: mk("PROPOSED", "read"), Why: "proposed runs (pull requests, drift detection)"},
		{Subject: mk("TRACKED", "read"), Why: "planning phase of tracked runs on stacks without autodeploy"},
		{Subject: mk("TRACKED", "write"), Why: "tracked runs: autodeployed, and the apply phase"},
		{Subject: mk("TASK", "write"), Why: "tasks"},
		{Subject: mk("DESTROY", "write"), Why: "destroy runs (stack deletion)"},
	}
}

// Claims are Spacelift's custom claims
// (https://docs.spacelift.io/integrations/cloud-providers/oidc/, "Custom claims").
type Claims struct {
	SpaceID, SpacePath, CallerType, CallerID, RunType, RunID, Scope string
}

// TokenPath is where Spacelift writes the run's OIDC token.
const TokenPath = "/mnt/workspace/spacelift.oidc"

// FixCase puts the fixed words of a default-format subject in
// Spacelift's case (run type upper, the rest lower), leaving the ids alone.
func FixCase(sub string) string {
	f := strings.Split(sub, ":")
	if len(f) != 8 {
		return sub
	}
	for _, i := range []int{0, 2, 4, 6, 7} {
		f[i] = strings.ToLower(f[i])
	}
	f[5] = strings.ToUpper(f[5])
	return strings.Join(f, ":")
}

// SpaceSlug splits a Spacelift space id "production-01HND497T9JKR76MR3KA2CDJHP"
// into its name, reporting whether it had a ULID suffix.
func SpaceSlug(id string) (string, bool) {
	i := strings.LastIndexByte(id, '-')
	if i <= 0 || len(id)-i-1 != 26 {
		return "", false
	}
	for _, c := range id[i+1:] {
		if !strings.ContainsRune("0123456789ABCDEFGHJKMNPQRSTVWXYZ", c) {
			return "", false
		}
	}
	return id[:i], true
}
