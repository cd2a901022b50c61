package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/cdproto/webauthn"
	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The browser test drives headless Chromium through the pages: the agency
// console (branding, a client, its permissions, invitations), accepting
// an invitation with a passkey from Chromium's virtual authenticator,
// signing out and in with it, managing users as the client's Admin, and
// the password path; TestBrowserExistingAccounts (browser_accounts_test.go)
// the invitations of accounts that exist and re-authentication. They skip
// without Chromium unless CLIENTELE_TEST_REQUIRE_BROWSER=1. With
// CLIENTELE_SCREENSHOTS=DIR they save a PNG of each page in DIR (the
// repository keeps them in docs/screenshots):
//
//	CLIENTELE_SCREENSHOTS=$PWD/docs/screenshots go test ./examples/portal -run Browser

// chromium returns the browser to run, or skips the test.
func chromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "/usr/bin/chromium"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("CLIENTELE_TEST_REQUIRE_BROWSER") == "1" {
		t.Fatal("Chromium is not installed, and CLIENTELE_TEST_REQUIRE_BROWSER=1 requires it")
	}
	t.Skip("Chromium is not installed (set CLIENTELE_TEST_REQUIRE_BROWSER=1 to fail instead)")
	return ""
}

// startLocalPortal runs the server with the base URL http://localhost:PORT:
// WebAuthn refuses IP-address hosts, and Chromium treats localhost as a
// secure context. tweak, when not nil, changes the configuration (see
// startPortalWith).
func startLocalPortal(t *testing.T, tweak func(*config)) *portal {
	t.Helper()
	addr := freeAddr(t)
	_, port, err := net.SplitHostPort(addr)
	require.NoError(t, err)
	p := &portal{base: "http://localhost:" + port, token: "agency-token-for-browser-tests", mailDir: t.TempDir(),
		client: &http.Client{Timeout: 10 * time.Second}}
	p.launch(t, []string{"-addr", addr, "-base-url", p.base, "-db", "sqlite:" + filepath.Join(t.TempDir(), "portal.db"),
		"-mail-dir", p.mailDir}, tweak)
	return p
}

// logoServer serves the agency's logo from another origin, as a CDN would.
func logoServer(t *testing.T) string {
	t.Helper()
	const svg = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64"><rect width="64" height="64" rx="14" fill="#0e7490"/>` +
		`<path d="M18 46V18h6l16 19V18h6v28h-6L24 27v19z" fill="#fff"/></svg>`
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "image/svg+xml")
		_, _ = io.WriteString(w, svg)
	}))
	t.Cleanup(srv.Close)
	return srv.URL + "/logo.svg"
}

// tab is one browser tab in its own browser context (cookie jar).
type tab struct {
	t    *testing.T
	ctx  context.Context
	base string
	logs *syncBuffer
	dir  string
}

func (b *tab) do(what string, steps ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	require.NoError(b.t, chromedp.Do(b.ctx, steps...), what)
}

func (b *tab) open(path, ready string) {
	b.t.Helper()
	b.do("open "+path, chromedp.Navigate(b.base+path), chromedp.WaitVisible(chromedp.CSS(ready)))
}

// until waits for a JavaScript condition to hold.
func (b *tab) until(what, expr string) {
	b.t.Helper()
	_, err := chromedp.Run(b.ctx, chromedp.Poll[bool](expr, chromedp.WithPollingTimeout(15*time.Second)))
	require.NoError(b.t, err, what)
}

func (b *tab) text(sel string) string {
	b.t.Helper()
	s, err := chromedp.Run(b.ctx, chromedp.Text(chromedp.CSS(sel)))
	require.NoError(b.t, err, sel)
	return strings.TrimSpace(s)
}

// fill replaces the value of the input sel, typing as a user would (the
// page sees input events). It avoids chromedp's Clear and SendKeys:
// Clear changes the value attribute, and SendKeys reads the node's
// attributes without their lock while chromedp applies such a change
// (a data race in chromedp v0.23 that -race reports now and then).
func (b *tab) fill(sel, value string) {
	b.t.Helper()
	b.do("focus "+sel, chromedp.Focus(chromedp.CSS(sel)))
	_, err := chromedp.Run(b.ctx, chromedp.Evaluate[bool](`(() => { document.activeElement.value = ''; return true; })()`))
	require.NoError(b.t, err, "clear "+sel)
	_, err = chromedp.Call(b.ctx, input.InsertText, input.InsertTextParams{Text: value})
	require.NoError(b.t, err, "type into "+sel)
}

// confirm answers the page's confirmation dialog.
func (b *tab) confirm() {
	b.t.Helper()
	b.do("confirm", chromedp.WaitVisible(chromedp.CSS("#confirm[open] [data-confirm-ok]")), chromedp.Click(chromedp.CSS("#confirm [data-confirm-ok]")),
		chromedp.WaitNotVisible(chromedp.CSS("#confirm")))
}

// shot saves a PNG of the whole page when screenshots are asked for.
func (b *tab) shot(name string) {
	b.t.Helper()
	b.until("animations end", `document.getAnimations().every(a => a.playState !== 'running')`)
	png, err := chromedp.Run(b.ctx, chromedp.FullScreenshot(100))
	require.NoError(b.t, err, "screenshot "+name)
	require.NoError(b.t, os.WriteFile(filepath.Join(b.dir, name+".png"), png, 0o644))
}

// session is one headless Chromium for a test, its screenshots folder and
// the portal it browses.
type session struct {
	t       *testing.T
	browser context.Context
	base    string
	dir     string
}

// startChromium starts the browser exe (see chromium) for a test of the
// portal at base; it stops when t ends, or after limit.
func startChromium(t *testing.T, exe, base string, limit time.Duration) *session {
	t.Helper()
	dir := os.Getenv("CLIENTELE_SCREENSHOTS")
	if dir == "" {
		dir = t.TempDir()
	}
	require.NoError(t, os.MkdirAll(dir, 0o755))
	ctx, cancel := context.WithTimeout(context.Background(), limit)
	t.Cleanup(cancel)
	alloc, cancelAlloc := chromedp.NewExecAllocator(ctx, chromedp.ExecPath(exe), chromedp.Headless, chromedp.NoSandbox,
		chromedp.DisableGPU, chromedp.NoFirstRun, chromedp.NoDefaultBrowserCheck, chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-dev-shm-usage", true), chromedp.WindowSize(1280, 900))
	t.Cleanup(cancelAlloc)
	browser, cancelBrowser := chromedp.NewContext(alloc)
	t.Cleanup(cancelBrowser)
	require.NoError(t, chromedp.Do(browser), "start Chromium")
	return &session{t: t, browser: browser, base: base, dir: dir}
}

// tab opens a tab in a browser context of its own (its own cookies, as
// another person or device). Its console is checked when the test ends:
// no page may break its CSP or throw.
func (s *session) tab(name string) *tab {
	t := s.t
	t.Helper()
	ctx, cancel := chromedp.NewContext(s.browser, chromedp.WithNewBrowserContext())
	t.Cleanup(cancel)
	b := &tab{t: t, ctx: ctx, base: s.base, logs: &syncBuffer{}, dir: s.dir}
	b.do("open a tab", chromedp.EmulateViewport(1280, 860))
	go func() {
		for m, err := range chromedp.Console(ctx) {
			if err != nil {
				return
			}
			fmt.Fprintf(b.logs, "[%s] %s: %s (%s)\n", name, m.Type, m.Text, m.URL)
		}
	}()
	t.Cleanup(func() {
		if logs := b.logs.String(); t.Failed() && logs != "" {
			t.Logf("console of the %s tab:\n%s", name, logs)
		}
		assert.NotContains(t, b.logs.String(), "Content Security Policy", "no page breaks its own CSP")
		assert.NotContains(t, b.logs.String(), "] exception:", "no script fails")
	})
	return b
}

// authenticator gives the tab a virtual platform authenticator that
// verifies its user, as a fingerprint reader does: passkeys need user
// verification.
func (b *tab) authenticator() {
	b.t.Helper()
	_, err := chromedp.Call(b.ctx, webauthn.Enable, webauthn.EnableParams{})
	require.NoError(b.t, err)
	_, err = chromedp.Call(b.ctx, webauthn.AddVirtualAuthenticator, webauthn.AddVirtualAuthenticatorParams{
		Options: &webauthn.VirtualAuthenticatorOptions{Protocol: webauthn.AuthenticatorProtocolCtap2,
			Transport: webauthn.AuthenticatorTransportInternal, HasResidentKey: true, HasUserVerification: true,
			IsUserVerified: true, AutomaticPresenceSimulation: true}})
	require.NoError(b.t, err)
}

func TestBrowser(t *testing.T) {
	exe := chromium(t)
	p := startLocalPortal(t, nil)
	logo := logoServer(t)
	chrome := startChromium(t, exe, p.base, 100*time.Second)
	started := time.Now()
	console, ada, bob := chrome.tab("console"), chrome.tab("ada"), chrome.tab("bob")

	// The agency signs in to the console and brands the portal.
	console.open("/console", "form[data-console-signin]")
	console.fill("#token", p.token)
	console.do("sign in", chromedp.Click(chromedp.CSS("form[data-console-signin] button[type=submit]")),
		chromedp.WaitVisible(chromedp.CSS("form[data-new-client]")))
	console.open("/console/branding", "form[data-branding]")
	console.fill("#b-name", "Northwind Agency")
	console.fill("#b-logo", logo)
	console.fill("#b-color", "#0e7490")
	console.until("the preview follows the form", `document.querySelector('[data-preview-name]').textContent === 'Northwind Agency'
		&& getComputedStyle(document.querySelector('[data-preview]')).getPropertyValue('--brand').trim() === '#0e7490'`)
	console.do("save the branding", chromedp.Click(chromedp.CSS("form[data-branding] button[type=submit]")),
		chromedp.WaitVisible(chromedp.CSS("#toast")))
	assert.Equal(t, "Northwind Agency", console.text(".topbar .brand-name"))
	console.until("the logo loads", `(() => { const i = document.querySelector('.topbar .brand-logo'); return i && i.complete && i.naturalWidth > 0; })()`)
	console.shot("console-branding")

	// Clients: two made through the API, one through the page.
	for _, name := range []string{"Initech", "Umbrella Health"} {
		require.Equal(t, 201, p.call(t, "POST", "/api/v1/clients", p.token, map[string]any{"name": name}, nil))
	}
	console.open("/console", "form[data-new-client]")
	console.fill("#client-name", "Globex Corporation")
	console.do("create a client", chromedp.Click(chromedp.CSS("form[data-new-client] button[type=submit]")),
		chromedp.WaitVisible(chromedp.CSS("section[data-users] [data-empty]")))
	clientURL, err := chromedp.Run(console.ctx, chromedp.Location())
	require.NoError(t, err)
	clientPath := strings.TrimPrefix(clientURL, p.base)

	// Its permissions: Reports and Billing on.
	console.open(clientPath+"/permissions", "form[data-permissions]")
	console.do("turn on reports", chromedp.Click(chromedp.CSS(`input[value="view_reports"] + .toggle-track`)))
	console.until("reports saved", `document.querySelector('form[data-permissions]').dataset.saved === 'view_reports'`)
	console.do("turn on billing", chromedp.Click(chromedp.CSS(`input[value="manage_billing"] + .toggle-track`)))
	console.until("billing saved", `document.querySelector('form[data-permissions]').dataset.saved === 'view_reports,manage_billing'`)
	console.shot("console-permissions")

	// Its users: three invitations.
	console.open(clientPath, "form[data-invite]")
	invite := func(email, role string) {
		console.fill("#invite-email", email)
		console.do("invite "+email, chromedp.SetValue(chromedp.CSS("#invite-role"), role),
			chromedp.Click(chromedp.CSS("form[data-invite] button[type=submit]")),
			chromedp.WaitVisible(chromedp.CSS(fmt.Sprintf(`tr[data-email=%q][data-status="pending"]`, email))))
	}
	invite("ada@globex.example", "admin")
	invite("bob@globex.example", "member")
	invite("carol@globex.example", "member")

	// Ada accepts with a passkey from the virtual authenticator.
	ada.authenticator()
	ada.open("/invite/"+p.inviteToken(t, "ada@globex.example"), "[data-invitation]")
	assert.Contains(t, ada.text("[data-invitation] h1"), "Globex Corporation")
	ada.fill("#name", "Ada Lovelace")
	ada.shot("portal-accept-invitation")
	ada.do("set up a passkey", chromedp.Click(chromedp.CSS("[data-passkey-setup]")),
		chromedp.WaitVisible(chromedp.CSS(`[data-feature="users"]`)), chromedp.WaitVisible(chromedp.CSS("[data-passkeys] li")))
	features, err := chromedp.Run(ada.ctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll('[data-feature]')].map(e => e.dataset.feature)`))
	require.NoError(t, err)
	assert.Equal(t, []string{"view_reports", "manage_billing", "users"}, features, "an Admin with reports and billing")
	ada.shot("portal-dashboard")

	// She signs out and back in with the passkey.
	ada.do("sign out", chromedp.Click(chromedp.CSS("[data-signout]")), chromedp.WaitVisible(chromedp.CSS("[data-passkey-signin]")))
	ada.shot("portal-signin")
	ada.do("sign in with the passkey", chromedp.Click(chromedp.CSS("[data-passkey-signin]")),
		chromedp.WaitVisible(chromedp.CSS(`[data-feature="users"]`)))
	assert.Equal(t, "Welcome, Ada Lovelace", ada.text("h1"))

	// Bob takes the password path: accept, sign out, sign in.
	bob.open("/invite/"+p.inviteToken(t, "bob@globex.example"), "[data-invitation]")
	bob.fill("#name", "Bob Stone")
	bob.fill("#password", "correct horse battery")
	bob.do("accept with a password", chromedp.Click(chromedp.CSS("[data-password-setup]")),
		chromedp.WaitVisible(chromedp.CSS(`[data-feature="view_reports"]`)))
	bob.do("sign out", chromedp.Click(chromedp.CSS("[data-signout]")), chromedp.WaitVisible(chromedp.CSS("form[data-password-signin]")))
	bob.fill("#email", "bob@globex.example")
	bob.fill("#password", "correct horse battery")
	bob.do("sign in with the password", chromedp.Click(chromedp.CSS("form[data-password-signin] button[type=submit]")),
		chromedp.WaitVisible(chromedp.CSS(`[data-feature="view_reports"]`)))
	features, err = chromedp.Run(bob.ctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll('[data-feature]')].map(e => e.dataset.feature)`))
	require.NoError(t, err)
	assert.Equal(t, []string{"view_reports"}, features, "a Member: reports, never billing or users")

	// The console sees both accounts and Carol's pending invitation.
	console.open(clientPath, `tr[data-email="bob@globex.example"][data-status="active"]`)
	console.shot("console-client-users")
	console.open("/console", `tr[data-client]`)
	console.until("three clients", `document.querySelectorAll('tr[data-client]').length === 3`)
	console.shot("console-clients")

	// Ada manages her client's users: invite, resend, cancel, change a
	// role, remove.
	ada.open("/users", `tr[data-email="carol@globex.example"]`)
	ada.fill("#invite-email", "dave@globex.example")
	ada.do("invite dave", chromedp.Click(chromedp.CSS("form[data-invite] button[type=submit]")),
		chromedp.WaitVisible(chromedp.CSS(`tr[data-email="dave@globex.example"]`)))
	ada.do("resend", chromedp.Click(chromedp.CSS(`tr[data-email="dave@globex.example"] .actions button:first-child`)))
	ada.until("resent", `document.getElementById('toast').textContent.startsWith('Invitation sent again')`)
	ada.do("cancel", chromedp.Click(chromedp.CSS(`tr[data-email="dave@globex.example"] .actions button:last-child`)))
	ada.confirm()
	ada.do("cancelled", chromedp.WaitNotPresent(chromedp.CSS(`tr[data-email="dave@globex.example"]`)))
	ada.do("change Bob's role", chromedp.Click(chromedp.CSS(`tr[data-email="bob@globex.example"] button.badge`)))
	ada.confirm()
	ada.do("Bob is an Admin", chromedp.WaitVisible(chromedp.CSS(`tr[data-email="bob@globex.example"][data-role="admin"]`)))
	ada.shot("portal-users")
	ada.do("phone size", chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile))
	ada.open("/users", `tr[data-email="bob@globex.example"]`)
	ada.shot("portal-users-phone")
	ada.do("desktop size", chromedp.EmulateViewport(1280, 860))
	ada.do("remove Bob", chromedp.Click(chromedp.CSS(`tr[data-email="bob@globex.example"] .actions button:last-child`)))
	ada.confirm()
	ada.do("Bob is gone", chromedp.WaitNotPresent(chromedp.CSS(`tr[data-email="bob@globex.example"]`)))

	// Bob's session ended with the removal.
	bob.open("/", "form[data-password-signin]")
	t.Logf("browser test: %s", time.Since(started).Round(100*time.Millisecond))
}
