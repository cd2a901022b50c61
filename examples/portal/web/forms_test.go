package web_test

import (
	"context"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/clientele/clientele/clienteletest"
)

var (
	formRE = regexp.MustCompile(`(?s)<form\b([^>]*)>(.*?)</form>`)
	// secretRE finds an input that carries a secret: a password, or a
	// token by its name or id.
	secretRE = regexp.MustCompile(`<input\b[^>]*(?:\btype="password"|\b(?:name|id)="[^"]*token[^"]*")`)
	postRE   = regexp.MustCompile(`\bmethod="post"`)
	actionRE = regexp.MustCompile(`\baction="(/[^"]*)"`)
)

// secretForms checks that every form of html that carries a secret posts
// it to a page of this server, and returns how many there are.
func secretForms(t *testing.T, where, html string) int {
	t.Helper()
	n := 0
	for _, m := range formRE.FindAllStringSubmatch(html, -1) {
		if !secretRE.MatchString(m[2]) {
			continue
		}
		n++
		assert.Regexp(t, postRE, m[1], "%s: a form with a secret posts it, never as a GET query: <form%s>", where, m[1])
		action := actionRE.FindStringSubmatch(m[1])
		if assert.NotNil(t, action, "%s: <form%s> names the page it posts to", where, m[1]) {
			assert.NotRegexp(t, `^/api/`, action[1], "%s: without the script, the form posts to a page", where)
		}
	}
	return n
}

// A browser sends a form without a method as GET, with its fields in the
// URL: when the script that should send it fails, a password would land in
// the address bar, the history and the server logs. Every form carrying a
// secret says method="post".
func TestFormsWithSecretsPost(t *testing.T) {
	t.Run("templates", func(t *testing.T) {
		files, err := filepath.Glob("templates/*.html")
		require.NoError(t, err)
		require.NotEmpty(t, files)
		total := 0
		for _, f := range files {
			raw, err := os.ReadFile(f)
			require.NoError(t, err)
			total += secretForms(t, f, string(raw))
		}
		// Sign-in, the console's sign-in, the two ways to accept, the new
		// password and the re-authentication.
		assert.Equal(t, 6, total, "every form with a secret is checked")
	})
	t.Run("pages", func(t *testing.T) {
		s := newSite(t)
		pages := s.everyPage()
		pages["dashboard"] = struct {
			path string
			who  visitor
		}{"/", s.user("member@alpha.example")}
		total := 0
		for name, p := range pages {
			total += secretForms(t, name, s.get(p.path, p.who).Body.String())
		}
		assert.GreaterOrEqual(t, total, 6)
	})
}

// Posted without the script, a form changes nothing and its secret goes
// nowhere: the page says it needs JavaScript.
func TestFormsPostedWithoutScript(t *testing.T) {
	s := newSite(t)
	beta := s.env.NewClient(t, "Beta")
	forAccount := s.inviteTo(beta.ID, "member@alpha.example")
	newAccount := s.invitation("new@alpha.example")
	const secret = "correct horse battery"
	tests := []struct {
		name, path string
		form       url.Values
		who        visitor
	}{
		{"sign-in", "/login", url.Values{"email": {"member@alpha.example"}, "password": {clienteletest.Password}}, anonymous},
		{"console sign-in", "/console", url.Values{"token": {agencyToken}}, anonymous},
		{"accept for an account", "/invite/" + forAccount, url.Values{"email": {"member@alpha.example"}, "password": {clienteletest.Password}}, anonymous},
		{"accept with a new account", "/invite/" + newAccount, url.Values{"name": {"New"}, "password": {secret}}, anonymous},
		{"new password", "/", url.Values{"password": {secret}}, s.user("member@alpha.example")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := s.send("POST", tt.path, tt.form.Encode(), tt.who)
			assert.Equal(t, http.StatusBadRequest, w.Code)
			assert.Contains(t, w.Body.String(), "<h1>This page needs JavaScript</h1>")
			assert.Contains(t, w.Body.String(), `href="`+tt.path+`"`, "a way back")
			for _, secret := range []string{tt.form.Get("password"), tt.form.Get("token")} {
				if secret != "" {
					assert.NotContains(t, w.Body.String(), secret)
				}
			}
			assert.Equal(t, csp, w.Header().Get("Content-Security-Policy"))
			for _, c := range w.Result().Cookies() {
				assert.Negative(t, c.MaxAge, "no session starts: %s", c.Name)
			}
		})
	}
	for _, tok := range []string{forAccount, newAccount} {
		_, err := s.env.Invites.Lookup(context.Background(), tok)
		assert.NoError(t, err, "the invitation is still pending")
	}
	// The member's password is unchanged.
	s.user("member@alpha.example")
}
