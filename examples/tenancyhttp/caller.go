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

// requestState is what Portal and Authenticate learn of one request, kept
// in one context value that Authenticate fills in place (a request is
// served by one goroutine at a time), so that a request is copied once,
// not at every step.
type requestState struct {
	agency    clientele.Agency
	caller    Caller
	hasCaller bool
}

type stateKey struct{}

func stateFrom(ctx context.Context) (*requestState, bool) {
	st, ok := ctx.Value(stateKey{}).(*requestState)
	return st, ok
}

// CallerFrom returns the caller [API.Authenticate] put in ctx; false for an
// anonymous request or outside Authenticate.
func CallerFrom(ctx context.Context) (Caller, bool) {
	st, ok := stateFrom(ctx)
	if !ok || !st.hasCaller {
		return Caller{}, false
	}
	return st.caller, true
}

// AgencyFrom returns the portal's agency [API.Portal] put in ctx (for
// branding pages); false outside Portal.
func AgencyFrom(ctx context.Context) (clientele.Agency, bool) {
	st, ok := stateFrom(ctx)
	if !ok {
		return clientele.Agency{}, false
	}
	return st.agency, true
}
