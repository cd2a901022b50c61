package web_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/clientele/clientele"
	"github.com/clientele/clientele/examples/portal/web"
)

func TestRedirectsToSignIn(t *testing.T) {
	s := newSite(t)
	member, agency := s.user("member@alpha.example"), s.agency()
	stale := visitor{{Name: "__Host-session", Value: "ended-session"}}
	tests := []struct {
		name, path string
		who        visitor
		to         string
	}{
		{"dashboard, signed out", "/", anonymous, "/login"},
		{"users, signed out", "/users", anonymous, "/login"},
		{"dashboard, ended session", "/", stale, "/login"},
		{"console client, signed out", "/console/clients/" + string(s.alpha.ID), anonymous, "/console"},
		{"console permissions, signed out", "/console/clients/" + string(s.alpha.ID) + "/permissions", anonymous, "/console"},
		{"console branding, signed out", "/console/branding", anonymous, "/console"},
		{"console branding, as a client user", "/console/branding", member, "/console"},
		{"dashboard, as the agency", "/", agency, "/console"},
		{"users, as the agency", "/users", agency, "/console"},
		{"sign-in, signed in", "/login", member, "/"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := s.get(tt.path, tt.who)
			assert.Equal(t, http.StatusSeeOther, w.Code)
			assert.Equal(t, tt.to, w.Header().Get("Location"))
			assert.Equal(t, csp, w.Header().Get("Content-Security-Policy"))
		})
	}
	t.Run("an ended session's cookie is cleared", func(t *testing.T) {
		w := s.get("/", stale)
		require.Len(t, w.Result().Cookies(), 1)
		assert.Equal(t, "__Host-session", w.Result().Cookies()[0].Name)
		assert.Negative(t, w.Result().Cookies()[0].MaxAge)
	})
	t.Run("the console shows its sign-in to others", func(t *testing.T) {
		for _, who := range []visitor{anonymous, member} {
			w := s.get("/console", who)
			assert.Equal(t, http.StatusOK, w.Code)
			assert.Contains(t, w.Body.String(), `data-console-signin`)
		}
	})
}

func TestInvitationPage(t *testing.T) {
	s := newSite(t)
	w := s.get("/invite/"+s.invitation("new@alpha.example"), anonymous)
	require.Equal(t, http.StatusOK, w.Code)
	body := w.Body.String()
	assert.Contains(t, body, "Join Alpha")
	assert.Contains(t, body, "<strong>new@alpha.example</strong>")
	assert.Contains(t, body, `<span class="badge role-member">Member</span>`)
	assert.Contains(t, body, "data-passkey-setup")
	assert.Contains(t, body, `minlength="8"`)
	assert.Contains(t, body, "data-password-setup")

	// An email with an account accepts without setting anything up.
	beta := s.env.NewClient(t, "Beta")
	_, err := s.env.Invites.Create(context.Background(), s.env.AgencyAdmin(), beta.ID, "member@alpha.example", clientele.RoleAdmin)
	require.NoError(t, err)
	tok, err := s.env.Mailer.TokenTo("member@alpha.example")
	require.NoError(t, err)
	body = s.get("/invite/"+tok, anonymous).Body.String()
	assert.Contains(t, body, "data-accept-existing")
	assert.NotContains(t, body, "data-passkey-setup")
}

func TestInvitationLinksThatNoLongerWork(t *testing.T) {
	s := newSite(t)
	ctx := context.Background()
	cancelled, id := s.invite("cancelled@alpha.example")
	require.NoError(t, s.env.Invites.Cancel(ctx, s.env.AgencyAdmin(), s.alpha.ID, id))
	replaced, id := s.invite("replaced@alpha.example")
	_, err := s.env.Invites.Resend(ctx, s.env.AgencyAdmin(), s.alpha.ID, id)
	require.NoError(t, err)
	expired := s.invitation("expired@alpha.example")

	tests := []struct {
		name, token string
		status      int
		heading     string
	}{
		{"used", s.usedToken, http.StatusGone, "This invitation was already used"},
		{"cancelled", cancelled, http.StatusGone, "This invitation was cancelled"},
		{"replaced", replaced, http.StatusGone, "A newer invitation was sent"},
		{"unknown", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", http.StatusNotFound, "This invitation link is not valid"},
		{"malformed", "nope", http.StatusNotFound, "This invitation link is not valid"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := s.get("/invite/"+tt.token, anonymous)
			assert.Equal(t, tt.status, w.Code)
			assert.Contains(t, w.Body.String(), "<h1>"+tt.heading+"</h1>")
			assert.Contains(t, w.Body.String(), "data-problem")
			assert.NotContains(t, w.Body.String(), "data-passkey-setup")
		})
	}
	t.Run("expired", func(t *testing.T) {
		s.env.Clock.Advance(8 * 24 * time.Hour)
		w := s.get("/invite/"+expired, anonymous)
		assert.Equal(t, http.StatusGone, w.Code)
		assert.Contains(t, w.Body.String(), "<h1>This invitation has expired</h1>")
	})
}

func TestUsersPage(t *testing.T) {
	s := newSite(t)
	w := s.get("/users", s.user("admin@alpha.example"))
	require.Equal(t, http.StatusOK, w.Code)
	body := w.Body.String()
	assert.Contains(t, body, `data-client="`+string(s.alpha.ID)+`" data-client-name="Alpha" data-manage="true" data-agency="false" data-self="`+string(s.admin.UserID)+`"`)
	assert.Contains(t, body, "data-invite")
	assert.Contains(t, body, `<a href="/users" aria-current="page">Users</a>`)

	w = s.get("/users", s.user("member@alpha.example"))
	require.Equal(t, http.StatusOK, w.Code)
	body = w.Body.String()
	assert.Contains(t, body, `data-manage="false"`, "Members see the list, read-only")
	assert.NotContains(t, body, "data-invite")
	assert.NotContains(t, body, `href="/users"`, "no Users link for Members")
}

func TestConsoleClientPages(t *testing.T) {
	s := newSite(t)
	agency := s.agency()
	w := s.get("/console/clients/"+string(s.alpha.ID), agency)
	require.Equal(t, http.StatusOK, w.Code)
	body := w.Body.String()
	assert.Contains(t, body, "<h1>Alpha</h1>")
	assert.Contains(t, body, `data-manage="true" data-agency="true" data-self=""`)
	assert.Contains(t, body, `aria-current="page">Users</a>`)

	w = s.get("/console/clients/"+string(s.alpha.ID)+"/permissions", agency)
	require.Equal(t, http.StatusOK, w.Code)
	body = w.Body.String()
	assert.Contains(t, body, `aria-current="page">Permissions</a>`)
	assert.Contains(t, body, `value="view_reports" checked>`)
	assert.Contains(t, body, `value="manage_billing" >`)
	assert.Contains(t, body, `value="export_data" >`)

	for _, id := range []string{"cli_unknown", "not%20an%20id", string(s.env.NewClient(t, "Other").ID) + "x"} {
		w = s.get("/console/clients/"+id, agency)
		assert.Equal(t, http.StatusNotFound, w.Code, id)
		assert.Contains(t, w.Body.String(), "<h1>Page not found</h1>")
	}

	w = s.get("/console/branding", agency)
	require.Equal(t, http.StatusOK, w.Code)
	body = w.Body.String()
	assert.Contains(t, body, `value="Acme Agency"`)
	assert.Contains(t, body, `value="`+logoURL+`"`)
	assert.Contains(t, body, `id="b-color" name="primary_color" type="text" pattern="#[0-9a-fA-F]{6}" maxlength="7" spellcheck="false" value="#0f766e"`)
}

func TestNewNeedsItsDependencies(t *testing.T) {
	s := newSite(t)
	for name, cfg := range map[string]web.Config{
		"no API":         {Clients: s.env.Tenancy, Invitations: s.env.Invites},
		"no clients":     {API: s.api, Invitations: s.env.Invites},
		"no invitations": {API: s.api, Clients: s.env.Tenancy},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := web.New(cfg)
			assert.ErrorIs(t, err, clientele.ErrInvalidArgument)
		})
	}
}

// A client that does not ask for HTML gets the API's JSON error.
func TestErrorsForNonBrowsers(t *testing.T) {
	s := newSite(t)
	r := httptest.NewRequest("GET", "https://"+portalHost+"/nowhere", nil)
	w := httptest.NewRecorder()
	s.pages.ServeHTTP(w, r)
	assert.Equal(t, http.StatusNotFound, w.Code)
	assert.Equal(t, "application/json", w.Header().Get("Content-Type"))
	assert.JSONEq(t, `{"error":{"code":"not_found","message":"not found"}}`, w.Body.String())

	w = s.get("/nowhere", anonymous)
	assert.Equal(t, http.StatusNotFound, w.Code)
	assert.Equal(t, "text/html; charset=utf-8", w.Header().Get("Content-Type"))
}

// failingClients fails every read, as a store that is down.
type failingClients struct{}

func (failingClients) Client(context.Context, clientele.Principal, clientele.ClientID) (clientele.Client, error) {
	return clientele.Client{}, errors.New("store: connection refused to db.internal:5432")
}

func TestAFailingPageShowsNoDetail(t *testing.T) {
	s := newSite(t)
	var logs bytes.Buffer
	pages, err := web.New(web.Config{API: s.api, Clients: failingClients{}, Invitations: s.env.Invites,
		Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	require.NoError(t, err)
	s.pages = pages.Handler()
	w := s.get("/users", s.user("admin@alpha.example"))
	assert.Equal(t, http.StatusInternalServerError, w.Code)
	assert.Contains(t, w.Body.String(), "<h1>Something went wrong</h1>")
	assert.Contains(t, w.Body.String(), "Acme Agency", "still branded")
	assert.NotContains(t, w.Body.String(), "db.internal")
	assert.Contains(t, logs.String(), "db.internal", "the detail is logged")
}
