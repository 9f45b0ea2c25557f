package entra

// graph-credentials: the app's federated credentials, read through
// Microsoft Graph, against every subject the stack presents. Best effort:
// only when the Graph token may read them; a refusal or a fault is one
// line, never a failure.

import (
	"context"
	"crypto/rand"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/oidc-doctor/oidc-doctor/check/diag"
	"github.com/oidc-doctor/oidc-doctor/check/explain"
	"github.com/oidc-doctor/oidc-doctor/check/fixes"
	"github.com/oidc-doctor/oidc-doctor/check/graph"
	"github.com/oidc-doctor/oidc-doctor/check/spacelift"
	"github.com/oidc-doctor/oidc-doctor/check/transport"
)

// maxCredentialsBody bounds the list's answer (an app holds at most 20).
const maxCredentialsBody = 256 << 10

// credentials is graph-credentials.
func (g *Graph) credentials(ctx context.Context) diag.Result {
	r := diag.Result{ID: idGraphCredentials, Title: titleGraphCredentials, Status: diag.StatusSkip}
	sc := g.in.Spacelift
	tp := spacelift.Infer(g.in.Token.Subject, sc)
	switch {
	case !graph.CanListCredentials(claimStrings(g.claims, "roles")):
		r.Summary = "not read: the Graph token holds none of " + strings.Join(graph.CredentialReaders(), ", ") + ", which listing the app's federated credentials needs"
		return r
	case sc.SpaceID == "" || sc.CallerType == "" || sc.CallerID == "":
		r.Summary = "not compared: the token has no spaceId, callerType or callerId claim to build the stack's other subjects from"
		return r
	case tp.PerRun != "":
		r.Summary = "not compared: sub holds the run's " + strings.Fields(tp.PerRun)[0] + ", so no credential can match another run (see claim-sub)"
		return r
	}
	body, failed := g.listCredentials(ctx)
	if failed != nil {
		return *failed
	}
	creds, err := explain.Credentials(body)
	if err != nil {
		r.Summary = "not read: " + err.Error()
		return r
	}
	vs, cannot := tp.Variants(sc)
	return g.judgeCredentials(r, creds, vs, cannot)
}

// listCredentials sends GET /v1.0/applications(appId='{client}')/federatedIdentityCredentials
// (https://learn.microsoft.com/graph/api/application-list-federatedidentitycredentials).
// An app holds at most 20 credentials, so one page holds them all. On a
// refusal or a fault it returns the one-line result.
func (g *Graph) listCredentials(ctx context.Context) ([]byte, *diag.Result) {
	skip := func(sum string, facts ...diag.Fact) *diag.Result {
		return &diag.Result{ID: idGraphCredentials, Title: titleGraphCredentials, Status: diag.StatusSkip, Summary: "not read: " + sum, Facts: facts}
	}
	u := graph.Endpoint(g.in.Graph.Scope) + "/v1.0/applications(appId='" + url.PathEscape(g.in.ClientID) + "')/federatedIdentityCredentials"
	pu, err := url.Parse(u)
	if err != nil || pu.Scheme != "https" {
		return nil, skip("the Graph endpoint " + transport.StripURLs(u) + " is not an https URL")
	}
	rctx, cancel := context.WithTimeout(ctx, Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(rctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, skip(err.Error())
	}
	req.Header.Set("Authorization", "Bearer "+g.token)
	req.Header.Set("Accept", "application/json")
	req.Header.Set("client-request-id", requestID())
	resp, err := g.in.Client.Do(req)
	if err != nil {
		sum, _ := transport.Describe(pu.Hostname(), err)
		return nil, skip(sum)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxCredentialsBody+1))
	if err != nil {
		sum, _ := transport.Describe(pu.Hostname(), err)
		return nil, skip(sum)
	}
	if resp.StatusCode != http.StatusOK {
		v := explain.Graph(explain.GraphAnswer{Request: "GET " + pu.Host + pu.EscapedPath(), Status: resp.StatusCode,
			ContentType: resp.Header.Get("Content-Type"), Body: body, RequestID: resp.Header.Get("request-id")})
		sum := v.Summary
		if resp.StatusCode == http.StatusForbidden && !graph.CanListCredentials(withoutOwnedBy(claimStrings(g.claims, "roles"))) {
			sum += " (Application.ReadWrite.OwnedBy reaches only the apps the identity owns; Application.Read.All reads them all)"
		}
		r := skip(sum, v.Facts...)
		r.ErrorCode = v.ErrorCode
		return nil, r
	}
	return body, nil
}

// judgeCredentials compares the credentials with the stack's subjects.
func (g *Graph) judgeCredentials(r diag.Result, creds []explain.Credential, vs []spacelift.Variant, cannot []string) diag.Result {
	iss, aud := g.in.Token.Issuer, g.in.Token.FirstAudience()
	subs := make([]string, len(vs))
	for i, v := range vs {
		subs[i] = v.String()
	}
	cov := explain.Cover(creds, iss, aud, subs)
	missing := map[string]bool{}
	for _, s := range cov.Missing {
		missing[s] = true
	}
	r.Facts = append(r.Facts, diag.F("credentials on the app", fmt.Sprintf("%d (Entra allows at most 20)", len(creds))))
	apply := ""
	for _, v := range vs {
		s, note := v.String(), "has a credential"
		if missing[s] {
			note = "missing"
			if n := cov.Near[s]; n != "" {
				note += ": " + n
			}
		}
		if s == g.in.Token.Subject {
			note += " (this run's)"
		}
		r.Facts = append(r.Facts, diag.F(s, note+"; "+v.Why))
		if missing[s] && g.in.Spacelift.RunType == "TRACKED" && g.in.Spacelift.Scope == "read" && v.Subject.RunType == "TRACKED" && v.Subject.Scope == "write" {
			apply = s
		}
	}
	if len(cannot) > 0 {
		r.Facts = append(r.Facts, diag.F("not checked", strings.Join(cannot, ", ")+": the template's placeholder could not be located in sub"))
	}
	if len(cov.Missing) == 0 {
		r.Status = diag.StatusPass
		r.Summary = fmt.Sprintf("the app's %d federated credentials cover the %d subjects this %s presents", len(creds), len(subs), g.in.Spacelift.CallerType)
		return r
	}
	r.Status, r.Cause = diag.StatusWarn, diag.CauseNoMatchingFIC
	r.Summary = fmt.Sprintf("%d of the %d subjects this %s presents have no federated credential on the app: %s", len(cov.Missing), len(subs), g.in.Spacelift.CallerType, strings.Join(cov.Missing, ", "))
	if apply != "" {
		r.Summary = "the apply phase's write subject " + apply + " has no federated credential on the app: this run's apply will fail with AADSTS700213"
		if n := len(cov.Missing) - 1; n > 0 {
			r.Summary += fmt.Sprintf("; %d more of the %d subjects this %s presents have none", n, len(subs), g.in.Spacelift.CallerType)
		}
	}
	r.Hint = "create them now, so the apply phase or the next run type does not fail"
	if len(creds)+len(cov.Missing) > 20 {
		r.Hint += fmt.Sprintf("; the app would then hold %d credentials, more than Entra's 20: use a second app for some run types", len(creds)+len(cov.Missing))
	}
	r.Fixes = fixes.FICAll(g.in.ClientID, iss, aud, cov.Missing)
	return r
}

func withoutOwnedBy(roles []string) []string {
	var out []string
	for _, r := range roles {
		if !strings.EqualFold(r, "Application.ReadWrite.OwnedBy") {
			out = append(out, r)
		}
	}
	return out
}

// requestID is a random client-request-id, which Graph echoes.
func requestID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6], b[8] = b[6]&0x0f|0x40, b[8]&0x3f|0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}
