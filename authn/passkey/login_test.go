package passkey_test

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/clientele/clientele"
	"github.com/clientele/clientele/authn/passkey"
)

func TestBeginLoginOptions(t *testing.T) {
	w := newWebAuthn(t, newClock())
	options, state, err := w.BeginLogin(context.Background(), acme)
	require.NoError(t, err)
	assert.NotEmpty(t, state)

	var got struct {
		PublicKey map[string]any `json:"publicKey"`
	}
	require.NoError(t, json.Unmarshal(options, &got))
	assert.Equal(t, "portal.acme.com", got.PublicKey["rpId"])
	assert.Equal(t, "required", got.PublicKey["userVerification"], "passwordless: the passkey is the only factor")
	assert.EqualValues(t, 300000, got.PublicKey["timeout"])
	assert.NotEmpty(t, got.PublicKey["challenge"])
	assert.NotContains(t, got.PublicKey, "allowCredentials", "discoverable: no user is named")
}

func TestRegisterThenSignIn(t *testing.T) {
	ctx := context.Background()
	w := newWebAuthn(t, newClock())
	d := newDevice(acme, ada)
	store := &lookupOf{stored: []clientele.Passkey{register(t, w, acme, ada, d)}}

	for want := uint32(1); want <= 3; want++ {
		options, state, err := w.BeginLogin(ctx, acme)
		require.NoError(t, err)
		p, err := w.FinishLogin(ctx, acme, state, d.get(t, options), store.lookup)
		require.NoError(t, err)

		assert.Equal(t, want, p.SignCount, "the sign count increases")
		assert.Equal(t, ada.ID, p.UserID)
		assert.Equal(t, d.cred.ID, p.ID)
		assert.Equal(t, clientele.AgencyID("agc_acme"), p.AgencyID, "the stored passkey comes back")
		assert.Equal(t, []byte(ada.ID), store.handles[len(store.handles)-1], "the assertion carries the user handle")
		store.stored[0] = p // the caller records the new count
	}
}

func TestSignInWithoutCounter(t *testing.T) {
	// Authenticators that keep no counter always send 0: not a clone.
	ctx := context.Background()
	w := newWebAuthn(t, newClock())
	d := newDevice(acme, ada)
	store := &lookupOf{stored: []clientele.Passkey{register(t, w, acme, ada, d)}}

	for range 2 {
		options, state, err := w.BeginLogin(ctx, acme)
		require.NoError(t, err)
		p, err := w.FinishLogin(ctx, acme, state, d.getSameCount(t, options), store.lookup)
		require.NoError(t, err)
		assert.Zero(t, p.SignCount)
	}
}

func TestSignInCounterRegression(t *testing.T) {
	ctx := context.Background()
	w := newWebAuthn(t, newClock())
	d := newDevice(acme, ada)
	p := register(t, w, acme, ada, d)
	p.SignCount = 10 // another copy of the key has signed ten times
	store := &lookupOf{stored: []clientele.Passkey{p}}

	options, state, err := w.BeginLogin(ctx, acme)
	require.NoError(t, err)
	_, err = w.FinishLogin(ctx, acme, state, d.get(t, options), store.lookup)
	require.ErrorIs(t, err, passkey.ErrCounter)
	assert.NotErrorIs(t, err, passkey.ErrVerify)
}

func TestSignInReplay(t *testing.T) {
	ctx := context.Background()
	w := newWebAuthn(t, newClock())
	d := newDevice(acme, ada)
	store := &lookupOf{stored: []clientele.Passkey{register(t, w, acme, ada, d)}}

	options, state, err := w.BeginLogin(ctx, acme)
	require.NoError(t, err)
	response := d.get(t, options)
	p, err := w.FinishLogin(ctx, acme, state, response, store.lookup)
	require.NoError(t, err)
	store.stored[0] = p

	t.Run("same response against a fresh state", func(t *testing.T) {
		_, fresh, err := w.BeginLogin(ctx, acme)
		require.NoError(t, err)
		_, err = w.FinishLogin(ctx, acme, fresh, response, store.lookup)
		require.ErrorIs(t, err, passkey.ErrVerify, "the challenge is stale")
	})

	t.Run("same state and response again", func(t *testing.T) {
		// Taking the state once is the caller's store's job; if it fails
		// to, the unchanged sign count still exposes the replay.
		_, err := w.FinishLogin(ctx, acme, state, response, store.lookup)
		require.ErrorIs(t, err, passkey.ErrCounter)
	})
}

func TestFinishLoginRefuses(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name     string
		browser  passkey.RelyingParty
		finishAt passkey.RelyingParty
		mangle   func([]byte) []byte
	}{
		{name: "wrong origin", browser: passkey.RelyingParty{ID: acme.ID, Name: acme.Name, Origin: "https://evil.example"}, finishAt: acme},
		{name: "wrong origin scheme", browser: passkey.RelyingParty{ID: acme.ID, Name: acme.Name, Origin: "http://portal.acme.com"}, finishAt: acme},
		{name: "wrong RP ID", browser: passkey.RelyingParty{ID: "acme.com", Name: acme.Name, Origin: acme.Origin}, finishAt: acme},
		{name: "state from another relying party", browser: acme, finishAt: globex},
		{name: "malformed response", browser: acme, finishAt: acme, mangle: func([]byte) []byte { return []byte(`[]`) }},
		{name: "bad signature", browser: acme, finishAt: acme, mangle: resign},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := newWebAuthn(t, newClock())
			d := newDevice(acme, ada)
			store := &lookupOf{stored: []clientele.Passkey{register(t, w, acme, ada, d)}}
			d.rp.ID, d.rp.Origin = tt.browser.ID, tt.browser.Origin

			options, state, err := w.BeginLogin(ctx, acme)
			require.NoError(t, err)
			response := d.get(t, options)
			if tt.mangle != nil {
				response = tt.mangle(response)
			}
			_, err = w.FinishLogin(ctx, tt.finishAt, state, response, store.lookup)
			require.ErrorIs(t, err, passkey.ErrVerify)
		})
	}
}

func TestFinishLoginUserVerification(t *testing.T) {
	// A discoverable sign-in is the whole authentication: the authenticator
	// must have verified the user (PIN, biometrics), not only seen a touch.
	ctx := context.Background()
	tests := []struct {
		name        string
		notVerified bool
		// weaken rewrites the state as if its Begin had asked for less.
		weaken bool
		ok     bool
	}{
		{name: "user verified", ok: true},
		{name: "user present but not verified", notVerified: true},
		{name: "not verified, state asking only for preferred", notVerified: true, weaken: true},
		{name: "verified, state asking only for preferred", weaken: true, ok: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := newWebAuthn(t, newClock())
			d := newDevice(acme, ada)
			store := &lookupOf{stored: []clientele.Passkey{register(t, w, acme, ada, d)}}
			d.auth.Options.UserNotVerified = tt.notVerified

			options, state, err := w.BeginLogin(ctx, acme)
			require.NoError(t, err)
			if tt.weaken {
				state = withUserVerification(t, state, "preferred")
			}
			p, err := w.FinishLogin(ctx, acme, state, d.get(t, options), store.lookup)
			if tt.ok {
				require.NoError(t, err)
				assert.Equal(t, ada.ID, p.UserID)
				return
			}
			require.ErrorIs(t, err, passkey.ErrVerify)
			assert.ErrorContains(t, err, "did not verify the user")
		})
	}
}

func TestFinishLoginUserHandleMismatch(t *testing.T) {
	// The lookup returns a passkey of another user than the handle names:
	// refused even if the caller forgot to compare them.
	ctx := context.Background()
	w := newWebAuthn(t, newClock())
	d := newDevice(acme, ada)
	p := register(t, w, acme, ada, d)
	p.UserID = bob.ID
	store := &lookupOf{stored: []clientele.Passkey{p}}

	options, state, err := w.BeginLogin(ctx, acme)
	require.NoError(t, err)
	_, err = w.FinishLogin(ctx, acme, state, d.get(t, options), store.lookup)
	require.ErrorIs(t, err, passkey.ErrVerify)
}

func TestFinishLoginLookupError(t *testing.T) {
	ctx := context.Background()
	w := newWebAuthn(t, newClock())
	d := newDevice(acme, ada)
	register(t, w, acme, ada, d)
	store := &lookupOf{} // the credential is not in the store

	options, state, err := w.BeginLogin(ctx, acme)
	require.NoError(t, err)
	_, err = w.FinishLogin(ctx, acme, state, d.get(t, options), store.lookup)
	require.ErrorIs(t, err, clientele.ErrNotFound)
	assert.NotErrorIs(t, err, passkey.ErrVerify)
	require.Len(t, store.handles, 1)
	assert.Equal(t, []byte(ada.ID), store.handles[0])
}

func TestStateOfOtherCeremonyRefused(t *testing.T) {
	ctx := context.Background()
	w := newWebAuthn(t, newClock())
	d := newDevice(acme, ada)
	store := &lookupOf{stored: []clientele.Passkey{register(t, w, acme, ada, d)}}

	loginOptions, loginState, err := w.BeginLogin(ctx, acme)
	require.NoError(t, err)
	_, err = w.FinishRegistration(ctx, acme, ada, loginState, d.get(t, loginOptions))
	require.ErrorIs(t, err, passkey.ErrVerify)

	regOptions, regState, err := w.BeginRegistration(ctx, acme, ada, nil)
	require.NoError(t, err)
	_, err = w.FinishLogin(ctx, acme, regState, d.create(t, regOptions), store.lookup)
	require.ErrorIs(t, err, passkey.ErrVerify)

	for _, bad := range [][]byte{nil, []byte("{}"), []byte("not json"), []byte(`{"kind":"login","rp_id":"portal.acme.com","origin":"https://portal.acme.com"}`)} {
		_, err = w.FinishLogin(ctx, acme, bad, d.get(t, loginOptions), store.lookup)
		require.ErrorIs(t, err, passkey.ErrVerify, "state %q", bad)
	}
}

func TestLoginExpires(t *testing.T) {
	ctx := context.Background()
	clk := newClock()
	w := newWebAuthn(t, clk)
	d := newDevice(acme, ada)
	store := &lookupOf{stored: []clientele.Passkey{register(t, w, acme, ada, d)}}

	options, state, err := w.BeginLogin(ctx, acme)
	require.NoError(t, err)
	clk.Advance(passkey.DefaultTimeout)
	_, err = w.FinishLogin(ctx, acme, state, d.get(t, options), store.lookup)
	require.ErrorIs(t, err, passkey.ErrExpired)
	assert.Empty(t, store.handles, "an expired ceremony looks nothing up")
}

func TestConcurrentCeremonies(t *testing.T) {
	// One WebAuthn serves ceremonies at several relying parties at once.
	w := newWebAuthn(t, newClock())
	t.Run("group", func(t *testing.T) {
		for i := range 8 {
			rp := []passkey.RelyingParty{acme, globex}[i%2]
			t.Run(rp.ID, func(t *testing.T) {
				t.Parallel()
				ctx := context.Background()
				d := newDevice(rp, ada)
				store := &lookupOf{stored: []clientele.Passkey{register(t, w, rp, ada, d)}}
				options, state, err := w.BeginLogin(ctx, rp)
				require.NoError(t, err)
				p, err := w.FinishLogin(ctx, rp, state, d.get(t, options), store.lookup)
				require.NoError(t, err)
				assert.Equal(t, uint32(1), p.SignCount)
			})
		}
	})
}
