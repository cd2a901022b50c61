package web_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/clientele/clientele"
)

const csp = "default-src 'none'; script-src 'self'; style-src 'self'; img-src https: http: data:; " +
	"connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"

// every page, as the visitor it is for.
func (s *site) everyPage() map[string]struct {
	path string
	who  visitor
} {
	agency := s.agency()
	beta := s.env.NewClient(s.t, "Beta")
	forAccount := "/invite/" + s.inviteTo(beta.ID, "member@alpha.example")
	type page = struct {
		path string
		who  visitor
	}
	return map[string]page{
		"sign-in":                     {"/login", anonymous},
		"invitation":                  {"/invite/" + s.invitation("new@alpha.example"), anonymous},
		"used invitation":             {"/invite/" + s.usedToken, anonymous},
		"invitation for an account":   {forAccount, anonymous},
		"invitation, as the account":  {forAccount, s.user("member@alpha.example")},
		"invitation, as someone else": {forAccount, s.user("admin@alpha.example")},
		"dashboard":                   {"/", s.user("member@alpha.example")},
		"users":                       {"/users", s.user("admin@alpha.example")},
		"console sign-in":             {"/console", anonymous},
		"console clients":             {"/console", agency},
		"console users":               {"/console/clients/" + string(s.alpha.ID), agency},
		"console permissions":         {"/console/clients/" + string(s.alpha.ID) + "/permissions", agency},
		"console branding":            {"/console/branding", agency},
		"not found":                   {"/nowhere", anonymous},
	}
}

func TestEveryPageCarriesTheBranding(t *testing.T) {
	s := newSite(t)
	for name, p := range s.everyPage() {
		t.Run(name, func(t *testing.T) {
			w := s.get(p.path, p.who)
			assert.Contains(t, []int{200, 404, 410}, w.Code)
			h := w.Header()
			assert.Equal(t, "text/html; charset=utf-8", h.Get("Content-Type"))
			assert.Equal(t, csp, h.Get("Content-Security-Policy"))
			assert.Equal(t, "no-referrer", h.Get("Referrer-Policy"), "an invitation link never leaks to the logo's host")
			assert.Equal(t, "DENY", h.Get("X-Frame-Options"))
			assert.Equal(t, "no-store", h.Get("Cache-Control"))
			assert.Equal(t, "nosniff", h.Get("X-Content-Type-Options"))

			body := w.Body.String()
			assert.Contains(t, body, `<span class="brand-name">Acme Agency</span>`)
			assert.Contains(t, body, "· Acme Agency</title>")
			assert.Contains(t, body, `<meta name="theme-color" content="#0f766e">`)
			assert.Contains(t, body, `<link rel="stylesheet" href="/brand.css?c=0f766e">`)
			assert.Contains(t, body, `<img class="brand-logo" src="`+logoURL+`"`)
			assert.NotContains(t, body, "<style", "no inline style (CSP)")
			assert.NotContains(t, body, " style=", "no inline style (CSP)")
			assert.NotRegexp(t, `<script(?: type="module")?>`, body, "no inline script (CSP)")
			assert.NotRegexp(t, ` on[a-z]+=`, body, "no inline event handler (CSP)")
		})
	}
}

func TestDefaultBranding(t *testing.T) {
	s := newSite(t)
	s.brand(clientele.Branding{Name: "Plain Agency"})
	body := s.get("/login", anonymous).Body.String()
	assert.Contains(t, body, `href="/brand.css?c=4f46e5"`, "the default color")
	assert.NotContains(t, body, `class="brand-logo"`, "no logo, no image")
	assert.Contains(t, body, `<link rel="icon" href="data:,">`)
}

func TestHostileNamesAreEscaped(t *testing.T) {
	s := newSite(t)
	const evil = `<script>alert("agency")</script>&`
	s.brand(clientele.Branding{Name: evil, PrimaryColor: "#0f766e"})
	evilClient, err := s.env.Tenancy.CreateClient(context.Background(), s.env.AgencyAdmin(), `<img src=x onerror=alert(1)>`)
	require.NoError(t, err)
	require.NotEmpty(t, evilClient.ID)

	for name, p := range s.everyPage() {
		t.Run(name, func(t *testing.T) {
			body := s.get(p.path, p.who).Body.String()
			assert.NotContains(t, body, `<script>alert`)
			assert.Contains(t, body, `&lt;script&gt;alert(&#34;agency&#34;)&lt;/script&gt;&amp;`)
		})
	}
	agency := s.agency()
	for _, path := range []string{"/console/clients/" + string(evilClient.ID), "/console/clients/" + string(evilClient.ID) + "/permissions"} {
		body := s.get(path, agency).Body.String()
		assert.NotContains(t, body, "<img src=x")
		assert.Contains(t, body, "&lt;img src=x onerror=alert(1)&gt;")
	}
}
