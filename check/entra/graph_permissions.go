package entra

import (
	"fmt"
	"strings"

	"github.com/oidc-doctor/oidc-doctor/check/diag"
	"github.com/oidc-doctor/oidc-doctor/check/fixes"
	"github.com/oidc-doctor/oidc-doctor/check/graph"
)

// permissions is graph-permissions: the azuread resource and data source
// types in use, each against what its documentation says it needs.
func (g *Graph) permissions() diag.Result {
	r := diag.Result{ID: idGraphPermissions, Title: titleGraphPermissions}
	az := g.in.Graph.Azuread
	switch {
	case az == nil:
		r.Status, r.Summary = diag.StatusSkip, "skipped: no azuread provider is configured"
		return r
	case az.OtherIdentity != "":
		r.Status, r.Summary = diag.StatusSkip, "skipped: "+az.Who+" signs in as another identity ("+az.OtherIdentity+"), whose Graph permissions this token does not show"
		return r
	}
	needs, unknown := graph.Needs(az.Resources, az.DataSources)
	if len(needs) == 0 {
		r.Status = diag.StatusPass
		r.Summary = az.Who + " is configured, but no azuread resource or data source the doctor knows is in use"
		if len(unknown) > 0 {
			r.Facts = append(r.Facts, diag.F("not judged", strings.Join(unknown, ", ")))
		}
		return r
	}
	roles := claimStrings(g.claims, "roles")
	missing, unsure, grant := judgeNeeds(&r, needs, roles, graph.ReadWids(claimStrings(g.claims, "wids")).Roles)
	if len(unknown) > 0 {
		r.Facts = append(r.Facts, diag.F("not judged", strings.Join(unknown, ", ")+" (not in the doctor's table of azuread's documented permissions)"))
	}
	r.Facts = append(r.Facts, diag.F("token's application permissions", listOr(roles, "(none)")))
	switch {
	case len(missing) > 0:
		r.Status, r.Cause = diag.StatusFail, diag.CauseGraphPermissionDenied
		r.Summary = fmt.Sprintf("the Graph token lacks what %d of %d azuread types in use need: %s; Microsoft Graph will answer Authorization_RequestDenied (Insufficient privileges to complete the operation)",
			len(missing), len(needs), strings.Join(missing, ", "))
		r.Hint = "grant the application permissions with admin consent (or assign a directory role that covers them); new tokens carry them, so rerun after granting"
		r.Fixes = fixes.GraphPermissions(g.in.ClientID, claimString(g.claims, "oid"), grant)
	case len(unsure) > 0:
		r.Status = diag.StatusWarn
		r.Summary = "the Graph token may not cover " + strings.Join(unsure, ", ") + ": it depends on what the token cannot show (see the facts)"
		r.Hint = "check the conditions each fact names, or grant the documented application permission"
	default:
		r.Status = diag.StatusPass
		r.Summary = fmt.Sprintf("the Graph token covers what the %d azuread types in use need", len(needs))
	}
	return r
}

// judgeNeeds adds a fact per need and returns the types whose needs are
// missing or unsure, and the permissions to grant for the missing ones.
func judgeNeeds(r *diag.Result, needs []graph.Need, roles, dirRoles []string) (missing, unsure []string, grant []fixes.GraphPermission) {
	granted := map[string]bool{}
	for _, n := range needs {
		v := n.Judge(roles, dirRoles)
		val := string(v.Outcome) + ": " + v.By
		if v.Note != "" {
			val += "; " + v.Note
		}
		r.Facts = append(r.Facts, diag.F(n.Type, val+" ("+n.Doc+")"))
		switch v.Outcome {
		case graph.Missing:
			missing = append(missing, n.Type)
			for _, p := range n.Suggest() {
				if !granted[p] {
					granted[p] = true
					grant = append(grant, fixes.GraphPermission{Name: p, AppRoleID: graph.AppRoleID(p)})
				}
			}
		case graph.Unsure:
			unsure = append(unsure, n.Type)
		}
	}
	return missing, unsure, grant
}
