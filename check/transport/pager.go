package transport

import (
	"context"
	"fmt"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/runtime"
)

// MaxPages bounds every pager, in case a service hands back nextLinks forever.
const MaxPages = 100

// Collect reads every page of p, at most MaxPages of them, and stops with an
// error when a page repeats an earlier nextLink (a service that pages in a
// circle). nextLink reads a page's link; what names the list in errors
// ("listing role assignments"). The pages read so far are returned with any
// error.
func Collect[T any](ctx context.Context, p *runtime.Pager[T], what string, nextLink func(T) string) ([]T, error) {
	var pages []T
	seen := map[string]bool{}
	for p.More() {
		if len(pages) == MaxPages {
			return pages, fmt.Errorf("%s: paging did not end after %d pages", what, MaxPages)
		}
		page, err := p.NextPage(ctx)
		if err != nil {
			return pages, err
		}
		pages = append(pages, page)
		if next := nextLink(page); next != "" {
			if seen[next] {
				return pages, fmt.Errorf("%s: the service repeated nextLink %s", what, next)
			}
			seen[next] = true
		}
	}
	return pages, nil
}
