package tenancyhttp

import (
	"crypto/sha256"
	"fmt"
	"log/slog"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"time"

	"github.com/clientele/clientele"
	"github.com/clientele/clientele/authn"
	"github.com/clientele/clientele/invite"
	"github.com/clientele/clientele/rbac"
	"github.com/clientele/clientele/tenancy"
)

// Config is what [New] needs. Every field is required unless it says
// otherwise.
type Config struct {
	Tenancy    *tenancy.Service
	Invites    *invite.Service
	Authn      *authn.Service
	Authorizer *rbac.Authorizer
	// AgencyID is the portal's agency: one per server.
	AgencyID clientele.AgencyID
	// AgencyToken is the agency admin's bearer token, compared in constant
	// time. It must be one header token: no spaces or control characters.
	AgencyToken string
	// BaseURL is the portal's URL when the agency has no custom domain; its
	// host is always a valid Host for the portal, and an https base URL
	// makes the session cookie Secure.
	BaseURL string
	// TrustedProxies are the reverse proxies whose X-Forwarded-For is
	// believed for rate limits (see authn.ClientIP); optional.
	TrustedProxies []netip.Prefix
	// Logger receives server errors, recovered panics and undelivered
	// invitations; nil discards. Tokens and passwords are never logged.
	Logger *slog.Logger
	// Clock is read by the in-process invitation rate limit; nil means
	// time.Now. Tests pass the services' clock.
	Clock func() time.Time
}

// Invitation rate limit: per client, in process.
const (
	invitesPerWindow = 60
	inviteWindow     = time.Minute
	maxLimiterKeys   = 1 << 16
)

// API serves the contract's JSON API and provides its middleware. It is
// immutable after New and safe for concurrent use.
type API struct {
	tenancy   *tenancy.Service
	invites   *invite.Service
	authn     *authn.Service
	authz     *rbac.Authorizer
	agencyID  clientele.AgencyID
	tokenHash [sha256.Size]byte
	agencyKey []byte // signs the console cookie
	baseHost  string
	baseHTTPS bool
	proxies   []netip.Prefix
	log       *slog.Logger
	now       func() time.Time
	csrf      *http.CrossOriginProtection
	inviteLim *windowLimiter
	agencyLim *windowLimiter
	handler   http.Handler
}

// New validates cfg and returns the API. A missing service, a malformed
// agency id, an empty or malformed agency token or a base URL that is not
// an absolute http(s) URL answer an error wrapping
// clientele.ErrInvalidArgument.
func New(cfg Config) (*API, error) {
	bad := func(what string) error { return fmt.Errorf("%w: tenancyhttp: %s", clientele.ErrInvalidArgument, what) }
	switch {
	case cfg.Tenancy == nil || cfg.Invites == nil || cfg.Authn == nil || cfg.Authorizer == nil:
		return nil, bad("Config needs Tenancy, Invites, Authn and Authorizer")
	case !clientele.ValidID(string(cfg.AgencyID)):
		return nil, bad("malformed AgencyID")
	case !validToken(cfg.AgencyToken):
		return nil, bad("AgencyToken must be a non-empty header token")
	}
	u, err := url.Parse(cfg.BaseURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Hostname() == "" {
		return nil, bad(fmt.Sprintf("BaseURL %q must be an absolute http(s) URL", cfg.BaseURL))
	}
	a := &API{
		tenancy: cfg.Tenancy, invites: cfg.Invites, authn: cfg.Authn, authz: cfg.Authorizer,
		agencyID: cfg.AgencyID, tokenHash: sha256.Sum256([]byte(cfg.AgencyToken)), agencyKey: agencyKeyOf(cfg.AgencyToken),
		baseHost: hostOnly(u.Host), baseHTTPS: u.Scheme == "https",
		proxies: append([]netip.Prefix(nil), cfg.TrustedProxies...),
		log:     cfg.Logger, now: cfg.Clock,
		csrf:      http.NewCrossOriginProtection(),
		inviteLim: newWindowLimiter(invitesPerWindow, inviteWindow, maxLimiterKeys),
		agencyLim: newWindowLimiter(agencySignInsPerWindow, time.Minute, maxLimiterKeys),
	}
	if a.log == nil {
		a.log = slog.New(slog.DiscardHandler)
	}
	if a.now == nil {
		a.now = time.Now
	}
	a.handler = a.recoverPanics(a.Portal(a.crossOrigin(a.routes())))
	return a, nil
}

// Handler returns the JSON API: every /api/v1 route of the contract,
// behind panic recovery, [API.Portal], the cross-origin
// check and, per route, [API.Authenticate]. Any other path answers 404
// not_found; a known path with another method 405 method_not_allowed.
// Mount it at "/api/".
func (a *API) Handler() http.Handler { return a.handler }

// validToken reports whether s can travel as one bearer token.
func validToken(s string) bool {
	return s != "" && !strings.ContainsFunc(s, func(r rune) bool { return r <= ' ' || r >= 0x7f })
}
