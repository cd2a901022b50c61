package tenancyhttp_test

import (
	"context"
	"crypto/tls"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/clientele/clientele"
	"github.com/clientele/clientele/authn"
	"github.com/clientele/clientele/clienteletest"
)

func signInBody(email string) string {
	return jsonString(map[string]string{"email": email, "password": clienteletest.Password})
}

func TestSessionCookie(t *testing.T) {
	tests := []struct {
		name, base, host string
		tls              bool
		cookie           string
		secure           bool
	}{
		{"https base URL", clienteletest.BaseURL, portalHost, false, "__Host-session", true},
		{"http base URL", "http://portal.localhost:8080", "portal.localhost:8080", false, "session", false},
		{"TLS on an http base URL", "http://portal.localhost:8080", "portal.localhost:8080", true, "__Host-session", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			h := f.newAPI(tt.base).Handler()
			opts := []opt{host(tt.host)}
			if tt.tls {
				opts = append(opts, func(r *http.Request) { r.TLS = &tls.ConnectionState{} })
			}
			w := serve(h, "POST", "/api/v1/session", signInBody("admin-a@example.com"), opts...)
			require.Equal(t, http.StatusCreated, w.Code, w.Body.String())
			tok := decode[map[string]string](t, w)["session_token"]
			require.NotEmpty(t, tok)

			require.Len(t, w.Result().Cookies(), 2, "the session and the device")
			c := cookieNamed(t, w, tt.cookie)
			assert.Equal(t, tok, c.Value)
			assert.Equal(t, "/", c.Path)
			assert.Empty(t, c.Domain)
			assert.True(t, c.HttpOnly)
			assert.Equal(t, tt.secure, c.Secure)
			assert.Equal(t, http.SameSiteLaxMode, c.SameSite)
			assert.Equal(t, clienteletest.Start.Add(authn.DefaultAbsoluteTimeout), c.Expires)
			d := cookieNamed(t, w, strings.Replace(tt.cookie, "session", "clientele-device", 1))
			assert.NotEmpty(t, d.Value)
			assert.NotEqual(t, tok, d.Value)
			assert.Equal(t, "/", d.Path)
			assert.Empty(t, d.Domain)
			assert.True(t, d.HttpOnly)
			assert.Equal(t, tt.secure, d.Secure)
			assert.Equal(t, http.SameSiteStrictMode, d.SameSite)
			assert.Equal(t, clienteletest.Start.Add(authn.DeviceTTL), d.Expires)

			// The cookie authenticates; signing out ends it and clears it.
			w = serve(h, "GET", "/api/v1/me", "", append(opts, cookie(c.Name, c.Value))...)
			require.Equal(t, http.StatusOK, w.Code, w.Body.String())
			w = serve(h, "DELETE", "/api/v1/session", "", append(opts, cookie(c.Name, c.Value))...)
			require.Equal(t, http.StatusNoContent, w.Code)
			cleared := w.Result().Cookies()
			require.Len(t, cleared, 1)
			assert.Equal(t, tt.cookie, cleared[0].Name)
			assert.Empty(t, cleared[0].Value)
			assert.Negative(t, cleared[0].MaxAge)
			w = serve(h, "GET", "/api/v1/me", "", append(opts, cookie(c.Name, c.Value))...)
			assert.Equal(t, "unauthenticated", errorCode(t, w, 401))
			require.Len(t, w.Result().Cookies(), 1, "a stale cookie is cleared")
			assert.Negative(t, w.Result().Cookies()[0].MaxAge)
			w = serve(h, "GET", "/api/v1/me", "", append(opts, bearer(tok))...)
			assert.Equal(t, "unauthenticated", errorCode(t, w, 401))
		})
	}
}

func TestCookieOfTheOtherSchemeIsIgnored(t *testing.T) {
	f := newFixture(t)
	tok := f.signIn("admin-a@example.com", "")
	w := f.do("GET", "/api/v1/me", "", cookie("session", tok))
	assert.Equal(t, "unauthenticated", errorCode(t, w, 401), "over https only __Host-session counts")
	w = f.do("GET", "/api/v1/me", "", cookie("__Host-session", tok))
	assert.Equal(t, http.StatusOK, w.Code)
}

func TestSignOutEndsOnlyThatSession(t *testing.T) {
	f := newFixture(t)
	one, two := f.signIn("admin-a@example.com", ""), f.signIn("admin-a@example.com", "")
	w := f.do("DELETE", "/api/v1/session", "", bearer(one))
	require.Equal(t, http.StatusNoContent, w.Code)
	assert.Equal(t, http.StatusUnauthorized, f.do("GET", "/api/v1/me", "", bearer(one)).Code)
	assert.Equal(t, http.StatusOK, f.do("GET", "/api/v1/me", "", bearer(two)).Code)
	// Idempotent, and the agency token is not a session.
	assert.Equal(t, http.StatusNoContent, f.do("DELETE", "/api/v1/session", "", bearer(one)).Code)
	assert.Equal(t, http.StatusNoContent, f.do("DELETE", "/api/v1/session", "", bearer(agencyToken)).Code)
	assert.Equal(t, http.StatusOK, f.do("GET", "/api/v1/clients", "", bearer(agencyToken)).Code)
}

func TestCrossOriginProtection(t *testing.T) {
	f := newFixture(t)
	tok := f.signIn("admin-a@example.com", "")
	path := fmt.Sprintf("/api/v1/clients/%s/invitations", f.a.ID)
	n := 0
	body := func() string {
		n++
		return fmt.Sprintf(`{"email":"csrf-%d@example.com","role":"member"}`, n)
	}
	withCookie := cookie("__Host-session", tok)
	tests := []struct {
		name   string
		opts   []opt
		status int
	}{
		{"cookie, another site's Origin", []opt{withCookie, header("Origin", "https://evil.example")}, 403},
		{"cookie, cross-site fetch", []opt{withCookie, header("Sec-Fetch-Site", "cross-site")}, 403},
		{"cookie, same-site fetch", []opt{withCookie, header("Sec-Fetch-Site", "same-site")}, 403},
		{"cookie, same origin", []opt{withCookie, header("Origin", "https://"+portalHost)}, 201},
		{"cookie, same-origin fetch", []opt{withCookie, header("Sec-Fetch-Site", "same-origin")}, 201},
		{"cookie, no browser headers", []opt{withCookie}, 201},
		{"bearer is exempt", []opt{bearer(tok), header("Origin", "https://evil.example"), header("Sec-Fetch-Site", "cross-site")}, 201},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := f.do("POST", path, body(), tt.opts...)
			if tt.status == 403 {
				assert.Equal(t, "forbidden", errorCode(t, w, 403))
				return
			}
			assert.Equal(t, tt.status, w.Code, w.Body.String())
		})
	}
	t.Run("a foreign page cannot sign a browser in", func(t *testing.T) {
		w := f.do("POST", "/api/v1/session", signInBody("admin-a@example.com"), header("Origin", "https://evil.example"))
		assert.Equal(t, "forbidden", errorCode(t, w, 403))
	})
	t.Run("safe methods pass", func(t *testing.T) {
		w := f.do("GET", "/api/v1/me", "", withCookie, header("Sec-Fetch-Site", "cross-site"))
		assert.Equal(t, http.StatusOK, w.Code)
	})
}

func TestRoleChangeHoldsOnTheNextRequest(t *testing.T) {
	f := newFixture(t)
	member := f.signIn("member-a@example.com", "")
	invitations := fmt.Sprintf("/api/v1/clients/%s/invitations", f.a.ID)
	user := fmt.Sprintf("/api/v1/clients/%s/users/%s", f.a.ID, f.memberA.UserID)

	w := f.do("POST", invitations, `{"email":"one@example.com","role":"member"}`, bearer(member))
	assert.Equal(t, "forbidden", errorCode(t, w, 403))

	w = f.do("PATCH", user, `{"role":"admin"}`, bearer(agencyToken))
	require.Equal(t, http.StatusOK, w.Code, w.Body.String())
	assert.Equal(t, "admin", decode[map[string]any](t, w)["role"])
	w = f.do("POST", invitations, `{"email":"one@example.com","role":"member"}`, bearer(member))
	assert.Equal(t, http.StatusCreated, w.Code, "same session, next request: %s", w.Body)

	w = f.do("PATCH", user, `{"role":"member"}`, bearer(agencyToken))
	require.Equal(t, http.StatusOK, w.Code)
	w = f.do("POST", invitations, `{"email":"two@example.com","role":"member"}`, bearer(member))
	assert.Equal(t, "forbidden", errorCode(t, w, 403))
}

func TestRemovalAndDeactivationHoldOnTheNextRequest(t *testing.T) {
	f := newFixture(t)
	member := f.signIn("member-a@example.com", "")
	user := fmt.Sprintf("/api/v1/clients/%s/users/%s", f.a.ID, f.memberA.UserID)
	users := fmt.Sprintf("/api/v1/clients/%s/users", f.a.ID)
	mails := len(f.env.Mailer.Messages())

	require.Equal(t, http.StatusOK, f.do("GET", users, "", bearer(member)).Code)
	w := f.do("POST", user+"/deactivate", "", bearer(agencyToken))
	require.Equal(t, http.StatusOK, w.Code)
	assert.Equal(t, "deactivated", decode[map[string]any](t, w)["status"])
	assert.Equal(t, "unauthenticated", errorCode(t, f.do("GET", users, "", bearer(member)), 401))
	w = f.do("POST", user+"/reactivate", "", bearer(agencyToken))
	require.Equal(t, http.StatusOK, w.Code)
	assert.Equal(t, "active", decode[map[string]any](t, w)["status"])
	assert.Equal(t, "unauthenticated", errorCode(t, f.do("GET", users, "", bearer(member)), 401),
		"deactivation ended the session; reactivation revives none")
	member = f.signIn("member-a@example.com", "")
	require.Equal(t, http.StatusOK, f.do("GET", users, "", bearer(member)).Code)

	admin := f.signIn("admin-a@example.com", "")
	require.Equal(t, http.StatusNoContent, f.do("DELETE", user, "", bearer(admin)).Code)
	assert.Equal(t, "unauthenticated", errorCode(t, f.do("GET", users, "", bearer(member)), 401))
	assert.Equal(t, "unauthenticated", errorCode(t, f.do("GET", "/api/v1/me", "", bearer(member)), 401))
	assert.Len(t, f.env.Mailer.Messages(), mails, "removing a user sends no email")
}

func TestCrossClientIDsAreNotFound(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	admin := f.signIn("admin-a@example.com", "")
	invB, err := f.env.Invites.Create(ctx, f.env.AgencyAdmin(), f.b.ID, "b-pending@example.com", clientele.RoleMember)
	require.NoError(t, err)
	a, b := f.a.ID, f.b.ID
	tests := []struct{ method, path, body string }{
		{"GET", fmt.Sprintf("/api/v1/clients/%s/users", b), ""},
		{"GET", fmt.Sprintf("/api/v1/clients/%s/billing", b), ""},
		{"POST", fmt.Sprintf("/api/v1/clients/%s/invitations", b), `{"email":"x@example.com","role":"member"}`},
		{"PATCH", fmt.Sprintf("/api/v1/clients/%s/users/%s", b, f.adminB.UserID), `{"role":"member"}`},
		{"DELETE", fmt.Sprintf("/api/v1/clients/%s/users/%s", b, f.adminB.UserID), ""},
		// Another client's ids under one's own client.
		{"PATCH", fmt.Sprintf("/api/v1/clients/%s/users/%s", a, f.adminB.UserID), `{"role":"member"}`},
		{"DELETE", fmt.Sprintf("/api/v1/clients/%s/users/%s", a, f.adminB.UserID), ""},
		{"POST", fmt.Sprintf("/api/v1/clients/%s/invitations/%s/resend", a, invB.ID), ""},
		{"DELETE", fmt.Sprintf("/api/v1/clients/%s/invitations/%s", a, invB.ID), ""},
	}
	for _, tt := range tests {
		t.Run(tt.method+" "+tt.path, func(t *testing.T) {
			assert.Equal(t, "not_found", errorCode(t, f.do(tt.method, tt.path, tt.body, bearer(admin)), 404))
		})
	}
	// The agency admin too, for a client of nobody.
	w := f.do("POST", "/api/v1/clients/cli_unknown/users/usr_unknown/deactivate", "", bearer(agencyToken))
	assert.Equal(t, "not_found", errorCode(t, w, 404))
}

func TestSessionOfAnotherAgencyIsRefused(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	other, err := f.env.Tenancy.CreateAgency(ctx, clientele.Branding{Name: "Other Agency"})
	require.NoError(t, err)
	c, err := f.env.Tenancy.CreateClient(ctx, clientele.AgencyAdmin(other.ID), "Other Client")
	require.NoError(t, err)
	_, err = f.env.Invites.Create(ctx, clientele.AgencyAdmin(other.ID), c.ID, "else@example.com", clientele.RoleAdmin)
	require.NoError(t, err)
	link, err := f.env.Mailer.TokenTo("else@example.com")
	require.NoError(t, err)

	// Its links are unknown at this portal.
	w := f.do("GET", "/api/v1/invitations/"+link, "")
	assert.Equal(t, "not_found", errorCode(t, w, 404))
	w = f.do("POST", "/api/v1/invitations/accept", jsonString(map[string]string{"token": link, "name": "E", "password": clienteletest.Password}))
	assert.Equal(t, "not_found", errorCode(t, w, 404))

	tok, _, err := f.env.Authn.AcceptInvitation(ctx, authn.AcceptRequest{AgencyID: other.ID, Token: link, Name: "E",
		Password: clienteletest.Password, IP: netip.MustParseAddr("192.0.2.9")})
	require.NoError(t, err)
	w = f.do("GET", "/api/v1/me", "", bearer(tok))
	assert.Equal(t, "unauthenticated", errorCode(t, w, 401))
	// And its users cannot sign in here.
	w = f.do("POST", "/api/v1/session", signInBody("else@example.com"))
	assert.Equal(t, "invalid_credentials", errorCode(t, w, 401))
}

func TestSignInRateLimit(t *testing.T) {
	f := newFixture(t)
	wrong := jsonString(map[string]string{"email": "admin-a@example.com", "password": "wrong password"})
	for i := range 5 {
		assert.Equal(t, http.StatusUnauthorized, f.do("POST", "/api/v1/session", wrong).Code, "attempt %d", i+1)
	}
	require.Equal(t, http.StatusCreated, f.do("POST", "/api/v1/session", signInBody("admin-a@example.com")).Code,
		"five wrong passwords in a row are ordinary")

	var w = f.do("POST", "/api/v1/session", wrong)
	for i := 0; w.Code == http.StatusUnauthorized && i < 20; i++ {
		w = f.do("POST", "/api/v1/session", wrong)
	}
	assert.Equal(t, "rate_limited", errorCode(t, w, http.StatusTooManyRequests))
	secs, err := strconv.Atoi(w.Header().Get("Retry-After"))
	require.NoError(t, err)
	assert.Positive(t, secs)
	assert.LessOrEqual(t, secs, int((15 * time.Minute).Seconds()))

	f.env.Clock.Advance(time.Duration(secs) * time.Second)
	assert.Equal(t, http.StatusCreated, f.do("POST", "/api/v1/session", signInBody("admin-a@example.com")).Code)
}

func TestInvitationRateLimit(t *testing.T) {
	f := newFixture(t)
	f.env.Clock.Advance(30 * time.Second) // mid-window
	invite := func(client clientele.ClientID, i int) *httptest.ResponseRecorder {
		return f.do("POST", fmt.Sprintf("/api/v1/clients/%s/invitations", client), fmt.Sprintf(`{"email":"bulk-%d@example.com","role":"member"}`, i), bearer(agencyToken))
	}
	for i := range 60 {
		require.Equal(t, http.StatusCreated, invite(f.a.ID, i).Code, "invitation %d", i+1)
	}
	w := invite(f.a.ID, 60)
	assert.Equal(t, "rate_limited", errorCode(t, w, http.StatusTooManyRequests))
	assert.Equal(t, "30", w.Header().Get("Retry-After"))
	w = f.do("POST", fmt.Sprintf("/api/v1/clients/%s/invitations/%s/resend", f.a.ID, f.inv.ID), "", bearer(agencyToken))
	assert.Equal(t, "rate_limited", errorCode(t, w, http.StatusTooManyRequests), "a resend mails too")
	assert.Equal(t, http.StatusCreated, invite(f.b.ID, 0).Code, "each client has its own budget")

	f.env.Clock.Advance(30 * time.Second)
	assert.Equal(t, http.StatusCreated, invite(f.a.ID, 61).Code)
}

func TestUndeliveredInvitationIsCreated(t *testing.T) {
	f := newFixture(t)
	f.env.Mailer.SetFailure(fmt.Errorf("smtp down"))
	w := f.do("POST", fmt.Sprintf("/api/v1/clients/%s/invitations", f.a.ID), `{"email":"later@example.com","role":"admin"}`, bearer(agencyToken))
	require.Equal(t, http.StatusCreated, w.Code, w.Body.String())
	inv := decode[map[string]any](t, w)
	assert.Equal(t, "pending", inv["status"])
	assert.Contains(t, f.logs.String(), "email not delivered")

	w = f.do("POST", fmt.Sprintf("/api/v1/clients/%s/invitations/%s/resend", f.a.ID, inv["id"]), "", bearer(agencyToken))
	require.Equal(t, http.StatusOK, w.Code, w.Body.String())
	assert.NotEqual(t, inv["id"], decode[map[string]any](t, w)["id"])
}
