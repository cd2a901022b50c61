package tenancyhttp_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"strings"

	"github.com/clientele/clientele"
	"github.com/clientele/clientele/adapters/memory"
	"github.com/clientele/clientele/authn"
	"github.com/clientele/clientele/examples/tenancyhttp"
	"github.com/clientele/clientele/invite"
	"github.com/clientele/clientele/rbac"
	"github.com/clientele/clientele/tenancy"
)

// discardMailer drops every invitation email.
type discardMailer struct{}

func (discardMailer) Send(context.Context, invite.Message) error { return nil }

// newPortal wires Clientele on the in-memory store and returns its API.
func newPortal(ctx context.Context, base string) (*tenancyhttp.API, error) {
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
	agency, err := tenants.CreateAgency(ctx, clientele.Branding{Name: "Northwind"})
	if err != nil {
		return nil, err
	}
	return tenancyhttp.New(tenancyhttp.Config{Tenancy: tenants, Invites: invites, Authn: sessions, Authorizer: authz,
		AgencyID: agency.ID, AgencyToken: "s3cret-agency-token", BaseURL: base})
}

func ExampleAPI_Handler() {
	const base = "https://portal.example.com"
	api, err := newPortal(context.Background(), base)
	if err != nil {
		fmt.Println(err)
		return
	}
	h := api.Handler()

	r := httptest.NewRequest("POST", base+"/api/v1/clients", strings.NewReader(`{"name":"Globex"}`))
	r.Header.Set("Authorization", "Bearer s3cret-agency-token")
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	fmt.Println(w.Code, strings.Contains(w.Body.String(), `"name":"Globex","permissions":[]`))

	r = httptest.NewRequest("GET", base+"/api/v1/clients", nil) // no credentials
	w = httptest.NewRecorder()
	h.ServeHTTP(w, r)
	fmt.Print(w.Code, " ", w.Body.String())

	r = httptest.NewRequest("GET", "https://elsewhere.example/api/v1/clients", nil)
	w = httptest.NewRecorder()
	h.ServeHTTP(w, r)
	fmt.Print(w.Code, " ", w.Body.String())
	// Output:
	// 201 true
	// 401 {"error":{"code":"unauthenticated","message":"sign in first: no session, or it has ended"}}
	// 404 {"error":{"code":"unknown_portal","message":"no portal is served at this host"}}
}
