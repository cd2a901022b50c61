package tenancyhttp

import (
	"context"

	"github.com/clientele/clientele"
	"github.com/clientele/clientele/authn"
)

// Caller is who a request comes from, as [API.Authenticate] resolved it
// for this request.
type Caller struct {
	// Principal acts in the services: the agency admin, or a client user
	// with its current role.
	Principal clientele.Principal
	// Identity is the client user's session, membership and the client's
	// current permissions; nil for the agency admin.
	Identity *authn.Identity
	// Agency is the portal's agency, with its current branding.
	Agency clientele.Agency
}

type (
	callerKey struct{}
	agencyKey struct{}
)

// CallerFrom returns the caller [API.Authenticate] put in ctx; false for an
// anonymous request or outside Authenticate.
func CallerFrom(ctx context.Context) (Caller, bool) {
	c, ok := ctx.Value(callerKey{}).(Caller)
	return c, ok
}

// AgencyFrom returns the portal's agency [API.Portal] put in ctx (for
// branding pages); false outside Portal.
func AgencyFrom(ctx context.Context) (clientele.Agency, bool) {
	a, ok := ctx.Value(agencyKey{}).(clientele.Agency)
	return a, ok
}
