package report

import (
	"github.com/oidc-doctor/oidc-doctor/check/diag"
	"github.com/oidc-doctor/oidc-doctor/check/explain"
	"github.com/oidc-doctor/oidc-doctor/check/redact"
)

// explainIDKinds names the fields of an explain finding whose values are
// identifiers of a known kind, as idKinds does for a report's facts.
var explainIDKinds = map[string]string{
	"tenant": "tenant", "token_tenant": "tenant", "client_id": "client", "object_id": "object", "subscription": "subscription",
}

// RedactExplain is RedactIDs for explain's findings: the ids the paste
// names (tenant, client, object and subscription ids, the account's host)
// are masked consistently in every string, fixes included, so that
// `oidc-doctor explain --redact` can be shared outside the company.
func RedactExplain(ex explain.Explanation) explain.Explanation {
	rd := redact.NewRedactor()
	for _, f := range ex.Findings {
		for _, x := range f.Values {
			if k, ok := explainIDKinds[x.Key]; ok {
				rd.ID(k, x.Value)
			}
		}
	}
	out := ex
	out.Findings = make([]explain.Finding, len(ex.Findings))
	for i, f := range ex.Findings {
		f.Fields, f.Values = redactFacts(rd, f.Fields), redactFacts(rd, f.Values)
		f.Comparison = redactFacts(rd, f.Comparison)
		f.Title, f.Explanation, f.Fix, f.Message = rd.Text(f.Title), rd.Text(f.Explanation), rd.Text(f.Fix), rd.Text(f.Message)
		f.TraceID, f.CorrelationID = rd.Value(f.TraceID), rd.Value(f.CorrelationID)
		fixes := make([]diag.Fix, len(f.Fixes))
		for j, x := range f.Fixes {
			fixes[j] = diag.Fix{Title: rd.Text(x.Title), Lang: x.Lang, Text: rd.Text(x.Text)}
		}
		f.Fixes = fixes
		out.Findings[i] = f
	}
	return out
}
