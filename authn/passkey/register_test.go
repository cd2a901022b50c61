package passkey_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"testing"
	"time"

	"github.com/descope/virtualwebauthn"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/clientele/clientele"
	"github.com/clientele/clientele/authn/passkey"
)

func TestBeginRegistrationOptions(t *testing.T) {
	w := newWebAuthn(t, newClock())
	existing := clientele.Passkey{ID: []byte("existing-credential"), UserID: ada.ID, Transports: []string{"usb"}}

	options, state, err := w.BeginRegistration(context.Background(), acme, ada, []clientele.Passkey{existing})
	require.NoError(t, err)
	assert.NotEmpty(t, state)

	var got struct {
		PublicKey struct {
			RP        struct{ ID, Name string }
			User      struct{ ID, Name, DisplayName string }
			Challenge string
			Timeout   int
			Selection struct {
				ResidentKey        string `json:"residentKey"`
				RequireResidentKey bool   `json:"requireResidentKey"`
				UserVerification   string `json:"userVerification"`
			} `json:"authenticatorSelection"`
			Exclude []struct {
				ID         string
				Transports []string
			} `json:"excludeCredentials"`
		} `json:"publicKey"`
	}
	require.NoError(t, json.Unmarshal(options, &got))
	pk := got.PublicKey
	assert.Equal(t, "portal.acme.com", pk.RP.ID)
	assert.Equal(t, "Acme", pk.RP.Name)
	assert.Equal(t, base64.RawURLEncoding.EncodeToString([]byte("usr_ada")), pk.User.ID)
	assert.Equal(t, "ada@acme.com", pk.User.Name)
	assert.Equal(t, "Ada Lovelace", pk.User.DisplayName)
	assert.NotEmpty(t, pk.Challenge)
	assert.Equal(t, 300000, pk.Timeout)
	assert.Equal(t, "required", pk.Selection.ResidentKey)
	assert.True(t, pk.Selection.RequireResidentKey)
	assert.Equal(t, "required", pk.Selection.UserVerification, "a passkey made for passwordless sign-in")
	require.Len(t, pk.Exclude, 1)
	assert.Equal(t, base64.RawURLEncoding.EncodeToString(existing.ID), pk.Exclude[0].ID)
	assert.Equal(t, []string{"usb"}, pk.Exclude[0].Transports)
}

func TestBeginRegistrationExcludesExistingPasskey(t *testing.T) {
	w := newWebAuthn(t, newClock())
	d := newDevice(acme, ada)
	p := register(t, w, acme, ada, d)

	options, _, err := w.BeginRegistration(context.Background(), acme, ada, []clientele.Passkey{p})
	require.NoError(t, err)
	opts, err := virtualwebauthn.ParseAttestationOptions(string(options))
	require.NoError(t, err)
	assert.True(t, d.cred.IsExcludedForAttestation(*opts), "the authenticator sees its credential excluded")
}

func TestFinishRegistration(t *testing.T) {
	w := newWebAuthn(t, newClock())
	d := newDevice(acme, ada)
	ctx := context.Background()

	options, state, err := w.BeginRegistration(ctx, acme, ada, nil)
	require.NoError(t, err)
	p, err := w.FinishRegistration(ctx, acme, ada, state, d.create(t, options))
	require.NoError(t, err)

	assert.Equal(t, d.cred.ID, p.ID)
	assert.Equal(t, ada.ID, p.UserID)
	assert.NotEmpty(t, p.PublicKey)
	assert.NotEmpty(t, p.AttestationType)
	assert.Equal(t, d.auth.Aaguid[:], p.AAGUID)
	assert.Equal(t, uint32(0), p.SignCount)
	assert.ElementsMatch(t, []string{"internal", "hybrid"}, p.Transports)
	assert.False(t, p.BackupEligible)
	assert.False(t, p.BackupState)
	assert.Empty(t, p.AgencyID, "left for the caller")
	assert.Empty(t, p.Name, "left for the caller")
	assert.True(t, p.CreatedAt.IsZero(), "left for the caller")
}

func TestFinishRegistrationBackupFlags(t *testing.T) {
	w := newWebAuthn(t, newClock())
	d := newDevice(acme, ada)
	d.auth.Options.BackupEligible, d.auth.Options.BackupState = true, true

	p := register(t, w, acme, ada, d)
	assert.True(t, p.BackupEligible)
	assert.True(t, p.BackupState)
}

func TestFinishRegistrationRefuses(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name string
		// browser is the relying party the browser and authenticator act at.
		browser passkey.RelyingParty
		// finishAt and finishFor are where and for whom Finish is called.
		finishAt  passkey.RelyingParty
		finishFor passkey.User
		// mangle changes the response before Finish.
		mangle func([]byte) []byte
		// notVerified makes the authenticator leave the UV flag unset.
		notVerified bool
		// weaken rewrites the state as if its Begin had asked for less.
		weaken bool
	}{
		{name: "wrong origin", browser: passkey.RelyingParty{ID: acme.ID, Name: acme.Name, Origin: "https://evil.example"}, finishAt: acme, finishFor: ada},
		{name: "wrong origin port", browser: passkey.RelyingParty{ID: acme.ID, Name: acme.Name, Origin: "https://portal.acme.com:8443"}, finishAt: acme, finishFor: ada},
		{name: "wrong RP ID", browser: passkey.RelyingParty{ID: "evil.example", Name: acme.Name, Origin: acme.Origin}, finishAt: acme, finishFor: ada},
		{name: "state from another relying party", browser: acme, finishAt: globex, finishFor: ada},
		{name: "state for another user", browser: acme, finishAt: acme, finishFor: bob},
		{name: "malformed response", browser: acme, finishAt: acme, finishFor: ada, mangle: func([]byte) []byte { return []byte(`{"id":`) }},
		{name: "empty response", browser: acme, finishAt: acme, finishFor: ada, mangle: func([]byte) []byte { return nil }},
		{name: "bad signature", browser: acme, finishAt: acme, finishFor: ada, mangle: resign},
		{name: "user not verified", browser: acme, finishAt: acme, finishFor: ada, notVerified: true},
		{name: "user not verified, state asking only for preferred", browser: acme, finishAt: acme, finishFor: ada, notVerified: true, weaken: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := newWebAuthn(t, newClock())
			d := newDevice(tt.browser, ada)
			d.auth.Options.UserNotVerified = tt.notVerified

			options, state, err := w.BeginRegistration(ctx, acme, ada, nil)
			require.NoError(t, err)
			if tt.weaken {
				state = withUserVerification(t, state, "preferred")
			}
			response := d.create(t, options)
			if tt.mangle != nil {
				response = tt.mangle(response)
			}
			_, err = w.FinishRegistration(ctx, tt.finishAt, tt.finishFor, state, response)
			require.ErrorIs(t, err, passkey.ErrVerify)
			if tt.notVerified {
				assert.ErrorContains(t, err, "did not verify the user")
			}
		})
	}
}

// resign changes the signed client data (keeping its type, challenge and
// origin), so the signature over it no longer verifies.
func resign(response []byte) []byte {
	var m map[string]any
	if json.Unmarshal(response, &m) != nil {
		return nil
	}
	inner, _ := m["response"].(map[string]any)
	encoded, _ := inner["clientDataJSON"].(string)
	raw, err := base64.RawURLEncoding.DecodeString(encoded)
	if err != nil {
		return nil
	}
	var clientData map[string]any
	if json.Unmarshal(raw, &clientData) != nil {
		return nil
	}
	clientData["tampered"] = true
	if raw, err = json.Marshal(clientData); err != nil {
		return nil
	}
	inner["clientDataJSON"] = base64.RawURLEncoding.EncodeToString(raw)
	if response, err = json.Marshal(m); err != nil {
		return nil
	}
	return response
}

func TestRegistrationExpires(t *testing.T) {
	ctx := context.Background()
	for _, tt := range []struct {
		name    string
		opts    []passkey.Option
		timeout time.Duration
	}{
		{name: "default timeout", timeout: passkey.DefaultTimeout},
		{name: "WithTimeout", opts: []passkey.Option{passkey.WithTimeout(time.Minute)}, timeout: time.Minute},
	} {
		t.Run(tt.name, func(t *testing.T) {
			clk := newClock()
			w := newWebAuthn(t, clk, tt.opts...)
			d := newDevice(acme, ada)

			options, state, err := w.BeginRegistration(ctx, acme, ada, nil)
			require.NoError(t, err)
			response := d.create(t, options)

			var got struct{ PublicKey struct{ Timeout int64 } }
			require.NoError(t, json.Unmarshal(options, &got))
			assert.Equal(t, tt.timeout.Milliseconds(), got.PublicKey.Timeout, "the browser is told the timeout")

			clk.Advance(tt.timeout)
			_, err = w.FinishRegistration(ctx, acme, ada, state, response)
			require.ErrorIs(t, err, passkey.ErrExpired)

			clk.Advance(-time.Nanosecond)
			_, err = w.FinishRegistration(ctx, acme, ada, state, response)
			require.NoError(t, err, "still valid just before the timeout")
		})
	}
}

func TestBeginRegistrationInvalidArgument(t *testing.T) {
	w := newWebAuthn(t, newClock())
	ctx := context.Background()
	long := clientele.UserID(make([]byte, 65))
	for name, tc := range map[string]struct {
		rp   passkey.RelyingParty
		user passkey.User
	}{
		"empty user id":       {rp: acme, user: passkey.User{Email: "ada@acme.com"}},
		"user id over 64":     {rp: acme, user: passkey.User{ID: long, Email: "ada@acme.com"}},
		"no email":            {rp: acme, user: passkey.User{ID: "usr_ada"}},
		"zero relying party":  {user: ada},
		"rp without name":     {rp: passkey.RelyingParty{ID: acme.ID, Origin: acme.Origin}, user: ada},
		"origin outside ID":   {rp: passkey.RelyingParty{ID: acme.ID, Name: "Acme", Origin: "https://acme.evil"}, user: ada},
		"origin with path":    {rp: passkey.RelyingParty{ID: acme.ID, Name: "Acme", Origin: "https://portal.acme.com/x"}, user: ada},
		"ID is an IP address": {rp: passkey.RelyingParty{ID: "10.0.0.1", Name: "Acme", Origin: "https://10.0.0.1"}, user: ada},
	} {
		t.Run(name, func(t *testing.T) {
			_, _, err := w.BeginRegistration(ctx, tc.rp, tc.user, nil)
			require.ErrorIs(t, err, clientele.ErrInvalidArgument)
		})
	}
}

func TestNewInvalidOptions(t *testing.T) {
	_, err := passkey.New(passkey.WithTimeout(0))
	require.ErrorIs(t, err, clientele.ErrInvalidArgument)
	_, err = passkey.New(passkey.WithClock(nil))
	require.ErrorIs(t, err, clientele.ErrInvalidArgument)
	_, err = passkey.New()
	require.NoError(t, err)
}
