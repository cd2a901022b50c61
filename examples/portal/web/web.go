package web

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"

	"github.com/clientele/clientele"
	"github.com/clientele/clientele/examples/tenancyhttp"
	"github.com/clientele/clientele/invite"
)

// Clients reads one client as a principal sees it: another agency's or
// another client's is clientele.ErrNotFound. *tenancy.Service is one.
type Clients interface {
	Client(ctx context.Context, p clientele.Principal, id clientele.ClientID) (clientele.Client, error)
}

// Invitations previews the invitation behind a link without changing it.
// *invite.Service is one.
type Invitations interface {
	Lookup(ctx context.Context, token string) (invite.Preview, error)
}

// Config is what [New] needs; every field but Logger is required.
type Config struct {
	// API is the portal's JSON API; its Portal middleware finds the
	// agency of a request and Identify its visitor.
	API         *tenancyhttp.API
	Clients     Clients
	Invitations Invitations
	// Logger receives page errors; nil discards.
	Logger *slog.Logger
}

// Pages serves the browser pages. It is immutable after New and safe for
// concurrent use.
type Pages struct {
	api     *tenancyhttp.API
	clients Clients
	invites Invitations
	log     *slog.Logger
	views   map[string]*view
	assets  *assets
	handler http.Handler
}

// New parses the embedded templates and returns the pages. A missing
// dependency is an error wrapping clientele.ErrInvalidArgument.
func New(cfg Config) (*Pages, error) {
	if cfg.API == nil || cfg.Clients == nil || cfg.Invitations == nil {
		return nil, fmt.Errorf("%w: web: Config needs API, Clients and Invitations", clientele.ErrInvalidArgument)
	}
	views, err := parseViews()
	if err != nil {
		return nil, err
	}
	as, err := loadAssets()
	if err != nil {
		return nil, err
	}
	p := &Pages{api: cfg.API, clients: cfg.Clients, invites: cfg.Invitations, log: cfg.Logger, views: views, assets: as}
	if p.log == nil {
		p.log = slog.New(slog.DiscardHandler)
	}
	p.handler = p.routes()
	return p, nil
}

// Handler serves the pages and their assets. Mount it at "/" beside the
// API at "/api/".
func (p *Pages) Handler() http.Handler { return p.handler }

func (p *Pages) routes() http.Handler {
	pages := http.NewServeMux()
	pages.Handle("GET /{$}", p.page(p.dashboard))
	pages.Handle("GET /login", p.page(p.login))
	pages.Handle("GET /invite/{token}", p.page(p.invitation))
	pages.Handle("GET /users", p.page(p.users))
	pages.Handle("GET /console", p.page(p.console))
	pages.Handle("GET /console/clients/{id}", p.page(p.consoleClient))
	pages.Handle("GET /console/clients/{id}/permissions", p.page(p.consolePermissions))
	pages.Handle("GET /console/branding", p.page(p.consoleBranding))
	for _, path := range formPages {
		pages.Handle("POST "+path, p.page(p.needsScript))
	}
	pages.Handle("/", p.page(func(http.ResponseWriter, *http.Request, visitor) error { return errNoPage }))

	mux := http.NewServeMux()
	mux.Handle("GET /static/{file}", p.assets)
	mux.HandleFunc("GET /brand.css", brandCSS)
	mux.Handle("/", p.api.Portal(pages))
	return mux
}

// visitor is who asks for a page.
type visitor struct {
	caller   tenancyhttp.Caller
	signedIn bool
}

// user reports whether the visitor is a signed-in client user.
func (v visitor) user() bool { return v.signedIn && v.caller.Identity != nil }

// agencyAdmin reports whether the visitor holds the console session.
func (v visitor) agencyAdmin() bool { return v.signedIn && v.caller.Identity == nil }

var (
	// errNoPage reports a path no page serves.
	errNoPage = fmt.Errorf("web: no such page: %w", clientele.ErrNotFound)
	// errPageFailed stands for an error whose detail stays in the log.
	errPageFailed = errors.New("web: page failed")
)

// page sets the security headers, finds the visitor and serves h; an
// error h returns is rendered as an error page.
func (p *Pages) page(h func(http.ResponseWriter, *http.Request, visitor) error) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		secure(w.Header())
		c, ok, err := p.api.Identify(w, r)
		if err == nil {
			err = h(w, r, visitor{caller: c, signedIn: ok})
		}
		if err != nil {
			p.fail(w, r, err)
		}
	})
}

// contentSecurityPolicy allows the server's own scripts, styles and API,
// and images from anywhere (the agency's logo); nothing inline.
const contentSecurityPolicy = "default-src 'none'; script-src 'self'; style-src 'self'; img-src https: http: data:; " +
	"connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"

func secure(h http.Header) {
	h.Set("Content-Security-Policy", contentSecurityPolicy)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Cache-Control", "no-store")
}

// redirect sends the browser to path with 303 See Other.
func redirect(w http.ResponseWriter, r *http.Request, path string) error {
	http.Redirect(w, r, path, http.StatusSeeOther)
	return nil
}
