package main

import (
	"bytes"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/clientele/clientele/authn"
)

// movableClock is the real clock plus an offset a test moves forward: the
// server keeps running on real time, and sign-ins age at once.
type movableClock struct{ offset atomic.Int64 }

func (c *movableClock) now() time.Time { return time.Now().Add(time.Duration(c.offset.Load())) }

func (c *movableClock) advance(d time.Duration) { c.offset.Add(int64(d)) }

// nextInviteToken waits for an invitation email to `to` with a link other
// than the earlier ones and returns its token.
func (p *portal) nextInviteToken(t *testing.T, to string, earlier ...string) string {
	t.Helper()
	seen := map[string]bool{}
	for _, tok := range earlier {
		seen[tok] = true
	}
	var tok string
	require.Eventually(t, func() bool {
		files, _ := filepath.Glob(filepath.Join(p.mailDir, "*.eml"))
		for _, f := range files {
			raw, err := os.ReadFile(f)
			if err != nil || !bytes.Contains(raw, []byte(to)) {
				continue
			}
			for _, m := range linkRE.FindAllSubmatch(raw, -1) {
				if !seen[string(m[1])] {
					tok = string(m[1])
					return true
				}
			}
		}
		return false
	}, 20*time.Second, 20*time.Millisecond)
	return tok
}

// TestBrowserExistingAccounts drives Chromium through the identity edges:
// an invitation link is never a sign-in for an account that exists, so
// the page offers to sign in to it (a passkey, the password, or the
// session of that account), and credential changes after the sign-in has
// aged ask the user to confirm it's them, then go through. The server's
// authn clock is moved forward instead of waiting out the window.
func TestBrowserExistingAccounts(t *testing.T) {
	exe := chromium(t)
	clock := &movableClock{}
	p := startLocalPortal(t, func(c *config) { c.authnOptions = append(c.authnOptions, authn.WithClock(clock.now)) })
	logo := logoServer(t)
	chrome := startChromium(t, exe, p.base, 100*time.Second)
	started := time.Now()

	// The agency, through the API: its branding and three clients with
	// reports.
	require.Equal(t, 200, p.call(t, "PUT", "/api/v1/agency/branding", p.token,
		map[string]any{"name": "Northwind Agency", "logo_url": logo, "primary_color": "#0e7490"}, nil))
	clients := map[string]string{}
	for _, name := range []string{"Globex Corporation", "Initech", "Umbrella Health"} {
		var c struct {
			ID string `json:"id"`
		}
		require.Equal(t, 201, p.call(t, "POST", "/api/v1/clients", p.token, map[string]any{"name": name}, &c))
		require.Equal(t, 200, p.call(t, "PUT", "/api/v1/clients/"+c.ID+"/permissions", p.token,
			map[string]any{"permissions": []string{"view_reports"}}, nil))
		clients[name] = c.ID
	}
	var tokens []string // every link mailed so far
	invite := func(client, email, role string) string {
		t.Helper()
		require.Equal(t, 201, p.call(t, "POST", "/api/v1/clients/"+clients[client]+"/invitations", p.token,
			map[string]any{"email": email, "role": role}, nil))
		tok := p.nextInviteToken(t, email, tokens...)
		tokens = append(tokens, tok)
		return tok
	}
	status := func(client, email string) string {
		t.Helper()
		var list struct {
			Users []struct{ Email, Status string } `json:"users"`
		}
		require.Equal(t, 200, p.call(t, "GET", "/api/v1/clients/"+clients[client]+"/users", p.token, nil, &list))
		for _, u := range list.Users {
			if u.Email == email {
				return u.Status
			}
		}
		return ""
	}
	clientName := func(b *tab) string {
		b.t.Helper()
		b.until("the dashboard names its client", `document.querySelector('[data-client-name]').textContent.trim().length > 1`)
		name, err := chromedp.Run(b.ctx, chromedp.Evaluate[string](`document.querySelector('[data-client-name]').textContent`))
		require.NoError(b.t, err)
		return name
	}

	// Ada sets up her account with a passkey at Globex, then signs out.
	ada := chrome.tab("ada")
	ada.authenticator()
	ada.open("/invite/"+invite("Globex Corporation", "ada@globex.example", "admin"), "[data-accept]")
	ada.fill("#name", "Ada Lovelace")
	ada.do("set up a passkey", chromedp.Click(chromedp.CSS("[data-passkey-setup]")), chromedp.WaitVisible(chromedp.CSS("[data-passkeys] li")))
	ada.do("sign out", chromedp.Click(chromedp.CSS("[data-signout]")), chromedp.WaitVisible(chromedp.CSS("[data-passkey-signin]")))

	// (a) Invited to Initech, she signs in to accept: with her passkey.
	ada.open("/invite/"+invite("Initech", "ada@globex.example", "member"), "[data-existing-account]")
	assert.Equal(t, "You already have an account — sign in to accept", ada.text("[data-existing-account] h2"))
	email, err := chromedp.Run(ada.ctx, chromedp.Evaluate[string](`(() => { const e = document.getElementById('email'); return e.readOnly ? e.value : ''; })()`))
	require.NoError(t, err)
	assert.Equal(t, "ada@globex.example", email, "the invited email, read-only")
	ada.do("no new account is offered", chromedp.WaitNotPresent(chromedp.CSS("[data-passkey-setup]")), chromedp.WaitNotPresent(chromedp.CSS("#name")))
	ada.shot("portal-accept-existing-account")
	ada.do("accept with the passkey", chromedp.Click(chromedp.CSS("[data-passkey-accept]")), chromedp.WaitVisible(chromedp.CSS(`[data-feature="view_reports"]`)))
	assert.Equal(t, "Initech", clientName(ada), "the new client's dashboard")
	assert.Equal(t, "Welcome, Ada Lovelace", ada.text("h1"), "the account keeps its name")
	assert.Equal(t, "active", status("Initech", "ada@globex.example"))

	// Invited to Umbrella Health while signed in, she accepts as herself.
	ada.open("/invite/"+invite("Umbrella Health", "ada@globex.example", "member"), "[data-accept-as]")
	assert.Equal(t, "Accept as Ada Lovelace", ada.text("[data-accept-as]"))
	ada.do("accept as Ada", chromedp.Click(chromedp.CSS("[data-accept-as]")), chromedp.WaitVisible(chromedp.CSS(`[data-feature="view_reports"]`)))
	assert.Equal(t, "Umbrella Health", clientName(ada))

	// (b) Bob sets up a password account at Globex; invited to Initech, he
	// opens the link on another device and accepts with that password.
	bob := chrome.tab("bob")
	bob.open("/invite/"+invite("Globex Corporation", "bob@globex.example", "member"), "[data-accept]")
	bob.fill("#name", "Bob Stone")
	bob.fill("#password", "correct horse battery")
	bob.do("accept with a password", chromedp.Click(chromedp.CSS("[data-password-setup]")), chromedp.WaitVisible(chromedp.CSS(`[data-feature="view_reports"]`)))
	laptop := chrome.tab("bob's laptop")
	laptop.authenticator()
	laptop.open("/invite/"+invite("Initech", "bob@globex.example", "member"), "form[data-signin-accept]")
	laptop.fill("#current-password", "not my password")
	laptop.do("a wrong password", chromedp.Click(chromedp.CSS("form[data-signin-accept] button[type=submit]")),
		chromedp.WaitVisible(chromedp.CSS("form[data-signin-accept] [data-error]")))
	assert.Equal(t, "That password is not right for this account. Try again, or use a passkey.", laptop.text("form[data-signin-accept] [data-error]"))
	laptop.until("the field is marked and focused", `document.activeElement.id === 'current-password'
		&& document.activeElement.getAttribute('aria-invalid') === 'true'`)
	assert.Equal(t, "pending", status("Initech", "bob@globex.example"), "a wrong password accepts nothing")
	laptop.fill("#current-password", "correct horse battery")
	laptop.do("the right password", chromedp.Click(chromedp.CSS("form[data-signin-accept] button[type=submit]")),
		chromedp.WaitVisible(chromedp.CSS(`[data-feature="view_reports"]`)))
	assert.Equal(t, "Initech", clientName(laptop))
	assert.Equal(t, "Welcome, Bob Stone", laptop.text("h1"))
	assert.Equal(t, "active", status("Initech", "bob@globex.example"))

	// (c) The sign-ins age past the re-authentication window.
	clock.advance(authn.DefaultReauthWindow + time.Minute)

	// Bob adds a passkey: he confirms it's him with his password first.
	laptop.do("no passkey yet", chromedp.WaitVisible(chromedp.CSS("[data-no-passkeys]")))
	laptop.do("add a passkey", chromedp.Click(chromedp.CSS("[data-add-passkey]")), chromedp.WaitVisible(chromedp.CSS("#reauth[open]")))
	assert.Equal(t, "Confirm it's you", laptop.text("#reauth h2"))
	laptop.until("the password field has focus", `document.activeElement.id === 'reauth-password'`)
	laptop.fill("#reauth-password", "wrong again")
	laptop.do("a wrong password", chromedp.Click(chromedp.CSS("[data-reauth-ok]")), chromedp.WaitVisible(chromedp.CSS("#reauth [data-error]")))
	assert.Equal(t, "That password is not right. Try again, or use a passkey.", laptop.text("#reauth [data-error]"))
	laptop.fill("#reauth-password", "correct horse battery")
	laptop.do("confirm", chromedp.Click(chromedp.CSS("[data-reauth-ok]")), chromedp.WaitVisible(chromedp.CSS("[data-passkeys] li")),
		chromedp.WaitNotVisible(chromedp.CSS("#reauth")))
	laptop.until("focus is back on the button", `document.activeElement === document.querySelector('[data-add-passkey]')`)

	// Ada, who has only a passkey, sets her first password: she confirms
	// it's her with the passkey.
	ada.fill("#new-password", "a quiet harbour at dusk")
	ada.do("save the password", chromedp.Click(chromedp.CSS("form[data-change-password] button[type=submit]")),
		chromedp.WaitVisible(chromedp.CSS("#reauth[open]")))
	ada.do("use the passkey", chromedp.Click(chromedp.CSS("[data-reauth-passkey]")), chromedp.WaitVisible(chromedp.CSS("form[data-change-password] [data-done]")),
		chromedp.WaitNotVisible(chromedp.CSS("#reauth")))
	ada.until("focus is back on the button", `document.activeElement === document.querySelector('form[data-change-password] button[type=submit]')`)
	require.Equal(t, 201, p.call(t, "POST", "/api/v1/session", "",
		map[string]any{"email": "ada@globex.example", "password": "a quiet harbour at dusk", "client": clients["Initech"]}, nil),
		"the new password signs in")
	// A common password is refused where it was typed; no dialog, the
	// sign-in is recent now.
	ada.fill("#new-password", "password1234")
	ada.do("a common password", chromedp.Click(chromedp.CSS("form[data-change-password] button[type=submit]")),
		chromedp.WaitVisible(chromedp.CSS("form[data-change-password] [data-error]")))
	assert.Contains(t, ada.text("form[data-change-password] [data-error]"), "too common")
	ada.do("no dialog", chromedp.WaitNotVisible(chromedp.CSS("#reauth")))

	// Later still, Bob removes the passkey: the dialog again, then the
	// removal; focus goes to the section, since the button went with the
	// passkey.
	clock.advance(authn.DefaultReauthWindow + time.Minute)
	laptop.do("remove the passkey", chromedp.Click(chromedp.CSS("[data-passkeys] li button")))
	laptop.confirm()
	laptop.do("asked to confirm", chromedp.WaitVisible(chromedp.CSS("#reauth[open]")))
	laptop.fill("#reauth-password", "correct horse battery")
	laptop.do("confirm", chromedp.Click(chromedp.CSS("[data-reauth-ok]")), chromedp.WaitNotPresent(chromedp.CSS("[data-passkeys] li")),
		chromedp.WaitNotVisible(chromedp.CSS("#reauth")))
	laptop.until("focus is on the section", `document.activeElement === document.getElementById('passkeys-title')`)
	t.Logf("browser test, existing accounts: %s", time.Since(started).Round(100*time.Millisecond))
}
