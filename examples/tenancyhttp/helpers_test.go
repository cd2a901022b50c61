package tenancyhttp_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/clientele/clientele"
	"github.com/clientele/clientele/authn"
	"github.com/clientele/clientele/clienteletest"
	"github.com/clientele/clientele/examples/tenancyhttp"
	"github.com/clientele/clientele/tenancy"
)

const (
	agencyToken = "agency-token-0123456789abcdef"
	portalHost  = "portal.test" // the host of clienteletest.BaseURL
)

// fixture is a portal with two clients: A (manage_billing, view_reports)
// with an Admin, a Member and a pending invitation, and B with an Admin.
type fixture struct {
	t       *testing.T
	env     *clienteletest.Env
	api     *tenancyhttp.API
	h       http.Handler
	logs    *bytes.Buffer
	a, b    clientele.Client
	adminA  clientele.Member
	memberA clientele.Member
	adminB  clientele.Member
	inv     clientele.Invitation // pending, in A
	invTok  string
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	env := clienteletest.New(t)
	f := &fixture{t: t, env: env, logs: &bytes.Buffer{}}
	f.api = f.newAPI(clienteletest.BaseURL)
	f.h = f.api.Handler()
	f.a = env.NewClient(t, "Alpha", clientele.PermManageBilling, clientele.PermViewReports)
	f.b = env.NewClient(t, "Bravo")
	f.adminA, _ = env.AddUser(t, f.a.ID, "admin-a@example.com", clientele.RoleAdmin)
	f.memberA, _ = env.AddUser(t, f.a.ID, "member-a@example.com", clientele.RoleMember)
	f.adminB, _ = env.AddUser(t, f.b.ID, "admin-b@example.com", clientele.RoleAdmin)
	var err error
	f.inv, err = env.Invites.Create(context.Background(), env.AgencyAdmin(), f.a.ID, "pending@example.com", clientele.RoleMember)
	require.NoError(t, err)
	f.invTok, err = env.Mailer.TokenTo("pending@example.com")
	require.NoError(t, err)
	return f
}

// newAPI builds an API on the fixture's services with another base URL.
func (f *fixture) newAPI(base string) *tenancyhttp.API {
	f.t.Helper()
	api, err := tenancyhttp.New(tenancyhttp.Config{
		Tenancy: f.env.Tenancy, Invites: f.env.Invites, Authn: f.env.Authn, Authorizer: f.env.Authorizer,
		AgencyID: f.env.Agency.ID, AgencyToken: agencyToken, BaseURL: base,
		Logger: slog.New(slog.NewTextHandler(f.logs, nil)), Clock: f.env.Clock.Now,
	})
	require.NoError(f.t, err)
	return api
}

// signIn starts a session for email (in client, if given) and returns its
// token.
func (f *fixture) signIn(email string, client clientele.ClientID) string {
	f.t.Helper()
	tok, _, err := f.env.Authn.SignIn(context.Background(), authn.SignInRequest{AgencyID: f.env.Agency.ID, Email: email,
		Password: clienteletest.Password, Client: client, IP: netip.MustParseAddr("192.0.2.1")})
	require.NoError(f.t, err)
	return tok
}

// opt changes a request before it is served.
type opt func(*http.Request)

func bearer(tok string) opt {
	return func(r *http.Request) {
		if tok != "" {
			r.Header.Set("Authorization", "Bearer "+tok)
		}
	}
}

func cookie(name, value string) opt {
	return func(r *http.Request) { r.AddCookie(&http.Cookie{Name: name, Value: value}) }
}

func header(k, v string) opt { return func(r *http.Request) { r.Header.Set(k, v) } }

func host(h string) opt { return func(r *http.Request) { r.Host = h } }

// do serves one request through the fixture's handler.
func (f *fixture) do(method, path, body string, opts ...opt) *httptest.ResponseRecorder {
	return serve(f.h, method, path, body, opts...)
}

func serve(h http.Handler, method, path, body string, opts ...opt) *httptest.ResponseRecorder {
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	r := httptest.NewRequest(method, "http://"+portalHost+path, rd)
	if body != "" {
		r.Header.Set("Content-Type", "application/json")
	}
	for _, o := range opts {
		o(r)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

// decode reads a JSON answer into a T.
func decode[T any](t *testing.T, w *httptest.ResponseRecorder) T {
	t.Helper()
	var v T
	require.NoError(t, json.Unmarshal(w.Body.Bytes(), &v), "body: %s", w.Body)
	return v
}

// errorCode checks that w is the contract's error JSON with status and
// returns its code.
func errorCode(t *testing.T, w *httptest.ResponseRecorder, status int) string {
	t.Helper()
	require.Equal(t, status, w.Code, "body: %s", w.Body)
	assert.Equal(t, "application/json", w.Header().Get("Content-Type"))
	var body map[string]map[string]string
	dec := json.NewDecoder(bytes.NewReader(w.Body.Bytes()))
	dec.DisallowUnknownFields()
	require.NoError(t, dec.Decode(&body), "body: %s", w.Body)
	require.Len(t, body, 1)
	e, ok := body["error"]
	require.True(t, ok, "body: %s", w.Body)
	assert.Len(t, e, 2, "error has exactly code and message: %s", w.Body)
	assert.NotEmpty(t, e["message"])
	return e["code"]
}

// cookieNamed returns w's Set-Cookie of name; it fails t when there is none.
func cookieNamed(t *testing.T, w *httptest.ResponseRecorder, name string) *http.Cookie {
	t.Helper()
	for _, c := range w.Result().Cookies() {
		if c.Name == name {
			return c
		}
	}
	t.Fatalf("no cookie %s in %v", name, w.Result().Cookies())
	return nil
}

func jsonString(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(b)
}

// newInvitation invites email to client A as the agency and returns the
// link's token.
func (f *fixture) newInvitation(email string) string {
	f.t.Helper()
	_, err := f.env.Invites.Create(context.Background(), f.env.AgencyAdmin(), f.a.ID, email, clientele.RoleMember)
	require.NoError(f.t, err)
	tok, err := f.env.Mailer.TokenTo(email)
	require.NoError(f.t, err)
	return tok
}

// pendingID returns the id of email's pending invitation to client A.
func (f *fixture) pendingID(email string) clientele.InvitationID {
	f.t.Helper()
	page, err := f.env.Tenancy.ListUsers(context.Background(), f.env.AgencyAdmin(), f.a.ID, tenancy.Page{Limit: 200})
	require.NoError(f.t, err)
	for _, e := range page.Users {
		if string(e.Email) == email && e.Status == tenancy.EntryPending {
			return clientele.InvitationID(e.ID)
		}
	}
	f.t.Fatalf("no pending invitation for %s", email)
	return ""
}
