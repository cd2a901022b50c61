package authn_test

import (
	"context"
	"testing"

	"github.com/descope/virtualwebauthn"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/clientele/clientele"
	"github.com/clientele/clientele/authn"
	"github.com/clientele/clientele/clienteletest"
	"github.com/clientele/clientele/invite"
)

// portal is the relying party of clienteletest's agency (no custom domain).
var portal = virtualwebauthn.RelyingParty{ID: "portal.test", Name: "Acme Agency", Origin: clienteletest.BaseURL}

// device is a virtual authenticator with one credential, used through a
// browser at rp.
type device struct {
	rp   virtualwebauthn.RelyingParty
	auth virtualwebauthn.Authenticator
	cred virtualwebauthn.Credential
}

func newDevice() *device {
	return &device{rp: portal, auth: virtualwebauthn.NewAuthenticator(), cred: virtualwebauthn.NewCredential(virtualwebauthn.KeyTypeEC2)}
}

// create answers navigator.credentials.create and keeps the user handle.
func (d *device) create(t *testing.T, c authn.PasskeyCeremony) []byte {
	t.Helper()
	opts, err := virtualwebauthn.ParseAttestationOptions(string(c.Options))
	require.NoError(t, err)
	d.auth.Options.UserHandle = []byte(opts.UserID)
	return []byte(virtualwebauthn.CreateAttestationResponse(d.rp, d.auth, d.cred, *opts))
}

// get answers navigator.credentials.get; tick moves the sign counter.
func (d *device) get(t *testing.T, c authn.PasskeyCeremony, tick bool) []byte {
	t.Helper()
	if tick {
		d.cred.Counter++
	}
	opts, err := virtualwebauthn.ParseAssertionOptions(string(c.Options))
	require.NoError(t, err)
	return []byte(virtualwebauthn.CreateAssertionResponse(d.rp, d.auth, d.cred, *opts))
}

// setUp invites email and sets the account up with a passkey on d.
func setUp(t *testing.T, env *clienteletest.Env, client clientele.ClientID, email string, d *device) (string, authn.Identity) {
	t.Helper()
	ctx := context.Background()
	_, err := env.Invites.Create(ctx, env.AgencyAdmin(), client, email, clientele.RoleMember)
	require.NoError(t, err)
	inv, err := env.Mailer.TokenTo(email)
	require.NoError(t, err)
	c, err := env.Authn.BeginPasskeySetup(ctx, env.Agency.ID, inv, office)
	require.NoError(t, err)
	tok, id, err := env.Authn.FinishPasskeySetup(ctx, authn.PasskeySetupRequest{AgencyID: env.Agency.ID, Invitation: inv, Ceremony: c.Token,
		Response: d.create(t, c), Name: "Ada", PasskeyName: "Laptop", IP: office})
	require.NoError(t, err)
	return tok, id
}

func passkeySignIn(t *testing.T, env *clienteletest.Env, d *device, tick bool) (string, authn.Identity, error) {
	t.Helper()
	ctx := context.Background()
	c, err := env.Authn.BeginPasskeySignIn(ctx, env.Agency.ID, office)
	require.NoError(t, err)
	return env.Authn.FinishPasskeySignIn(ctx, authn.PasskeySignInRequest{AgencyID: env.Agency.ID, Ceremony: c.Token,
		Response: d.get(t, c, tick), IP: office})
}

func TestPasskeyAccountSetupAndSignIn(t *testing.T) {
	ctx := context.Background()
	env := clienteletest.New(t)
	c := env.NewClient(t, "Globex")
	d := newDevice()
	first, id := setUp(t, env, c.ID, "ada@globex.example", d)
	assert.Equal(t, c.ID, id.Principal.ClientID)

	keys, err := env.Authn.Passkeys(ctx, id)
	require.NoError(t, err)
	require.Len(t, keys, 1)
	assert.Equal(t, "Laptop", keys[0].Name)
	assert.Equal(t, id.Principal.UserID, keys[0].UserID)

	_, _, err = signIn(env, "ada@globex.example", "", "")
	require.ErrorIs(t, err, authn.ErrInvalidCredentials, "a passkey-only account has no password")

	require.NoError(t, env.Authn.SignOut(ctx, first))
	second, again, err := passkeySignIn(t, env, d, true)
	require.NoError(t, err)
	assert.NotEqual(t, first, second)
	assert.Equal(t, id.Principal, again.Principal)
	got, err := env.Authn.Resolve(ctx, second)
	require.NoError(t, err)
	assert.Equal(t, id.Principal, got.Principal)
}

func TestPasskeyCeremoniesFailClosed(t *testing.T) {
	ctx := context.Background()
	env := clienteletest.New(t)
	c := env.NewClient(t, "Globex")
	d := newDevice()
	_, id := setUp(t, env, c.ID, "ada@globex.example", d)

	t.Run("reused ceremony", func(t *testing.T) {
		cer, err := env.Authn.BeginPasskeySignIn(ctx, env.Agency.ID, office)
		require.NoError(t, err)
		_, _, err = env.Authn.FinishPasskeySignIn(ctx, authn.PasskeySignInRequest{AgencyID: env.Agency.ID, Ceremony: cer.Token, Response: d.get(t, cer, true)})
		require.NoError(t, err)
		_, _, err = env.Authn.FinishPasskeySignIn(ctx, authn.PasskeySignInRequest{AgencyID: env.Agency.ID, Ceremony: cer.Token, Response: d.get(t, cer, true)})
		require.ErrorIs(t, err, authn.ErrCeremony)
	})
	t.Run("replayed assertion", func(t *testing.T) {
		old, err := env.Authn.BeginPasskeySignIn(ctx, env.Agency.ID, office)
		require.NoError(t, err)
		resp := d.get(t, old, true)
		_, _, err = env.Authn.FinishPasskeySignIn(ctx, authn.PasskeySignInRequest{AgencyID: env.Agency.ID, Ceremony: old.Token, Response: resp})
		require.NoError(t, err)
		fresh, err := env.Authn.BeginPasskeySignIn(ctx, env.Agency.ID, office)
		require.NoError(t, err)
		_, _, err = env.Authn.FinishPasskeySignIn(ctx, authn.PasskeySignInRequest{AgencyID: env.Agency.ID, Ceremony: fresh.Token, Response: resp})
		require.ErrorIs(t, err, authn.ErrCeremony)
	})
	t.Run("expired ceremony", func(t *testing.T) {
		cer, err := env.Authn.BeginPasskeySignIn(ctx, env.Agency.ID, office)
		require.NoError(t, err)
		env.Clock.Advance(authn.CeremonyTimeout)
		_, _, err = env.Authn.FinishPasskeySignIn(ctx, authn.PasskeySignInRequest{AgencyID: env.Agency.ID, Ceremony: cer.Token, Response: d.get(t, cer, true)})
		require.ErrorIs(t, err, authn.ErrCeremony)
	})
	t.Run("wrong origin", func(t *testing.T) {
		evil := *d
		evil.rp = virtualwebauthn.RelyingParty{ID: "portal.test", Name: "Acme Agency", Origin: "https://evil.test"}
		_, _, err := passkeySignIn(t, env, &evil, true)
		require.ErrorIs(t, err, authn.ErrCeremony)
	})
	t.Run("wrong RP ID", func(t *testing.T) {
		evil := *d
		evil.rp = virtualwebauthn.RelyingParty{ID: "evil.test", Name: "Acme Agency", Origin: clienteletest.BaseURL}
		_, _, err := passkeySignIn(t, env, &evil, true)
		require.ErrorIs(t, err, authn.ErrCeremony)
	})
	t.Run("sign counter does not move", func(t *testing.T) {
		_, _, err := passkeySignIn(t, env, d, true) // the store now holds the device's count
		require.NoError(t, err)
		_, _, err = passkeySignIn(t, env, d, false)
		require.ErrorIs(t, err, authn.ErrCeremony)
	})
	t.Run("duplicate credential", func(t *testing.T) {
		cer, err := env.Authn.BeginPasskeyRegistration(ctx, id)
		require.NoError(t, err)
		_, err = env.Authn.FinishPasskeyRegistration(ctx, id, cer.Token, "Again", d.create(t, cer))
		require.ErrorIs(t, err, clientele.ErrDuplicate)
	})
	t.Run("unknown ceremony token", func(t *testing.T) {
		_, _, err := env.Authn.FinishPasskeySignIn(ctx, authn.PasskeySignInRequest{AgencyID: env.Agency.ID, Ceremony: "nope", Response: []byte("{}")})
		require.ErrorIs(t, err, authn.ErrCeremony)
	})
}

func TestPasskeyRegisterLaterListAndRemove(t *testing.T) {
	ctx := context.Background()
	env := clienteletest.New(t)
	c := env.NewClient(t, "Globex")
	env.AddUser(t, c.ID, "ada@globex.example", clientele.RoleAdmin)
	_, id, err := signIn(env, "ada@globex.example", clienteletest.Password, "")
	require.NoError(t, err)

	d := newDevice()
	cer, err := env.Authn.BeginPasskeyRegistration(ctx, id)
	require.NoError(t, err)
	pk, err := env.Authn.FinishPasskeyRegistration(ctx, id, cer.Token, "Phone", d.create(t, cer))
	require.NoError(t, err)
	assert.Equal(t, "Phone", pk.Name)
	_, again, err := passkeySignIn(t, env, d, true)
	require.NoError(t, err)
	assert.Equal(t, id.Principal, again.Principal)

	other := env.NewClient(t, "Initech")
	m, _ := env.AddUser(t, other.ID, "eve@initech.example", clientele.RoleAdmin)
	_, eve, err := signIn(env, m.Email.String(), clienteletest.Password, "")
	require.NoError(t, err)
	require.ErrorIs(t, env.Authn.RemovePasskey(ctx, eve, pk.ID), clientele.ErrNotFound, "another user's passkey")

	require.NoError(t, env.Authn.RemovePasskey(ctx, id, pk.ID))
	keys, err := env.Authn.Passkeys(ctx, id)
	require.NoError(t, err)
	assert.Empty(t, keys)
	_, _, err = passkeySignIn(t, env, d, true)
	require.ErrorIs(t, err, authn.ErrCeremony, "a removed passkey signs nobody in")
}

func TestPasskeySetupForAnExistingAccount(t *testing.T) {
	ctx := context.Background()
	env := clienteletest.New(t)
	a, b := env.NewClient(t, "Globex"), env.NewClient(t, "Initech")
	env.AddUser(t, a.ID, "ada@example.com", clientele.RoleAdmin)
	_, err := env.Invites.Create(ctx, env.AgencyAdmin(), b.ID, "ada@example.com", clientele.RoleMember)
	require.NoError(t, err)
	inv, err := env.Mailer.TokenTo("ada@example.com")
	require.NoError(t, err)
	_, err = env.Authn.BeginPasskeySetup(ctx, env.Agency.ID, inv, office)
	require.ErrorIs(t, err, invite.ErrHasAccount)
}
