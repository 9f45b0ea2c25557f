package transport

import (
	"context"
	"fmt"
	"net/http"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/arm"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/runtime"

	"github.com/oidc-doctor/oidc-doctor/check/roles"
)

// permissionsPage is one page of the permissions API.
type permissionsPage struct {
	Value    []roles.Permission `json:"value"`
	NextLink string             `json:"nextLink"`
}

// Permissions lists the caller's effective permissions at scope (a
// subscription, a resource group or a resource id), data actions included,
// through c's pipeline (bearer token, retries, no provider registration).
// armauthorization/v2 has no call for a subscription scope, so this is the
// one reader of the permissions API for every step. The permissions read
// before an error are returned with it.
func Permissions(ctx context.Context, c *arm.Client, scope string) ([]roles.Permission, error) {
	first := runtime.JoinPaths(c.Endpoint(), scope+"/providers/Microsoft.Authorization/permissions") + "?api-version=2022-04-01"
	pager := runtime.NewPager(runtime.PagingHandler[permissionsPage]{
		More: func(p permissionsPage) bool { return p.NextLink != "" },
		Fetcher: func(ctx context.Context, p *permissionsPage) (permissionsPage, error) {
			next := first
			if p != nil {
				next = p.NextLink
			}
			req, err := runtime.NewRequest(ctx, http.MethodGet, next)
			if err != nil {
				return permissionsPage{}, fmt.Errorf("listing permissions: %w", err)
			}
			req.Raw().Header.Set("Accept", "application/json")
			resp, err := c.Pipeline().Do(req)
			if err != nil {
				return permissionsPage{}, err
			}
			if !runtime.HasStatusCode(resp, http.StatusOK) {
				return permissionsPage{}, runtime.NewResponseError(resp)
			}
			var page permissionsPage
			if err := runtime.UnmarshalAsJSON(resp, &page); err != nil {
				return permissionsPage{}, fmt.Errorf("decoding permissions: %w", err)
			}
			return page, nil
		},
	})
	pages, err := Collect(ctx, pager, "listing permissions", func(p permissionsPage) string { return p.NextLink })
	var perms []roles.Permission
	for _, p := range pages {
		perms = append(perms, p.Value...)
	}
	return perms, err
}
