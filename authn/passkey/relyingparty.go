package passkey

import (
	"fmt"
	"net"
	"net/url"
	"strings"

	"github.com/go-webauthn/webauthn/protocol"

	"github.com/clientele/clientele"
)

// RelyingParty is the WebAuthn relying party of one agency's portal.
type RelyingParty struct {
	// ID is the portal's host name, e.g. "portal.acme.com": passkeys are
	// scoped to it.
	ID string
	// Name is the agency's name, shown by the authenticator.
	Name string
	// Origin is the portal's origin, "https://portal.acme.com" or with a
	// non-default port; it is the only origin accepted.
	Origin string
}

// For derives the relying party of agency a. The portal URL is
// a.Branding.PortalURL(baseURL): "https://" + the custom domain when the
// agency has one, else baseURL. ID is its host without port, Origin its
// scheme://host[:port] (a default port dropped, as browsers do), Name the
// agency's name. A URL that is not absolute https (or http on localhost),
// whose host is an IP address, or an agency without a name gives an error
// wrapping [clientele.ErrInvalidArgument].
func For(a clientele.Agency, baseURL string) (RelyingParty, error) {
	portal := a.Branding.PortalURL(baseURL)
	u, err := url.Parse(portal)
	if err != nil {
		return RelyingParty{}, fmt.Errorf("%w: portal URL %q does not parse", clientele.ErrInvalidArgument, portal)
	}
	host := strings.ToLower(u.Hostname())
	port := u.Port()
	switch {
	case u.Host == "" || u.Opaque != "" || u.User != nil:
		return RelyingParty{}, fmt.Errorf("%w: portal URL %q is not an absolute URL of a host", clientele.ErrInvalidArgument, portal)
	case u.Scheme != "https" && (u.Scheme != "http" || !isLocalhost(host)):
		return RelyingParty{}, fmt.Errorf("%w: portal URL %q must be https (http only on localhost)", clientele.ErrInvalidArgument, portal)
	case u.Scheme == "https" && port == "443", u.Scheme == "http" && port == "80":
		port = ""
	}
	rp := RelyingParty{ID: host, Name: strings.TrimSpace(a.Branding.Name), Origin: u.Scheme + "://" + host}
	if port != "" {
		rp.Origin += ":" + port
	}
	if err := rp.validate(); err != nil {
		return RelyingParty{}, err
	}
	return rp, nil
}

func isLocalhost(host string) bool {
	return host == "localhost" || strings.HasSuffix(host, ".localhost")
}

// validate checks what For guarantees, for a RelyingParty built by hand.
func (rp RelyingParty) validate() error {
	if rp.Name == "" {
		return fmt.Errorf("%w: relying party name is empty", clientele.ErrInvalidArgument)
	}
	if net.ParseIP(rp.ID) != nil || strings.ContainsAny(rp.ID, ":/") || protocol.ValidateRPID(rp.ID) != nil {
		return fmt.Errorf("%w: relying party id %q is not a host name", clientele.ErrInvalidArgument, rp.ID)
	}
	u, err := url.Parse(rp.Origin)
	if err != nil || u.Scheme+"://"+u.Host != rp.Origin || (u.Scheme != "https" && u.Scheme != "http") {
		return fmt.Errorf("%w: relying party origin %q is not scheme://host[:port]", clientele.ErrInvalidArgument, rp.Origin)
	}
	if h := u.Hostname(); h != rp.ID && !strings.HasSuffix(h, "."+rp.ID) {
		return fmt.Errorf("%w: relying party origin %q is not within %q", clientele.ErrInvalidArgument, rp.Origin, rp.ID)
	}
	return nil
}
