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

	assert.Contains(t, body, `<form method="post" action="/invite/`)
	assert.NotContains(t, body, "data-existing-account")
}

// An invitation for an email that already has an account offers to sign
// in to it, never to set one up: as the visitor signed in to that very
// account, else with its password or one of its passkeys.
func TestInvitationForAnExistingAccount(t *testing.T) {
	s := newSite(t)
	beta := s.env.NewClient(t, "Beta")
	tok := s.inviteTo(beta.ID, "member@alpha.example")
	const (
		signIn   = "You already have an account — sign in to accept"
		acceptAs = `<button class="btn primary block" type="button" data-accept-as>Accept as User member@alpha.example</button>`
	)
	tests := []struct {
		name        string
		who         visitor
		acceptAs    bool
		otherNotice string
	}{
		{"signed out", anonymous, false, ""},
		{"signed in as the invited account", s.user("member@alpha.example"), true, ""},
		{"signed in as someone else", s.user("admin@alpha.example"), false,
			"You are signed in as admin@alpha.example. Accepting signs this browser in as member@alpha.example instead."},
		{"the agency's console session", s.agency(), false, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := s.get("/invite/"+tok, tt.who)
			require.Equal(t, http.StatusOK, w.Code)
			body := w.Body.String()
			assert.Contains(t, body, "Join Beta")
			assert.Contains(t, body, signIn)
			assert.NotContains(t, body, "data-passkey-setup", "no new account")
			assert.NotContains(t, body, `autocomplete="new-password"`, "no new password")
			assert.NotContains(t, body, `id="name"`, "the account keeps its name")
			if tt.acceptAs {
				assert.Contains(t, body, acceptAs)
				assert.Contains(t, body, "You are signed in as User member@alpha.example.")
				assert.NotContains(t, body, "data-signin-accept")
				assert.NotContains(t, body, `type="password"`)
			} else {
				assert.NotContains(t, body, "data-accept-as")
				assert.NotContains(t, body, "Accept as")
				assert.Contains(t, body, `<form method="post" action="/invite/`+tok+`" data-signin-accept novalidate>`)
				assert.Contains(t, body, `<input id="email" name="email" type="email" autocomplete="username" value="member@alpha.example" readonly>`)
				assert.Contains(t, body, `<label for="current-password">Your password</label>`)
				assert.Contains(t, body, `<input id="current-password" name="password" type="password" autocomplete="current-password" required aria-describedby="accept-error">`)
				assert.Contains(t, body, `<p class="form-error" id="accept-error" role="alert" data-error hidden></p>`)
				assert.Contains(t, body, `data-passkey-accept>Use a passkey</button>`)
				assert.Contains(t, body, `role="alert" data-passkey-error hidden`)
			}
			if tt.otherNotice != "" {
				assert.Contains(t, body, tt.otherNotice)
			} else {
				assert.NotContains(t, body, "data-other-visitor")
			}
		})
	}

	t.Run("a new account's invitation, signed in as someone else", func(t *testing.T) {
		body := s.get("/invite/"+s.invitation("new@alpha.example"), s.user("member@alpha.example")).Body.String()
		assert.Contains(t, body, "data-passkey-setup")
		assert.NotContains(t, body, signIn)
		assert.NotContains(t, body, "data-accept-as")
		assert.Contains(t, body, "You are signed in as member@alpha.example. Accepting signs this browser in as new@alpha.example instead.")
	})
}

// The names on the page come from users and the agency: escaped.
func TestInvitationForAnExistingAccountEscapes(t *testing.T) {
	s := newSite(t)
	const evilName = `<img src=x onerror=alert(1)> "Ada" & co`
	s.account("ada@alpha.example", evilName)
	evilClient, err := s.env.Tenancy.CreateClient(context.Background(), s.env.AgencyAdmin(), `<script>alert("client")</script>`)
	require.NoError(t, err)
	tok := s.inviteTo(evilClient.ID, "ada@alpha.example")

	for name, who := range map[string]visitor{"signed in as the account": s.user("ada@alpha.example"), "signed out": anonymous} {
		t.Run(name, func(t *testing.T) {
			body := s.get("/invite/"+tok, who).Body.String()
			assert.NotContains(t, body, "<img src=x")
			assert.NotContains(t, body, `<script>alert`)
			assert.Contains(t, body, "Join &lt;script&gt;alert(&#34;client&#34;)&lt;/script&gt;")
			if who != nil {
				assert.Contains(t, body, "data-accept-as>Accept as &lt;img src=x onerror=alert(1)&gt; &#34;Ada&#34; &amp; co</button>")
			} else {
				assert.NotContains(t, body, "Accept as")
			}
		})
	}
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
