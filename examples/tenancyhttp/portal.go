package tenancyhttp

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"

	"github.com/clientele/clientele"
)

// errUnknownPortal reports a Host that is neither the agency's custom
// domain nor the base URL's host.
var errUnknownPortal = errors.New("tenancyhttp: unknown portal")

// Portal resolves the portal's agency from r.Host and puts it in the
// context (see [AgencyFrom]). The Host must name the agency's custom
// domain or the base URL's host (any case, any port, a trailing dot
// ignored); any other host answers 404 unknown_portal. Only r.Host is
// read: X-Forwarded-Host and Forwarded are never trusted, so a reverse
// proxy must pass the original Host. The agency is read fresh on every
// request, so a new custom domain holds at once. Portal also puts the
// request's source IP in the context (clientele.WithSourceIP, from
// authn.ClientIP and Config.TrustedProxies) for the audit log.
func (a *API) Portal(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		agency, err := a.portal(r.Context(), r.Host)
		if err != nil {
			WriteError(w, r, err, a.log)
			return
		}
		next.ServeHTTP(w, r.WithContext(context.WithValue(a.withSourceIP(r), stateKey{}, &requestState{agency: agency})))
	})
}

// portal returns the configured agency if host serves it.
func (a *API) portal(ctx context.Context, host string) (clientele.Agency, error) {
	name := hostOnly(host)
	if name == "" {
		return clientele.Agency{}, errUnknownPortal
	}
	agency, err := a.tenancy.Agency(ctx, clientele.AgencyAdmin(a.agencyID))
	if errors.Is(err, clientele.ErrNotFound) {
		// The configured agency is missing: a server fault, not the
		// caller's (so the sentinel is not kept).
		return clientele.Agency{}, fmt.Errorf("tenancyhttp: portal agency %s: %v", a.agencyID, err)
	}
	if err != nil { // kept whole, so that an unreachable store answers as such
		return clientele.Agency{}, fmt.Errorf("tenancyhttp: portal agency %s: %w", a.agencyID, err)
	}
	if name == a.baseHost || agency.Branding.CustomDomain != "" && name == agency.Branding.CustomDomain {
		return agency, nil
	}
	return clientele.Agency{}, errUnknownPortal
}

// hostOnly returns the host name of a Host header or URL host: lower case,
// without port, brackets or trailing dot; "" when empty.
func hostOnly(host string) string {
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	host = strings.TrimSuffix(strings.TrimPrefix(host, "["), "]")
	return strings.ToLower(strings.TrimSuffix(host, "."))
}
