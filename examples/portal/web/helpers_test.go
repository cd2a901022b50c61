package web_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/clientele/clientele"
	"github.com/clientele/clientele/authn"
	"github.com/clientele/clientele/clienteletest"
	"github.com/clientele/clientele/examples/portal/web"
	"github.com/clientele/clientele/examples/tenancyhttp"
	"github.com/clientele/clientele/invite"
)

const (
	agencyToken = "agency-token-for-page-tests"
	portalHost  = "portal.test" // the host of clienteletest.BaseURL
	logoURL     = "https://cdn.example/acme-logo.png"
)

// site is the portal's pages and API on an in-memory Clientele, branded
// "Acme Agency" in #0f766e with a logo, with client Alpha (reports) and
// its Admin and Member.
type site struct {
	t      *testing.T
	env    *clienteletest.Env
	api    *tenancyhttp.API
	pages  http.Handler
	alpha  clientele.Client
	admin  clientele.Member
	member clientele.Member
	// usedToken is the link the Admin accepted.
	usedToken string
}

func newSite(t *testing.T) *site {
	t.Helper()
	env := clienteletest.New(t)
	api, err := tenancyhttp.New(tenancyhttp.Config{Tenancy: env.Tenancy, Invites: env.Invites, Authn: env.Authn,
		Authorizer: env.Authorizer, AgencyID: env.Agency.ID, AgencyToken: agencyToken, BaseURL: clienteletest.BaseURL,
		Clock: env.Clock.Now})
	require.NoError(t, err)
	pages, err := web.New(web.Config{API: api, Clients: env.Tenancy, Invitations: env.Invites})
	require.NoError(t, err)
	s := &site{t: t, env: env, api: api, pages: pages.Handler()}
	s.brand(clientele.Branding{Name: "Acme Agency", LogoURL: logoURL, PrimaryColor: "#0F766E"})
	s.alpha = env.NewClient(t, "Alpha", clientele.PermViewReports)
	s.admin, _ = env.AddUser(t, s.alpha.ID, "admin@alpha.example", clientele.RoleAdmin)
	s.usedToken, err = env.Mailer.TokenTo("admin@alpha.example")
	require.NoError(t, err)
	s.member, _ = env.AddUser(t, s.alpha.ID, "member@alpha.example", clientele.RoleMember)
	return s
}

func (s *site) brand(b clientele.Branding) {
	s.t.Helper()
	_, err := s.env.Tenancy.SetBranding(context.Background(), s.env.AgencyAdmin(), b)
	require.NoError(s.t, err)
}

// invitation invites email to Alpha and returns the link's token.
func (s *site) invitation(email string) string {
	s.t.Helper()
	tok, _ := s.invite(email)
	return tok
}

// invite invites email to Alpha; it returns the link's token and the
// invitation's id.
func (s *site) invite(email string) (string, clientele.InvitationID) {
	s.t.Helper()
	inv, err := s.env.Invites.Create(context.Background(), s.env.AgencyAdmin(), s.alpha.ID, email, clientele.RoleMember)
	require.NoError(s.t, err)
	tok, err := s.env.Mailer.TokenTo(email)
	require.NoError(s.t, err)
	return tok, inv.ID
}

// inviteTo invites email to client as a Member and returns the link's
// token.
func (s *site) inviteTo(client clientele.ClientID, email string) string {
	s.t.Helper()
	_, err := s.env.Invites.Create(context.Background(), s.env.AgencyAdmin(), client, email, clientele.RoleMember)
	require.NoError(s.t, err)
	tok, err := s.env.Mailer.TokenTo(email)
	require.NoError(s.t, err)
	return tok
}

// account sets up the account of email, named name, as a Member of Alpha
// with clienteletest.Password.
func (s *site) account(email, name string) {
	s.t.Helper()
	_, err := s.env.Invites.Accept(context.Background(), invite.AcceptRequest{Token: s.invitation(email), Name: name,
		Password: clienteletest.Password})
	require.NoError(s.t, err)
}

// visitor is a browser's cookies.
type visitor []*http.Cookie

var anonymous visitor

// user signs email in and returns the browser with its session cookie.
func (s *site) user(email string) visitor {
	s.t.Helper()
	tok, _, err := s.env.Authn.SignIn(context.Background(), authn.SignInRequest{AgencyID: s.env.Agency.ID, Email: email,
		Password: clienteletest.Password, IP: netip.MustParseAddr("192.0.2.1")})
	require.NoError(s.t, err)
	return visitor{{Name: "__Host-session", Value: tok}}
}

// agency signs in to the console and returns the browser with its cookie.
func (s *site) agency() visitor {
	s.t.Helper()
	r := httptest.NewRequest("POST", "https://"+portalHost+"/api/v1/agency/session", strings.NewReader(`{"token":"`+agencyToken+`"}`))
	w := httptest.NewRecorder()
	s.api.Handler().ServeHTTP(w, r)
	require.Equal(s.t, http.StatusNoContent, w.Code, w.Body.String())
	return visitor(w.Result().Cookies())
}

// get asks for a page as v, as a browser does.
func (s *site) get(path string, v visitor) *httptest.ResponseRecorder {
	return s.send("GET", path, "", v)
}

// send sends a page request with method and a form body (when not empty)
// as v, as a browser does.
func (s *site) send(method, path, form string, v visitor) *httptest.ResponseRecorder {
	var body io.Reader
	if form != "" {
		body = strings.NewReader(form)
	}
	r := httptest.NewRequest(method, "https://"+portalHost+path, body)
	if form != "" {
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	r.Header.Set("Accept", "text/html,application/xhtml+xml,*/*;q=0.8")
	for _, c := range v {
		r.AddCookie(c)
	}
	w := httptest.NewRecorder()
	s.pages.ServeHTTP(w, r)
	return w
}
