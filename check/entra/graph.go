package entra

// The Microsoft Graph token, which Terraform's azurerm provider asks for
// before any ARM call (explain.AzurermGraphError cites the code). Exchange requests
// it with the same assertion at the same time as the ARM token, through a
// credential of its own (its own MSAL client, so neither waits on the
// other's lock), and does not wait for it: the root collects it with
// Graph.Results beside the RBAC step, so the run's critical path stays the
// ARM exchange's.

import (
	"context"
	"strings"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/golang-jwt/jwt/v5"

	"github.com/oidc-doctor/oidc-doctor/check/diag"
	"github.com/oidc-doctor/oidc-doctor/check/explain"
	"github.com/oidc-doctor/oidc-doctor/check/graph"
	"github.com/oidc-doctor/oidc-doctor/check/signin"
	"github.com/oidc-doctor/oidc-doctor/check/transport"
)

// Result ids of the Graph checks. They are API: never change them.
const (
	idGraphToken       = "graph-token"
	idGraphPermissions = "graph-permissions"
	idGraphCredentials = "graph-credentials"

	titleGraphToken       = "Microsoft Graph token (the exchange azurerm makes first)"
	titleGraphPermissions = "Graph permissions for the azuread provider"
	titleGraphCredentials = "Federated credentials, read through Graph"
)

// GraphInput says what the Graph checks look at.
type GraphInput struct {
	// Scope is the cloud's Graph scope (graph.Scope); empty asks for no
	// Graph token.
	Scope string
	// Checks adds graph-permissions and graph-credentials after
	// graph-token: the azuread provider's needs, and the app's federated
	// credentials read (when the Graph token may) and compared with the
	// subjects the stack presents. The run's main identity has them; a
	// provider block's own exchange has graph-token alone.
	Checks bool
	// Azuread is the azuread provider configuration; nil when there is none.
	Azuread *Azuread
	// Unused says no configured provider asks for the Graph token (only
	// azapi, which asks for ARM tokens alone): a refusal then warns.
	Unused string
}

// Azuread is what the configuration says of the azuread provider.
type Azuread struct {
	// Who names its configurations: `provider "azuread"`.
	Who string
	// Resources and DataSources are the resource and data source types in use.
	Resources, DataSources []string
	// OtherIdentity, when set, says the provider signs in as another app
	// or in another tenant ("client_id ... (main.tf:3)"): the token's
	// permissions are not its own.
	OtherIdentity string
}

// GraphSkipped is the Graph checks' results when no Graph token is asked
// for; why says what is missing.
func GraphSkipped(why string) []diag.Result {
	return []diag.Result{diag.Skipped(idGraphToken, titleGraphToken, why), diag.Skipped(idGraphPermissions, titleGraphPermissions, why),
		diag.Skipped(idGraphCredentials, titleGraphCredentials, why)}
}

// Graph is the Graph token in flight, and the checks that read it.
type Graph struct {
	in     Input
	start  time.Time
	cancel context.CancelFunc
	done   chan struct{}
	claims jwt.MapClaims
	token  string // the access token, for the one Graph read; never rendered
	err    error
	calls  *transport.Calls // what the token request's own requests met
	ctxErr error            // why the token request's context ended, if it did
	took   time.Duration
	// exchangeFailed is the ARM exchange's failed result id, set by
	// Exchange before it returns.
	exchangeFailed string
}

// startGraph requests the Graph token with a credential of its own.
func startGraph(ctx context.Context, in Input) *Graph {
	if in.Graph.Scope == "" {
		return nil
	}
	g := &Graph{in: in, start: time.Now(), done: make(chan struct{})}
	cred, err := newCredential(in)
	if err != nil {
		g.err = err
		close(g.done)
		return g
	}
	gctx, cancel := context.WithTimeout(ctx, Timeout)
	gctx, g.calls = transport.Observe(gctx)
	g.cancel = cancel
	go func() {
		defer close(g.done)
		at, err := cred.GetToken(gctx, policy.TokenRequestOptions{Scopes: []string{in.Graph.Scope}})
		g.took, g.err, g.ctxErr = time.Since(g.start), err, gctx.Err()
		if err == nil {
			g.token = at.Token
			g.claims = jwt.MapClaims{}
			if _, _, perr := jwt.NewParser().ParseUnverified(at.Token, g.claims); perr != nil {
				g.claims = jwt.MapClaims{}
			}
		}
	}()
	return g
}

// wait waits for the token, or for ctx.
func (g *Graph) wait(ctx context.Context) bool {
	select {
	case <-g.done:
		return true
	case <-ctx.Done():
		return false
	}
}

// Stop ends a request nobody will read and waits for it.
func (g *Graph) Stop() {
	if g == nil {
		return
	}
	if g.cancel != nil {
		g.cancel()
	}
	<-g.done
}

// Results waits for the Graph token and returns graph-token,
// graph-permissions and graph-credentials; nil when no token was asked for.
func (g *Graph) Results(ctx context.Context) []diag.Result {
	if g == nil {
		return nil
	}
	defer g.Stop()
	if !g.wait(ctx) {
		r := diag.Result{ID: idGraphToken, Title: titleGraphToken, Status: diag.StatusFail, Elapsed: time.Since(g.start)}
		sum, hint := transport.Describe(signin.Host(g.in.Cloud.ActiveDirectoryAuthorityHost), ctx.Err())
		r.Summary, r.Hint, r.Cause = "no Graph token before the run's deadline: "+sum, hint, transport.Cause(ctx.Err())
		return append([]diag.Result{r}, g.skipRest("needs "+idGraphToken, idGraphToken)...)
	}
	tok := g.tokenResult()
	if tok.Status == diag.StatusFail && g.in.Graph.Unused != "" && g.exchangeFailed == "" {
		tok.Status = diag.StatusWarn
		tok.Summary += "; " + g.in.Graph.Unused + ", so this run does not need it yet"
	}
	if g.err != nil {
		if g.exchangeFailed != "" {
			tok.RootCause = g.exchangeFailed
		}
		return append([]diag.Result{tok}, g.skipRest("needs "+idGraphToken, idGraphToken)...)
	}
	if !g.in.Graph.Checks {
		return []diag.Result{tok}
	}
	out := []diag.Result{tok, g.permissions()}
	if g.exchangeFailed != "" {
		return append(out, diag.Caused([]diag.Result{diag.Skipped(idGraphCredentials, titleGraphCredentials, "needs a successful "+idExchange)}, g.exchangeFailed)...)
	}
	return append(out, g.credentials(ctx))
}

// skipRest are the checks after graph-token, skipped for why.
func (g *Graph) skipRest(why, root string) []diag.Result {
	if !g.in.Graph.Checks {
		return nil
	}
	return diag.Caused([]diag.Result{diag.Skipped(idGraphPermissions, titleGraphPermissions, why),
		diag.Skipped(idGraphCredentials, titleGraphCredentials, why)}, root)
}

// tokenResult is graph-token: the roles and directory roles of the token,
// or why Entra refused it.
func (g *Graph) tokenResult() diag.Result {
	r := diag.Result{ID: idGraphToken, Title: titleGraphToken, Elapsed: g.took, Facts: []diag.Fact{
		diag.F("scope", g.in.Graph.Scope),
		diag.F("why", "azurerm (3.44.0 and later) asks for this token before any ARM call, to read who it signs in as; the azuread provider uses it for every call"),
	}}
	if g.err != nil {
		return g.refused(r)
	}
	roles, wids := claimStrings(g.claims, "roles"), claimStrings(g.claims, "wids")
	w := graph.ReadWids(wids)
	r.Status = diag.StatusPass
	r.Summary = "Entra issued the Microsoft Graph token azurerm asks for first: " + rolesPhrase(roles) + "; " + directoryPhrase(w.Roles)
	if g.exchangeFailed != "" {
		r.Summary += " (while the ARM exchange failed: see " + g.exchangeFailed + ")"
	}
	r.Facts = append(r.Facts, diag.F("roles (application permissions)", listOr(roles, "(none)")),
		diag.F("directory roles", listOr(w.Roles, "(none)")))
	if len(w.NotRoles) > 0 {
		r.Facts = append(r.Facts, diag.F("wids not judged", strings.Join(w.NotRoles, ", ")+" (carried by every app-only token; no role)"))
	}
	if len(w.Unknown) > 0 {
		r.Facts = append(r.Facts, diag.F("wids not in the table", strings.Join(w.Unknown, ", ")))
	}
	r.Facts = append(r.Facts, diag.F("directory role names from", graph.RolesSource),
		diag.F("idtyp", diag.Absent(claimString(g.claims, "idtyp"))))
	return r
}

// refused is graph-token when the token request failed: Entra's refusal,
// or, as for the exchange, why no answer could be read.
func (g *Graph) refused(r diag.Result) diag.Result {
	r.Status = diag.StatusFail
	f := signin.Read(g.err, g.calls, g.ctxErr, g.in.exchange())
	if f.Answered {
		r.Facts = append(r.Facts, f.Request...)
		return merge(r, explain.GraphToken(f.Verdict, f.Status, f.Body))
	}
	r = merge(r, f.Verdict)
	r.Summary = "no Graph token: " + f.Summary
	if f.NoAnswer != nil {
		r.Facts = append(r.Facts, diag.F("azurerm stops with", explain.AzurermGraphError(0, nil, transport.SafeCause(f.NoAnswer))))
	}
	return r
}

func claimStrings(c jwt.MapClaims, k string) []string {
	var out []string
	if xs, ok := c[k].([]any); ok {
		for _, x := range xs {
			if s, ok := x.(string); ok {
				out = append(out, s)
			}
		}
	}
	return out
}

func claimString(c jwt.MapClaims, k string) string {
	s, _ := c[k].(string)
	return s
}

func listOr(xs []string, none string) string {
	if len(xs) == 0 {
		return none
	}
	return strings.Join(xs, ", ")
}

func rolesPhrase(roles []string) string {
	if len(roles) == 0 {
		return "no application permission"
	}
	return "application permissions " + strings.Join(roles, ", ")
}

func directoryPhrase(roles []string) string {
	if len(roles) == 0 {
		return "no directory role"
	}
	return "directory roles " + strings.Join(roles, ", ")
}
