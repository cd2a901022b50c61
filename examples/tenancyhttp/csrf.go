package tenancyhttp

import (
	"errors"
	"fmt"
	"net/http"
)

// errCrossOrigin reports an unsafe browser request from another origin.
var errCrossOrigin = errors.New("tenancyhttp: cross-origin request refused")

// crossOrigin runs http.CrossOriginProtection on every request without a
// bearer token: a cookie request, and a credential-less one too (so a
// foreign page cannot sign a browser into another account). GET, HEAD and
// OPTIONS always pass; Sec-Fetch-Site cross-site or same-site, or an Origin
// whose host is not the Host, answer 403 forbidden. Bearer requests are
// exempt: a browser never attaches an Authorization header by itself.
func (a *API) crossOrigin(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !hasBearer(r) {
			if err := a.csrf.Check(r); err != nil {
				WriteError(w, r, fmt.Errorf("%w: %v", errCrossOrigin, err), a.log)
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}
