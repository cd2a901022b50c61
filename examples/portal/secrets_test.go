package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/descope/virtualwebauthn"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/clientele/clientele/internal/dbtest"
)

// TestNoSecretInTablesOrLogs walks the acceptance flow on the reference
// server (invitation, preview, acceptance with a password, sign-out, a
// wrong and a right password, a passkey added and used, an account set up
// with a passkey only, a resent link, used and replaced links, the
// console's sign-in, the pages), with the server's structured logs and
// output captured, then stops it and dumps every row of every table. No
// invitation token, session token, password, agency token or console
// cookie may be in the dump or in the logs, in any encoding a store or a
// logger would use (the text, its raw bytes, hex, standard base64). It
// runs on SQLite and on every SQL database configured (internal/dbtest).
func TestNoSecretInTablesOrLogs(t *testing.T) {
	for _, kind := range dbtest.Kinds() {
		t.Run(string(kind), func(t *testing.T) {
			dsn := dbtest.DSN(t, kind)
			p, stop, logs := startCapturedPortal(t, dsn)
			secrets := walkFlow(t, p)
			stop()

			dump := dbtest.Dump(t, dbtest.Open(t, dsn))
			for _, want := range []string{"clientele_sessions", "clientele_invitations", "clientele_passkeys", "ada@example.com", "bob@example.com"} {
				require.Contains(t, dump, want, "the dump holds the tables and their rows")
			}
			for _, want := range []string{"portal started", "session started", "portal stopping"} {
				require.Contains(t, logs.String(), want, "the logs are captured")
			}
			t.Logf("%s: %d secrets looked for in a dump of %d bytes and %d bytes of logs", kind, len(secrets), len(dump), len(logs.String()))
			for name, secret := range secrets {
				for form, v := range encodings(secret) {
					assert.NotContains(t, dump, v, "the %s (%s) is in a table", name, form)
					assert.NotContains(t, logs.String(), v, "the %s (%s) is in the logs", name, form)
				}
			}
		})
	}
}

// startCapturedPortal runs the server on dsn with the base URL
// http://localhost:PORT (passkeys need a host name) and returns it, a
// stop function that waits for it to end, and everything it wrote to
// stdout and stderr (its slog output).
func startCapturedPortal(t *testing.T, dsn string) (*portal, func(), *syncBuffer) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	require.NoError(t, ln.Close())
	_, port, err := net.SplitHostPort(addr)
	require.NoError(t, err)
	p := &portal{base: "http://localhost:" + port, token: "agency-token-secret-for-the-secrets-test", mailDir: t.TempDir(),
		client: &http.Client{Timeout: 10 * time.Second}}
	env := map[string]string{"PORTAL_AGENCY_TOKEN": p.token}
	ctx, cancel := context.WithCancel(context.Background())
	var logs syncBuffer
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"-addr", addr, "-base-url", p.base, "-db", dsn, "-mail-dir", p.mailDir},
			func(k string) string { return env[k] }, &logs, &logs)
	}()
	stopped := false
	stop := func() {
		if !stopped {
			stopped = true
			cancel()
			require.NoError(t, <-done)
		}
	}
	t.Cleanup(stop)
	require.Eventually(t, func() bool { return strings.Contains(logs.String(), "portal: ") }, 20*time.Second, 10*time.Millisecond)
	return p, stop, &logs
}

// walkFlow runs the acceptance flow and returns every secret it saw, by
// name.
func walkFlow(t *testing.T, p *portal) map[string]string {
	t.Helper()
	secrets := map[string]string{"agency token": p.token}
	agency := p.token
	var client struct {
		ID string `json:"id"`
	}
	require.Equal(t, 201, p.call(t, "POST", "/api/v1/clients", agency, map[string]any{"name": "Globex"}, &client))
	require.Equal(t, 200, p.call(t, "PUT", "/api/v1/clients/"+client.ID+"/permissions", agency,
		map[string]any{"permissions": []string{"manage_billing", "view_reports"}}, nil))
	invitations := "/api/v1/clients/" + client.ID + "/invitations"

	// Ada: invited, previews her link, accepts with a password.
	require.Equal(t, 201, p.call(t, "POST", invitations, agency, map[string]any{"email": "ada@example.com", "role": "admin"}, nil))
	adaLink := p.inviteToken(t, "ada@example.com")
	secrets["invitation token of ada"] = adaLink
	require.Equal(t, 200, p.call(t, "GET", "/api/v1/invitations/"+adaLink, "", nil, nil))
	const password, wrong = "analytical engine 1843", "difference engine 1822"
	secrets["password"], secrets["wrong password"] = password, wrong
	var accepted struct {
		SessionToken string `json:"session_token"`
	}
	require.Equal(t, 201, p.call(t, "POST", "/api/v1/invitations/accept", "",
		map[string]any{"token": adaLink, "name": "Ada", "password": password}, &accepted))
	secrets["session token from accepting"] = accepted.SessionToken
	require.Equal(t, 200, p.call(t, "GET", "/api/v1/me", accepted.SessionToken, nil, nil))
	require.Equal(t, 410, p.call(t, "POST", "/api/v1/invitations/accept", "",
		map[string]any{"token": adaLink, "name": "Ada", "password": password}, nil), "a used link")

	// Carol's link is resent: the first one is replaced.
	var carol struct {
		ID string `json:"id"`
	}
	require.Equal(t, 201, p.call(t, "POST", invitations, accepted.SessionToken, map[string]any{"email": "carol@example.com", "role": "member"}, &carol))
	first := p.inviteToken(t, "carol@example.com")
	require.Equal(t, 200, p.call(t, "POST", invitations+"/"+carol.ID+"/resend", accepted.SessionToken, nil, nil))
	second := waitNewToken(t, p, "carol@example.com", first)
	secrets["invitation token of carol"], secrets["resent invitation token of carol"] = first, second
	require.Equal(t, 410, p.call(t, "GET", "/api/v1/invitations/"+first, "", nil, nil), "a replaced link")
	page := p.get(t, "/invite/"+second, "")
	require.Equal(t, 200, page)

	// Sign-out; the ended session; a wrong password, then the right one.
	require.Equal(t, 204, p.call(t, "DELETE", "/api/v1/session", accepted.SessionToken, nil, nil))
	require.Equal(t, 401, p.call(t, "GET", "/api/v1/me", accepted.SessionToken, nil, nil))
	require.Equal(t, 401, p.call(t, "POST", "/api/v1/session", "", map[string]any{"email": "ada@example.com", "password": wrong}, nil))
	var signedIn struct {
		SessionToken string `json:"session_token"`
	}
	require.Equal(t, 201, p.call(t, "POST", "/api/v1/session", "", map[string]any{"email": "ada@example.com", "password": password}, &signedIn))
	secrets["session token from a password sign-in"] = signedIn.SessionToken
	require.Equal(t, 200, p.get(t, "/", signedIn.SessionToken))

	// The browser's device cookie, set by a sign-in, is a secret too.
	req, err := http.NewRequest("POST", p.base+"/api/v1/session",
		strings.NewReader(`{"email":"ada@example.com","password":"`+password+`"}`))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	res, err := p.client.Do(req)
	require.NoError(t, err)
	require.NoError(t, res.Body.Close())
	require.Equal(t, 201, res.StatusCode)
	for _, ck := range res.Cookies() {
		if ck.Name == "clientele-device" {
			secrets["device token"] = ck.Value
		}
	}
	require.Contains(t, secrets, "device token")

	// Re-authenticating and changing the password.
	var renewed struct {
		SessionToken string `json:"session_token"`
	}
	require.Equal(t, 201, p.call(t, "POST", "/api/v1/session/reauth", signedIn.SessionToken,
		map[string]any{"password": password}, &renewed))
	secrets["session token from re-authenticating"] = renewed.SessionToken
	const newPassword = "babbage lovelace 1837"
	secrets["new password"] = newPassword
	require.Equal(t, 201, p.call(t, "POST", "/api/v1/password", renewed.SessionToken,
		map[string]any{"password": newPassword}, &signedIn))
	secrets["session token from a password change"] = signedIn.SessionToken

	// Ada adds a passkey and signs in with it.
	phone := newLocalDevice(p.base)
	c := p.begin(t, "/api/v1/passkeys/register/begin", signedIn.SessionToken, nil)
	require.Equal(t, 201, p.call(t, "POST", "/api/v1/passkeys/register/finish", signedIn.SessionToken,
		map[string]any{"ceremony": c.Ceremony, "response": phone.create(t, c), "name": "Phone"}, nil))
	c = p.begin(t, "/api/v1/passkeys/signin/begin", "", nil)
	var byPasskey struct {
		SessionToken string `json:"session_token"`
	}
	require.Equal(t, 201, p.call(t, "POST", "/api/v1/passkeys/signin/finish", "",
		map[string]any{"ceremony": c.Ceremony, "response": phone.get(t, c)}, &byPasskey))
	secrets["session token from a passkey sign-in"] = byPasskey.SessionToken
	require.Equal(t, 200, p.call(t, "GET", "/api/v1/clients/"+client.ID+"/billing", byPasskey.SessionToken, nil, nil))

	// Bob sets his account up with a passkey only.
	require.Equal(t, 201, p.call(t, "POST", invitations, agency, map[string]any{"email": "bob@example.com", "role": "member"}, nil))
	bobLink := p.inviteToken(t, "bob@example.com")
	secrets["invitation token of bob"] = bobLink
	laptop := newLocalDevice(p.base)
	c = p.begin(t, "/api/v1/passkeys/setup/begin", "", map[string]any{"token": bobLink})
	var setUp struct {
		SessionToken string `json:"session_token"`
	}
	require.Equal(t, 201, p.call(t, "POST", "/api/v1/passkeys/setup/finish", "",
		map[string]any{"token": bobLink, "ceremony": c.Ceremony, "response": laptop.create(t, c), "name": "Bob", "passkey_name": "Laptop"}, &setUp))
	secrets["session token from a passkey set-up"] = setUp.SessionToken
	require.Equal(t, 200, p.call(t, "GET", "/api/v1/clients/"+client.ID+"/reports", setUp.SessionToken, nil, nil))

	// The console signs in with the agency token.
	req, err = http.NewRequest("POST", p.base+"/api/v1/agency/session", strings.NewReader(`{"token":"`+p.token+`"}`))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	res, err = p.client.Do(req)
	require.NoError(t, err)
	require.NoError(t, res.Body.Close())
	require.Equal(t, 204, res.StatusCode)
	for _, ck := range res.Cookies() {
		if ck.Value != "" {
			secrets["console cookie"] = ck.Value
		}
	}
	require.Contains(t, secrets, "console cookie")
	return secrets
}

// encodings are the forms a secret could take in a table or a log: the
// text and, for a base64url token, its raw bytes, hex and standard base64.
func encodings(secret string) map[string]string {
	out := map[string]string{"text": secret}
	if raw, err := base64.RawURLEncoding.DecodeString(secret); err == nil && len(raw) >= 16 {
		out["raw bytes"] = string(raw)
		out["hex"] = hex.EncodeToString(raw)
		out["HEX"] = strings.ToUpper(hex.EncodeToString(raw))
		out["base64"] = base64.StdEncoding.EncodeToString(raw)
		out["unpadded base64"] = base64.RawStdEncoding.EncodeToString(raw)
	}
	return out
}

// waitNewToken waits for an email to `to` whose link is not old's.
func waitNewToken(t *testing.T, p *portal, to, old string) string {
	t.Helper()
	var tok string
	require.Eventually(t, func() bool {
		files, _ := filepath.Glob(filepath.Join(p.mailDir, "*.eml"))
		for _, f := range files {
			raw, err := os.ReadFile(f)
			if err != nil || !bytes.Contains(raw, []byte(to)) {
				continue
			}
			for _, m := range linkRE.FindAllSubmatch(raw, -1) {
				if string(m[1]) != old {
					tok = string(m[1])
				}
			}
		}
		return tok != ""
	}, 20*time.Second, 20*time.Millisecond)
	return tok
}

// get fetches a page with the session cookie (if any) and returns the
// status.
func (p *portal) get(t *testing.T, path, session string) int {
	t.Helper()
	req, err := http.NewRequest("GET", p.base+path, nil)
	require.NoError(t, err)
	if session != "" {
		req.AddCookie(&http.Cookie{Name: "session", Value: session})
	}
	res, err := p.client.Do(req)
	require.NoError(t, err)
	_, err = io.Copy(io.Discard, res.Body)
	require.NoError(t, err)
	require.NoError(t, res.Body.Close())
	return res.StatusCode
}

// localCeremony is a passkey ceremony's first answer.
type localCeremony struct {
	Ceremony string          `json:"ceremony"`
	Options  json.RawMessage `json:"options"`
}

// begin starts a passkey ceremony.
func (p *portal) begin(t *testing.T, path, bearer string, body any) localCeremony {
	t.Helper()
	var c localCeremony
	require.Equal(t, 200, p.call(t, "POST", path, bearer, body, &c))
	require.NotEmpty(t, c.Ceremony)
	return c
}

// localDevice is an authenticator at the portal's origin.
type localDevice struct {
	rp   virtualwebauthn.RelyingParty
	auth virtualwebauthn.Authenticator
	cred virtualwebauthn.Credential
}

func newLocalDevice(origin string) *localDevice {
	return &localDevice{rp: virtualwebauthn.RelyingParty{ID: "localhost", Name: "Client Portal", Origin: origin},
		auth: virtualwebauthn.NewAuthenticator(), cred: virtualwebauthn.NewCredential(virtualwebauthn.KeyTypeEC2)}
}

func (d *localDevice) create(t *testing.T, c localCeremony) json.RawMessage {
	t.Helper()
	opts, err := virtualwebauthn.ParseAttestationOptions(string(c.Options))
	require.NoError(t, err)
	d.auth.Options.UserHandle = []byte(opts.UserID)
	return json.RawMessage(virtualwebauthn.CreateAttestationResponse(d.rp, d.auth, d.cred, *opts))
}

func (d *localDevice) get(t *testing.T, c localCeremony) json.RawMessage {
	t.Helper()
	d.cred.Counter++
	opts, err := virtualwebauthn.ParseAssertionOptions(string(c.Options))
	require.NoError(t, err)
	return json.RawMessage(virtualwebauthn.CreateAssertionResponse(d.rp, d.auth, d.cred, *opts))
}
