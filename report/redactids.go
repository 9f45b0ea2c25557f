package report

import (
	"strings"

	"github.com/oidc-doctor/oidc-doctor/check/diag"
	"github.com/oidc-doctor/oidc-doctor/check/redact"
)

// idKinds names the facts whose values are identifiers of a known kind, so
// that --redact masks them as tenant-1, client-1 ... rather than guid-N.
var idKinds = map[string]string{
	"ARM_TENANT_ID": "tenant", "tenant": "tenant", "tid": "tenant", "AZURE_TENANT_ID": "tenant",
	"ARM_CLIENT_ID": "client", "client id": "client", "appid": "client", "AZURE_CLIENT_ID": "client",
	"ARM_SUBSCRIPTION_ID": "subscription", "subscription": "subscription",
	"oid": "object", "object id": "object",
	"account_name": "account", "spacelift_account_name": "account",
}

// RedactIDs masks identifiers (tenant, subscription, client and object ids,
// the account's name and host) in every string of r, consistently: the same
// id gets the same mask everywhere in the report. Whole values only: a
// subject or stack id that contains the account's name stays as it is, and
// an account host keeps its Spacelift suffix. Used by --redact for reports
// shared outside the company.
func RedactIDs(r diag.Report) diag.Report {
	rd := redact.NewRedactor()
	seed := func(fs []diag.Fact) {
		for _, f := range fs {
			// Only a bare id: not "(not set)" nor a quoted value with the
			// reason it is wrong, which would mask that text everywhere.
			if k, ok := idKinds[f.Key]; ok && !strings.ContainsAny(f.Value, " ()\"") {
				rd.ID(k, f.Value)
			}
		}
	}
	seed(r.Environment)
	for _, res := range r.Results {
		seed(res.Facts)
	}
	facts := func(fs []diag.Fact) []diag.Fact { return redactFacts(rd, fs) }
	out := diag.Report{Started: r.Started, Environment: facts(r.Environment)}
	for _, res := range r.Results {
		res.Summary, res.Hint = rd.Text(res.Summary), rd.Text(res.Hint)
		res.Facts = facts(res.Facts)
		fixes := make([]diag.Fix, len(res.Fixes))
		for i, f := range res.Fixes {
			fixes[i] = diag.Fix{Title: rd.Text(f.Title), Lang: f.Lang, Text: rd.Text(f.Text)}
		}
		res.Fixes = fixes
		out.Results = append(out.Results, res)
	}
	return out
}

// redactFacts masks the keys and values of facts.
func redactFacts(rd *redact.Redactor, fs []diag.Fact) []diag.Fact {
	out := make([]diag.Fact, len(fs))
	for i, f := range fs {
		out[i] = diag.Fact{Key: rd.Text(f.Key), Value: rd.Value(f.Value)}
	}
	return out
}
