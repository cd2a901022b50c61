package passkey_test

import (
	"bytes"
	"context"
	"encoding/json"
	"sync"
	"testing"
	"time"

	"github.com/descope/virtualwebauthn"
	"github.com/stretchr/testify/require"

	"github.com/clientele/clientele"
	"github.com/clientele/clientele/authn/passkey"
)

var (
	t0     = time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
	acme   = passkey.RelyingParty{ID: "portal.acme.com", Name: "Acme", Origin: "https://portal.acme.com"}
	globex = passkey.RelyingParty{ID: "portal.globex.com", Name: "Globex", Origin: "https://portal.globex.com"}
	ada    = passkey.User{ID: "usr_ada", Email: "ada@acme.com", Name: "Ada Lovelace"}
	bob    = passkey.User{ID: "usr_bob", Email: "bob@acme.com"}
)

// clock is a settable clock for WithClock.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func newClock() *clock { return &clock{now: t0} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

func newWebAuthn(t testing.TB, clk *clock, opts ...passkey.Option) *passkey.WebAuthn {
	t.Helper()
	w, err := passkey.New(append([]passkey.Option{passkey.WithClock(clk.Now)}, opts...)...)
	require.NoError(t, err)
	return w
}

// device is a virtual authenticator holding one credential for one user,
// acting through a browser at rp (which a test may point elsewhere).
type device struct {
	rp   virtualwebauthn.RelyingParty
	auth virtualwebauthn.Authenticator
	cred virtualwebauthn.Credential
}

func newDevice(rp passkey.RelyingParty, user passkey.User) *device {
	return &device{
		rp: virtualwebauthn.RelyingParty{ID: rp.ID, Name: rp.Name, Origin: rp.Origin},
		auth: virtualwebauthn.NewAuthenticatorWithOptions(virtualwebauthn.AuthenticatorOptions{
			UserHandle: []byte(user.ID),
			Transports: []virtualwebauthn.Transport{virtualwebauthn.TransportInternal, virtualwebauthn.TransportHybrid},
		}),
		cred: virtualwebauthn.NewCredential(virtualwebauthn.KeyTypeEC2),
	}
}

// create answers navigator.credentials.create(options).
func (d *device) create(t testing.TB, options []byte) []byte {
	t.Helper()
	opts, err := virtualwebauthn.ParseAttestationOptions(string(options))
	require.NoError(t, err)
	return []byte(virtualwebauthn.CreateAttestationResponse(d.rp, d.auth, d.cred, *opts))
}

// get answers navigator.credentials.get(options), counting one use.
func (d *device) get(t testing.TB, options []byte) []byte {
	t.Helper()
	d.cred.Counter++
	return d.getSameCount(t, options)
}

// getSameCount answers without moving the counter.
func (d *device) getSameCount(t testing.TB, options []byte) []byte {
	t.Helper()
	opts, err := virtualwebauthn.ParseAssertionOptions(string(options))
	require.NoError(t, err)
	return []byte(virtualwebauthn.CreateAssertionResponse(d.rp, d.auth, d.cred, *opts))
}

// register registers d's credential for user at rp and returns the passkey
// as the caller would store it.
func register(t testing.TB, w *passkey.WebAuthn, rp passkey.RelyingParty, user passkey.User, d *device) clientele.Passkey {
	t.Helper()
	ctx := context.Background()
	options, state, err := w.BeginRegistration(ctx, rp, user, nil)
	require.NoError(t, err)
	p, err := w.FinishRegistration(ctx, rp, user, state, d.create(t, options))
	require.NoError(t, err)
	p.AgencyID, p.Name, p.CreatedAt = "agc_acme", "test", t0
	return p
}

// lookupOf looks credentials up in stored, as the caller's store would,
// recording the user handles it was given.
type lookupOf struct {
	stored  []clientele.Passkey
	handles [][]byte
}

func (l *lookupOf) lookup(_ context.Context, id, userHandle []byte) (clientele.Passkey, error) {
	l.handles = append(l.handles, userHandle)
	for _, p := range l.stored {
		if bytes.Equal(p.ID, id) {
			return p, nil
		}
	}
	return clientele.Passkey{}, clientele.ErrNotFound
}

// withUserVerification rewrites the user verification requirement recorded
// in state's session data, as a state written by an older Begin might hold.
func withUserVerification(t testing.TB, state []byte, requirement string) []byte {
	t.Helper()
	var s map[string]any
	require.NoError(t, json.Unmarshal(state, &s))
	session, ok := s["session"].(map[string]any)
	require.True(t, ok, "state has session data")
	session["userVerification"] = requirement
	out, err := json.Marshal(s)
	require.NoError(t, err)
	return out
}
