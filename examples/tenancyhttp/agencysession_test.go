package tenancyhttp_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/clientele/clientele/clienteletest"
	"github.com/clientele/clientele/examples/tenancyhttp"
)

// consoleSignIn trades the agency token for the console cookie.
func (f *fixture) consoleSignIn(opts ...opt) *http.Cookie {
	f.t.Helper()
	w := f.do("POST", "/api/v1/agency/session", jsonString(map[string]string{"token": agencyToken}), opts...)
	require.Equal(f.t, http.StatusNoContent, w.Code, w.Body.String())
	for _, c := range w.Result().Cookies() {
		if c.Value != "" {
			return c
		}
	}
	f.t.Fatal("no console cookie")
	return nil
}

func TestAgencySession(t *testing.T) {
	f := newFixture(t)
	c := f.consoleSignIn()
	assert.Equal(t, "__Host-agency", c.Name, "over https")
	assert.Equal(t, "/", c.Path)
	assert.Empty(t, c.Domain)
	assert.True(t, c.HttpOnly)
	assert.True(t, c.Secure)
	assert.Equal(t, http.SameSiteLaxMode, c.SameSite)
	assert.Equal(t, clienteletest.Start.Add(tenancyhttp.AgencySessionTTL), c.Expires)
	assert.NotContains(t, c.Value, agencyToken)

	console := cookie(c.Name, c.Value)
	w := f.do("GET", "/api/v1/clients", "", console)
	assert.Equal(t, http.StatusOK, w.Code, "the cookie is the agency admin")
	w = f.do("POST", "/api/v1/clients", `{"name":"Charlie"}`, console, header("Sec-Fetch-Site", "same-origin"))
	assert.Equal(t, http.StatusCreated, w.Code, w.Body.String())
	w = f.do("POST", "/api/v1/clients", `{"name":"Delta"}`, console, header("Sec-Fetch-Site", "cross-site"))
	assert.Equal(t, "forbidden", errorCode(t, w, 403), "the cookie is guarded against forgery")
	assert.Equal(t, "forbidden", errorCode(t, f.do("GET", "/api/v1/me", "", console), 403), "not a client user")

	// Signing out clears the cookie.
	w = f.do("DELETE", "/api/v1/agency/session", "", console)
	require.Equal(t, http.StatusNoContent, w.Code)
	cleared := w.Result().Cookies()
	require.Len(t, cleared, 1)
	assert.Equal(t, "__Host-agency", cleared[0].Name)
	assert.Empty(t, cleared[0].Value)
	assert.Negative(t, cleared[0].MaxAge)
	assert.Equal(t, http.StatusNoContent, f.do("DELETE", "/api/v1/agency/session", "").Code, "idempotent")

	// It expires.
	f.env.Clock.Advance(tenancyhttp.AgencySessionTTL - time.Second)
	assert.Equal(t, http.StatusOK, f.do("GET", "/api/v1/clients", "", console).Code)
	f.env.Clock.Advance(time.Second)
	w = f.do("GET", "/api/v1/clients", "", console)
	assert.Equal(t, "unauthenticated", errorCode(t, w, 401))
	assert.Len(t, w.Result().Cookies(), 2, "both cookies are cleared")
}

func TestAgencySessionRefusals(t *testing.T) {
	f := newFixture(t)
	w := f.do("POST", "/api/v1/agency/session", `{"token":"wrong"}`)
	assert.Equal(t, "invalid_credentials", errorCode(t, w, 401))
	assert.Empty(t, w.Result().Cookies())
	w = f.do("POST", "/api/v1/agency/session", jsonString(map[string]string{"token": agencyToken}), header("Origin", "https://evil.example"))
	assert.Equal(t, "forbidden", errorCode(t, w, 403), "a foreign page cannot sign a browser in")

	c := f.consoleSignIn()
	_, mac, _ := strings.Cut(c.Value, ".")
	tests := map[string]string{
		"forged":    c.Value[:len(c.Value)-2] + "AA",
		"extended":  "9999999999." + mac,
		"malformed": "not-a-session",
	}
	for name, value := range tests {
		t.Run(name, func(t *testing.T) {
			w := f.do("GET", "/api/v1/clients", "", cookie(c.Name, value))
			assert.Equal(t, "unauthenticated", errorCode(t, w, 401))
		})
	}
	t.Run("of the other scheme", func(t *testing.T) {
		assert.Equal(t, http.StatusUnauthorized, f.do("GET", "/api/v1/clients", "", cookie("agency", c.Value)).Code)
	})
	t.Run("after the token changed", func(t *testing.T) {
		other, err := tenancyhttp.New(tenancyhttp.Config{Tenancy: f.env.Tenancy, Invites: f.env.Invites, Authn: f.env.Authn,
			Authorizer: f.env.Authorizer, AgencyID: f.env.Agency.ID, AgencyToken: "another-agency-token", BaseURL: clienteletest.BaseURL,
			Clock: f.env.Clock.Now})
		require.NoError(t, err)
		w := serve(other.Handler(), "GET", "/api/v1/clients", "", cookie(c.Name, c.Value))
		assert.Equal(t, "unauthenticated", errorCode(t, w, 401))
	})
	t.Run("rate limited", func(t *testing.T) {
		g := newFixture(t)
		for range 20 {
			g.do("POST", "/api/v1/agency/session", `{"token":"wrong"}`)
		}
		w := g.do("POST", "/api/v1/agency/session", jsonString(map[string]string{"token": agencyToken}))
		assert.Equal(t, "rate_limited", errorCode(t, w, 429))
		assert.NotEmpty(t, w.Header().Get("Retry-After"))
	})
}

// One browser holds one identity: signing in on one side signs out the
// other.
func TestAgencySessionAndUserSessionReplaceEachOther(t *testing.T) {
	f := newFixture(t)
	user := f.signIn("admin-a@example.com", "")
	w := f.do("POST", "/api/v1/agency/session", jsonString(map[string]string{"token": agencyToken}), cookie("__Host-session", user))
	require.Equal(t, http.StatusNoContent, w.Code, w.Body.String())
	set := map[string]bool{}
	for _, k := range w.Result().Cookies() {
		set[k.Name] = k.Value != ""
	}
	assert.Equal(t, map[string]bool{"__Host-agency": true, "__Host-session": false}, set, "the user's cookie is cleared")
	c := f.consoleSignIn()
	w = f.do("GET", "/api/v1/me", "", bearer(user))
	assert.Equal(t, "unauthenticated", errorCode(t, w, 401), "the user's session ended")

	w = f.do("POST", "/api/v1/session", signInBody("admin-a@example.com"), cookie(c.Name, c.Value))
	require.Equal(t, http.StatusCreated, w.Code, w.Body.String())
	names := map[string]string{}
	for _, k := range w.Result().Cookies() {
		names[k.Name] = k.Value
	}
	assert.NotEmpty(t, names["__Host-clientele-device"], "the browser is remembered")
	delete(names, "__Host-clientele-device")
	assert.Equal(t, map[string]string{"__Host-agency": "", "__Host-session": decode[map[string]string](t, w)["session_token"]}, names)
}

// Identify finds a page's visitor; a stale credential makes it anonymous.
func TestIdentify(t *testing.T) {
	f := newFixture(t)
	type seen struct {
		who string
		err error
	}
	var got seen
	page := f.api.Portal(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, ok, err := f.api.Identify(w, r)
		switch {
		case !ok:
			got = seen{"anonymous", err}
		case c.Identity == nil:
			got = seen{string(c.Principal.Kind), err}
		default:
			got = seen{string(c.Identity.Member.Email), err}
		}
	}))
	console := f.consoleSignIn()
	tests := []struct {
		name    string
		opts    []opt
		who     string
		cleared int
	}{
		{"nobody", nil, "anonymous", 0},
		{"user", []opt{cookie("__Host-session", f.signIn("member-a@example.com", ""))}, "member-a@example.com", 0},
		{"console", []opt{cookie(console.Name, console.Value)}, "agency_admin", 0},
		{"stale session", []opt{cookie("__Host-session", "stale")}, "anonymous", 1},
		{"forged console", []opt{cookie(console.Name, "1.AAAA")}, "anonymous", 2},
		{"stale bearer", []opt{bearer("stale")}, "anonymous", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := serve(page, "GET", "/", "", tt.opts...)
			assert.Equal(t, seen{tt.who, nil}, got)
			assert.Len(t, w.Result().Cookies(), tt.cleared)
		})
	}
	rec := httptest.NewRecorder()
	_, _, err := f.api.Identify(rec, httptest.NewRequest("GET", "/", nil))
	assert.Error(t, err, "Identify needs Portal")
}
