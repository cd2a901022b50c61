package tenancyhttp_test

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/clientele/clientele"
	"github.com/clientele/clientele/examples/tenancyhttp"
)

func TestHostResolution(t *testing.T) {
	f := newFixture(t)
	_, err := f.env.Tenancy.CreateAgency(t.Context(), clientele.Branding{Name: "Other", CustomDomain: "other.example"})
	require.NoError(t, err)
	w := f.do("PUT", "/api/v1/agency/branding", `{"name":"Acme Agency","custom_domain":"portal.acme.example"}`, bearer(agencyToken))
	require.Equal(t, http.StatusOK, w.Code, w.Body.String())
	assert.JSONEq(t, `{"name":"Acme Agency","logo_url":"","primary_color":"","custom_domain":"portal.acme.example"}`, w.Body.String())

	tests := []struct {
		name string
		opts []opt
		ok   bool
	}{
		{"custom domain", []opt{host("portal.acme.example")}, true},
		{"custom domain, any case, port and trailing dot", []opt{host("Portal.ACME.example.:443")}, true},
		{"base URL host", []opt{host(portalHost)}, true},
		{"base URL host with a port", []opt{host(portalHost + ":8443")}, true},
		{"unknown host", []opt{host("evil.example")}, false},
		{"another agency's domain", []opt{host("other.example")}, false},
		{"empty host", []opt{host("")}, false},
		{"IP literal", []opt{host("127.0.0.1:8080")}, false},
		{"forwarded headers are not trusted", []opt{host("evil.example"), header("X-Forwarded-Host", portalHost),
			header("Forwarded", "host="+portalHost)}, false},
		{"forwarded headers are ignored", []opt{host(portalHost), header("X-Forwarded-Host", "evil.example")}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := f.do("GET", "/api/v1/clients", "", append(tt.opts, bearer(agencyToken))...)
			if tt.ok {
				assert.Equal(t, http.StatusOK, w.Code, w.Body.String())
				return
			}
			assert.Equal(t, "unknown_portal", errorCode(t, w, http.StatusNotFound))
		})
	}
}

// A host wraps its own pages in Portal and Authenticate.
func TestMiddlewareForHostPages(t *testing.T) {
	f := newFixture(t)
	var got []string
	page := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		agency, _ := tenancyhttp.AgencyFrom(r.Context())
		c, ok := tenancyhttp.CallerFrom(r.Context())
		switch {
		case !ok:
			got = append(got, "anonymous at "+agency.Branding.Name)
		case c.Identity == nil:
			got = append(got, string(c.Principal.Kind)+" at "+c.Agency.Branding.Name)
		default:
			got = append(got, string(c.Identity.Member.Email)+" as "+string(c.Principal.Role))
		}
	})
	h := f.api.Portal(f.api.Authenticate(page))
	serve(h, "GET", "/", "")
	serve(h, "GET", "/", "", bearer(agencyToken))
	serve(h, "GET", "/", "", cookie("__Host-session", f.signIn("member-a@example.com", "")))
	assert.Equal(t, []string{"anonymous at Acme Agency", "agency_admin at Acme Agency", "member-a@example.com as member"}, got)

	w := serve(h, "GET", "/", "", bearer("stale"))
	assert.Equal(t, "unauthenticated", errorCode(t, w, 401))
	w = serve(f.api.Authenticate(page), "GET", "/", "")
	assert.Equal(t, "internal", errorCode(t, w, 500), "Authenticate needs Portal")
}

func TestNewValidatesConfig(t *testing.T) {
	f := newFixture(t)
	good := tenancyhttp.Config{Tenancy: f.env.Tenancy, Invites: f.env.Invites, Authn: f.env.Authn, Authorizer: f.env.Authorizer,
		AgencyID: f.env.Agency.ID, AgencyToken: agencyToken, BaseURL: "http://127.0.0.1:8080"}
	_, err := tenancyhttp.New(good)
	require.NoError(t, err)
	tests := map[string]func(*tenancyhttp.Config){
		"no tenancy":     func(c *tenancyhttp.Config) { c.Tenancy = nil },
		"no authorizer":  func(c *tenancyhttp.Config) { c.Authorizer = nil },
		"no agency":      func(c *tenancyhttp.Config) { c.AgencyID = "" },
		"no token":       func(c *tenancyhttp.Config) { c.AgencyToken = "" },
		"token w/ space": func(c *tenancyhttp.Config) { c.AgencyToken = "a b" },
		"relative URL":   func(c *tenancyhttp.Config) { c.BaseURL = "/portal" },
		"ftp URL":        func(c *tenancyhttp.Config) { c.BaseURL = "ftp://portal.test" },
	}
	for name, mutate := range tests {
		t.Run(name, func(t *testing.T) {
			cfg := good
			mutate(&cfg)
			_, err := tenancyhttp.New(cfg)
			assert.ErrorIs(t, err, clientele.ErrInvalidArgument)
		})
	}
}
