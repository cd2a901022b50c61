package tenancyhttp

import (
	"fmt"
	"log/slog"
	"maps"
	"net/http"
	"path"
	"slices"
	"strings"

	"github.com/clientele/clientele"
	"github.com/clientele/clientele/rbac"
)

// access is who may reach a route and in which order it is checked.
type access int

const (
	// public routes read no credential.
	public access = iota
	// self routes are a signed-in client user's own (the agency: 403).
	self
	// agencyWide routes check the action first (a client user: 403),
	// then the ids (404).
	agencyWide
	// clientScoped routes check the {client} first (404), then the action.
	clientScoped
)

// route is one endpoint: its method, path pattern, guard and the rbac
// action it names (agencyWide and clientScoped routes).
type route struct {
	method  string
	pattern string
	access  access
	action  rbac.Action
	serve   func(w http.ResponseWriter, r *http.Request, c Caller) error
}

// mux serves the routes, grouped by pattern so that a known path asked
// with another method answers 405 JSON and any other path 404 JSON.
func (a *API) mux(routes []route) http.Handler {
	byPattern := map[string]methods{}
	for _, rt := range routes {
		ms, ok := byPattern[rt.pattern]
		if !ok {
			ms = methods{m: map[string]http.Handler{}, log: a.log}
			byPattern[rt.pattern] = ms
		}
		ms.m[rt.method] = a.guard(rt)
	}
	mux := http.NewServeMux()
	for p, m := range byPattern {
		mux.Handle(p, m)
	}
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) { WriteError(w, r, errNoRoute, a.log) })
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// ServeMux would redirect an unclean path ("//", "/./", "/../")
		// to its clean form with a 307 in HTML; the API names every
		// resource by one path only.
		if p := r.URL.Path; p != path.Clean(p) {
			WriteError(w, r, errNoRoute, a.log)
			return
		}
		mux.ServeHTTP(w, r)
	})
}

// guard applies the route's access rules, then serves it.
func (a *API) guard(rt route) http.Handler {
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, ok := CallerFrom(r.Context())
		err := a.admit(r, rt, c, ok)
		if err == nil {
			err = rt.serve(w, r, c)
		}
		if err != nil {
			WriteError(w, r, err, a.log)
		}
	})
	if rt.access == public {
		return h
	}
	return a.Authenticate(h)
}

// admit checks the caller against the route before any work: 401 without
// a caller, then for client routes 404 for a client out of sight, then 403
// unless the caller's role has a rule for the action (deny by default: a
// route without an action admits nobody). The services check the action
// again with the client's current permissions.
func (a *API) admit(r *http.Request, rt route, c Caller, signedIn bool) error {
	switch {
	case rt.access == public:
		return nil
	case !signedIn:
		return fmt.Errorf("tenancyhttp: %w", clientele.ErrUnauthenticated)
	case rt.access == self:
		if c.Identity == nil {
			return fmt.Errorf("%w: the agency token has no user of its own", errWrongCaller)
		}
		return nil
	case rt.access == clientScoped:
		if err := c.Principal.Scope(clientele.ClientID(r.PathValue("client"))); err != nil {
			return err
		}
	}
	switch d := a.authz.Decide(r.Context(), c.Principal, rt.action, nil); d.Reason {
	case rbac.ReasonUnauthenticated:
		return fmt.Errorf("tenancyhttp: %w", clientele.ErrUnauthenticated)
	case rbac.ReasonNoRule:
		return &rbac.DeniedError{Decision: d}
	}
	return nil
}

// methods dispatches one path by method; HEAD is served as GET.
type methods struct {
	m   map[string]http.Handler
	log *slog.Logger
}

func (ms methods) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h, ok := ms.m[r.Method]
	if !ok && r.Method == http.MethodHead {
		h, ok = ms.m[http.MethodGet]
	}
	if !ok {
		w.Header().Set("Allow", strings.Join(slices.Sorted(maps.Keys(ms.m)), ", "))
		WriteError(w, r, errMethod, ms.log)
		return
	}
	h.ServeHTTP(w, r)
}
