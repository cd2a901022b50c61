package tenancyhttp_test

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/descope/virtualwebauthn"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/clientele/clientele/clienteletest"
)

// device is a browser with a virtual authenticator at the portal.
type device struct {
	rp   virtualwebauthn.RelyingParty
	auth virtualwebauthn.Authenticator
	cred virtualwebauthn.Credential
}

func newDevice() *device {
	return &device{rp: virtualwebauthn.RelyingParty{ID: portalHost, Name: "Acme Agency", Origin: clienteletest.BaseURL},
		auth: virtualwebauthn.NewAuthenticator(), cred: virtualwebauthn.NewCredential(virtualwebauthn.KeyTypeEC2)}
}

type ceremony struct {
	Ceremony string          `json:"ceremony"`
	Options  json.RawMessage `json:"options"`
}

func (d *device) create(t *testing.T, c ceremony) json.RawMessage {
	t.Helper()
	opts, err := virtualwebauthn.ParseAttestationOptions(string(c.Options))
	require.NoError(t, err)
	d.auth.Options.UserHandle = []byte(opts.UserID)
	return json.RawMessage(virtualwebauthn.CreateAttestationResponse(d.rp, d.auth, d.cred, *opts))
}

func (d *device) get(t *testing.T, c ceremony) json.RawMessage {
	t.Helper()
	d.cred.Counter++
	opts, err := virtualwebauthn.ParseAssertionOptions(string(c.Options))
	require.NoError(t, err)
	return json.RawMessage(virtualwebauthn.CreateAssertionResponse(d.rp, d.auth, d.cred, *opts))
}

// begin runs a ceremony's first request.
func (f *fixture) begin(path, body string, opts ...opt) ceremony {
	f.t.Helper()
	w := f.do("POST", path, body, opts...)
	require.Equal(f.t, http.StatusOK, w.Code, w.Body.String())
	c := decode[ceremony](f.t, w)
	require.NotEmpty(f.t, c.Ceremony)
	return c
}

func TestPasskeyEndpoints(t *testing.T) {
	f := newFixture(t)
	phone := newDevice()

	// Set up the invited account with a passkey only.
	c := f.begin("/api/v1/passkeys/setup/begin", jsonString(map[string]string{"token": f.invTok}))
	w := f.do("POST", "/api/v1/passkeys/setup/finish", jsonString(map[string]any{"token": f.invTok, "ceremony": c.Ceremony,
		"response": phone.create(t, c), "name": "Pat", "passkey_name": "Phone"}))
	require.Equal(t, http.StatusCreated, w.Code, w.Body.String())
	setUp := decode[struct {
		User         map[string]any `json:"user"`
		SessionToken string         `json:"session_token"`
	}](t, w)
	assert.Equal(t, "pending@example.com", setUp.User["email"])
	assert.Equal(t, setUp.SessionToken, cookieNamed(t, w, "__Host-session").Value)
	assert.Equal(t, "used", errorCode(t, f.do("GET", "/api/v1/invitations/"+f.invTok, ""), 410))

	w = f.do("GET", "/api/v1/passkeys", "", bearer(setUp.SessionToken))
	require.Equal(t, http.StatusOK, w.Code)
	type list struct {
		Passkeys []map[string]any `json:"passkeys"`
	}
	keys := decode[list](t, w).Passkeys
	require.Len(t, keys, 1)
	assert.Equal(t, "Phone", keys[0]["name"])
	assert.Nil(t, keys[0]["last_used_at"])

	// Sign in with it; a replayed ceremony fails.
	c = f.begin("/api/v1/passkeys/signin/begin", "")
	body := jsonString(map[string]any{"ceremony": c.Ceremony, "response": phone.get(t, c)})
	w = f.do("POST", "/api/v1/passkeys/signin/finish", body)
	require.Equal(t, http.StatusCreated, w.Code, w.Body.String())
	tok := decode[map[string]string](t, w)["session_token"]
	require.Equal(t, http.StatusOK, f.do("GET", "/api/v1/me", "", bearer(tok)).Code)
	assert.Equal(t, "passkey_failed", errorCode(t, f.do("POST", "/api/v1/passkeys/signin/finish", body), 400))

	// A signed-in user adds a second passkey, then removes the first.
	laptop := newDevice()
	c = f.begin("/api/v1/passkeys/register/begin", "", bearer(tok))
	w = f.do("POST", "/api/v1/passkeys/register/finish", jsonString(map[string]any{"ceremony": c.Ceremony,
		"response": laptop.create(t, c), "name": "Laptop"}), bearer(tok))
	require.Equal(t, http.StatusCreated, w.Code, w.Body.String())
	assert.Equal(t, "Laptop", decode[map[string]any](t, w)["name"])

	keys = decode[list](t, f.do("GET", "/api/v1/passkeys", "", bearer(tok))).Passkeys
	require.Len(t, keys, 2)
	byName := map[string]map[string]any{keys[0]["name"].(string): keys[0], keys[1]["name"].(string): keys[1]}
	assert.NotNil(t, byName["Phone"]["last_used_at"], "signed in with it")
	assert.Nil(t, byName["Laptop"]["last_used_at"])
	first := byName["Phone"]["id"].(string)
	other := f.signIn("admin-a@example.com", "")
	assert.Equal(t, "not_found", errorCode(t, f.do("DELETE", "/api/v1/passkeys/"+first, "", bearer(other)), 404),
		"another user's passkey")
	require.Equal(t, http.StatusNoContent, f.do("DELETE", "/api/v1/passkeys/"+first, "", bearer(tok)).Code)
	assert.Len(t, decode[list](t, f.do("GET", "/api/v1/passkeys", "", bearer(tok))).Passkeys, 1)
	assert.Equal(t, "not_found", errorCode(t, f.do("DELETE", "/api/v1/passkeys/not+base64", "", bearer(tok)), 404))
}

func TestPasskeyCeremonyErrors(t *testing.T) {
	f := newFixture(t)
	tok := f.signIn("admin-a@example.com", "")
	bogus := jsonString(map[string]any{"ceremony": "nope", "response": map[string]string{}})
	assert.Equal(t, "passkey_failed", errorCode(t, f.do("POST", "/api/v1/passkeys/signin/finish", bogus), 400))
	assert.Equal(t, "passkey_failed", errorCode(t, f.do("POST", "/api/v1/passkeys/register/finish", bogus, bearer(tok)), 400))
	w := f.do("POST", "/api/v1/passkeys/setup/finish", jsonString(map[string]any{"token": f.invTok, "ceremony": "nope", "response": map[string]string{}, "name": "Pat"}))
	assert.Equal(t, "passkey_failed", errorCode(t, w, 400))

	// An email that already has an account signs in instead.
	link := f.newInvitation("admin-b@example.com")
	w = f.do("POST", "/api/v1/passkeys/setup/begin", jsonString(map[string]string{"token": link}))
	assert.Equal(t, "has_account", errorCode(t, w, 409))
}
