package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"

	"github.com/clientele/clientele"
	"github.com/clientele/clientele/adapters/memory"
	"github.com/clientele/clientele/authn"
	"github.com/clientele/clientele/examples/portal/web"
	"github.com/clientele/clientele/examples/tenancyhttp"
	"github.com/clientele/clientele/invite"
	"github.com/clientele/clientele/rbac"
	"github.com/clientele/clientele/tenancy"
)

// discardMailer drops every invitation email.
type discardMailer struct{}

func (discardMailer) Send(context.Context, invite.Message) error { return nil }

// newExampleSite wires Clientele on the in-memory store and mounts the pages
// beside the JSON API: the API at /api/, the pages at /.
func newExampleSite(ctx context.Context, base string) (http.Handler, error) {
	store := memory.New()
	authz, err := rbac.New(ctx)
	if err != nil {
		return nil, err
	}
	tenants, err := tenancy.New(store, authz)
	if err != nil {
		return nil, err
	}
	invites, err := invite.New(store, authz, discardMailer{}, base)
	if err != nil {
		return nil, err
	}
	sessions, err := authn.New(store, invites, base)
	if err != nil {
		return nil, err
	}
	agency, err := tenants.CreateAgency(ctx, clientele.Branding{Name: "Northwind", PrimaryColor: "#0e7490"})
	if err != nil {
		return nil, err
	}
	api, err := tenancyhttp.New(tenancyhttp.Config{Tenancy: tenants, Invites: invites, Authn: sessions, Authorizer: authz,
		AgencyID: agency.ID, AgencyToken: "s3cret-agency-token", BaseURL: base})
	if err != nil {
		return nil, err
	}
	pages, err := web.New(web.Config{API: api, Clients: tenants, Invitations: invites})
	if err != nil {
		return nil, err
	}
	mux := http.NewServeMux()
	mux.Handle("/api/", api.Handler())
	mux.Handle("/", pages.Handler())
	return mux, nil
}

func ExampleNew() {
	const base = "https://portal.example.com"
	site, err := newExampleSite(context.Background(), base)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, path := range []string{"/", "/login", "/brand.css?c=0e7490"} {
		w := httptest.NewRecorder()
		site.ServeHTTP(w, httptest.NewRequest("GET", base+path, nil))
		fmt.Println(path, w.Code, w.Header().Get("Location"), w.Header().Get("Content-Type"))
	}
	// Output:
	// / 303 /login text/html; charset=utf-8
	// /login 200  text/html; charset=utf-8
	// /brand.css?c=0e7490 200  text/css; charset=utf-8
}
