package authn_test

import (
	"context"
	"errors"
	"fmt"
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/clientele/clientele"
	"github.com/clientele/clientele/authn"
	"github.com/clientele/clientele/authn/password"
	"github.com/clientele/clientele/clienteletest"
)

func signIn(env *clienteletest.Env, email, pw string, client clientele.ClientID) (string, authn.Identity, error) {
	return env.Authn.SignIn(context.Background(), authn.SignInRequest{AgencyID: env.Agency.ID, Email: email,
		Password: pw, Client: client, IP: office})
}

func TestSignInFailuresLookAlike(t *testing.T) {
	env := clienteletest.New(t)
	c := env.NewClient(t, "Globex")
	env.AddUser(t, c.ID, "ada@globex.example", clientele.RoleAdmin)

	tests := []struct {
		name, email, pw string
		want            error
	}{
		{"wrong password", "ada@globex.example", "wrong password!", authn.ErrInvalidCredentials},
		{"unknown email", "eve@globex.example", clienteletest.Password, authn.ErrInvalidCredentials},
		{"empty password", "ada@globex.example", "", authn.ErrInvalidCredentials},
		{"malformed email", "ada@@globex", clienteletest.Password, clientele.ErrInvalidEmail},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := signIn(env, tt.email, tt.pw, "")
			require.ErrorIs(t, err, tt.want)
		})
	}
	_, _, err := env.Authn.SignIn(context.Background(), authn.SignInRequest{Email: "ada@globex.example", Password: clienteletest.Password})
	require.ErrorIs(t, err, clientele.ErrMissingScope)
}

func TestSignInChoosesTheClient(t *testing.T) {
	env := clienteletest.New(t)
	a, b, other := env.NewClient(t, "Globex"), env.NewClient(t, "Initech"), env.NewClient(t, "Umbrella")
	env.AddUser(t, a.ID, "ada@example.com", clientele.RoleAdmin)
	m, _ := env.AddUser(t, b.ID, "ada@example.com", clientele.RoleMember)

	_, _, err := signIn(env, "ada@example.com", clienteletest.Password, "")
	require.ErrorIs(t, err, authn.ErrClientRequired)
	_, id, err := signIn(env, "ada@example.com", clienteletest.Password, b.ID)
	require.NoError(t, err)
	assert.Equal(t, clientele.RoleMember, id.Principal.Role)
	assert.Equal(t, b.ID, id.Principal.ClientID)
	_, _, err = signIn(env, "ada@example.com", clienteletest.Password, other.ID)
	require.ErrorIs(t, err, authn.ErrNoAccess)

	_, err = env.Tenancy.Deactivate(context.Background(), env.AgencyAdmin(), b.ID, m.UserID)
	require.NoError(t, err)
	_, id, err = signIn(env, "ada@example.com", clienteletest.Password, "")
	require.NoError(t, err, "one active membership left: no choice needed")
	assert.Equal(t, a.ID, id.Principal.ClientID)
	_, _, err = signIn(env, "ada@example.com", clienteletest.Password, b.ID)
	require.ErrorIs(t, err, authn.ErrNoAccess, "deactivated there")
}

func TestSignInRehashesOldParameters(t *testing.T) {
	ctx := context.Background()
	env := clienteletest.New(t) // users set up with Memory: 64 KiB
	c := env.NewClient(t, "Globex")
	env.AddUser(t, c.ID, "ada@globex.example", clientele.RoleAdmin)
	_, before, err := env.Store.PasswordHash(ctx, env.Agency.ID, "ada@globex.example")
	require.NoError(t, err)

	stronger, err := password.New(password.WithParams(password.Params{Memory: 128, Time: 2, Threads: 1, SaltLen: 16, KeyLen: 32}))
	require.NoError(t, err)
	svc, err := authn.New(env.Store, env.Invites, clienteletest.BaseURL, authn.WithClock(env.Clock.Now), authn.WithPasswordHasher(stronger))
	require.NoError(t, err)
	_, _, err = svc.SignIn(ctx, authn.SignInRequest{AgencyID: env.Agency.ID, Email: "ada@globex.example", Password: clienteletest.Password})
	require.NoError(t, err)
	_, after, err := env.Store.PasswordHash(ctx, env.Agency.ID, "ada@globex.example")
	require.NoError(t, err)
	assert.NotEqual(t, before, after)
	assert.Contains(t, after, "m=128,t=2,p=1")
	rehash, err := stronger.Verify(ctx, clienteletest.Password, after)
	require.NoError(t, err)
	assert.False(t, rehash)
}

func TestSignInRateLimits(t *testing.T) {
	env, c, _, _ := signedIn(t)
	_ = c
	// Five wrong passwords in a row, then the right one: ordinary use.
	for range 5 {
		_, _, err := signIn(env, "bob@globex.example", "wrong password!", "")
		require.ErrorIs(t, err, authn.ErrInvalidCredentials)
	}
	_, _, err := signIn(env, "bob@globex.example", clienteletest.Password, "")
	require.NoError(t, err)

	// Guessing: after 10 attempts in the window even the right password waits.
	for range authn.DefaultLimits.SignInPerAccountIP.Max {
		_, _, err := signIn(env, "bob@globex.example", "wrong password!", "")
		require.ErrorIs(t, err, authn.ErrInvalidCredentials)
	}
	_, _, err = signIn(env, "bob@globex.example", clienteletest.Password, "")
	require.ErrorIs(t, err, authn.ErrRateLimited)
	var rl *authn.RateLimitError
	require.True(t, errors.As(err, &rl))
	assert.Greater(t, rl.RetryAfter, time.Duration(0))
	assert.LessOrEqual(t, rl.RetryAfter, authn.DefaultLimits.SignInPerAccountIP.Window)

	env.Clock.Advance(rl.RetryAfter)
	_, _, err = signIn(env, "bob@globex.example", clienteletest.Password, "")
	require.NoError(t, err, "a new window")
}

func TestSignInRateLimitPerIP(t *testing.T) {
	ctx := context.Background()
	env := clienteletest.New(t)
	svc, err := authn.New(env.Store, env.Invites, clienteletest.BaseURL, authn.WithClock(env.Clock.Now),
		authn.WithLimits(authn.Limits{
			SignInPerAccountIP: authn.Rule{Max: 100, Window: time.Minute},
			SignInPerIP:        authn.Rule{Max: 3, Window: time.Minute},
			SignInPerDevice:    authn.Rule{Max: 3, Window: time.Minute},
			AcceptPerIP:        authn.Rule{Max: 3, Window: time.Minute},
			PasskeyPerIP:       authn.Rule{Max: 3, Window: time.Minute},
		}))
	require.NoError(t, err)
	try := func(ip string, i int) error {
		_, _, err := svc.SignIn(ctx, authn.SignInRequest{AgencyID: env.Agency.ID, Email: strings.Repeat("x", i+1) + "@example.com",
			Password: "whatever1", IP: netip.MustParseAddr(ip)})
		return err
	}
	for i := range 3 {
		require.ErrorIs(t, try("198.51.100.1", i), authn.ErrInvalidCredentials)
	}
	require.ErrorIs(t, try("198.51.100.1", 9), authn.ErrRateLimited, "a fourth account from the same address")
	require.ErrorIs(t, try("198.51.100.2", 9), authn.ErrInvalidCredentials, "another address is not affected")

	_, err = authn.New(env.Store, env.Invites, clienteletest.BaseURL, authn.WithLimits(authn.Limits{}))
	require.ErrorIs(t, err, clientele.ErrInvalidArgument)
}

func TestClientIP(t *testing.T) {
	proxies := []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")}
	tests := []struct {
		name, remote, xff string
		trusted           []netip.Prefix
		want              string
	}{
		{"direct", "203.0.113.9:5555", "", nil, "203.0.113.9"},
		{"forged header from an untrusted peer", "203.0.113.9:5555", "1.2.3.4", proxies, "203.0.113.9"},
		{"behind a trusted proxy", "10.0.0.2:80", "198.51.100.4", proxies, "198.51.100.4"},
		{"client prepends a fake hop", "10.0.0.2:80", "1.2.3.4, 198.51.100.4", proxies, "198.51.100.4"},
		{"two proxies", "10.0.0.2:80", "198.51.100.4, 10.0.0.3", proxies, "198.51.100.4"},
		{"malformed hop", "10.0.0.2:80", "garbage", proxies, "10.0.0.2"},
		{"IPv4-mapped IPv6", "[::ffff:203.0.113.9]:1", "", nil, "203.0.113.9"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest("GET", "/", nil)
			r.RemoteAddr = tt.remote
			if tt.xff != "" {
				r.Header.Set("X-Forwarded-For", tt.xff)
			}
			assert.Equal(t, netip.MustParseAddr(tt.want), authn.ClientIP(r, tt.trusted))
		})
	}
}

// An unknown email and a wrong password cost the same argon2id work:
// compare these two with -bench.
func BenchmarkSignInWrongPassword(b *testing.B) { benchmarkSignIn(b, "ada@globex.example") }

// BenchmarkSignInUnknownEmail is the unknown-email half of the pair.
func BenchmarkSignInUnknownEmail(b *testing.B) { benchmarkSignIn(b, "nobody@globex.example") }

func benchmarkSignIn(b *testing.B, email string) {
	ctx := context.Background()
	env := clienteletest.New(b)
	c := env.NewClient(b, "Globex")
	m, _ := env.AddUser(b, c.ID, "ada@globex.example", clientele.RoleAdmin)
	hasher, err := password.New() // the production parameters: m=19 MiB, t=2, p=1
	require.NoError(b, err)
	hash, err := hasher.Hash(ctx, clienteletest.Password)
	require.NoError(b, err)
	require.NoError(b, env.Store.SetPasswordHash(ctx, env.Agency.ID, m.UserID, hash))
	svc, err := authn.New(env.Store, env.Invites, clienteletest.BaseURL, authn.WithPasswordHasher(hasher),
		authn.WithLimits(authn.Limits{SignInPerAccountIP: authn.Rule{Max: 1 << 30, Window: time.Hour},
			SignInPerIP: authn.Rule{Max: 1 << 30, Window: time.Hour}, SignInPerDevice: authn.Rule{Max: 1, Window: time.Hour},
			AcceptPerIP: authn.Rule{Max: 1, Window: time.Hour}, PasskeyPerIP: authn.Rule{Max: 1, Window: time.Hour}}))
	require.NoError(b, err)
	for b.Loop() {
		_, _, err := svc.SignIn(ctx, authn.SignInRequest{AgencyID: env.Agency.ID, Email: email, Password: "wrong password!"})
		if !errors.Is(err, authn.ErrInvalidCredentials) {
			b.Fatal(err)
		}
	}
}

// Failures count against an account per address, an IPv6 /64 being one
// address, whatever the length of the email.
func TestSignInLimitPerAccountAndAddress(t *testing.T) {
	ctx := context.Background()
	env := clienteletest.New(t)
	c := env.NewClient(t, "Globex")
	long := strings.Repeat("a", 60) + "@" + strings.Repeat("b", 60) + "." + strings.Repeat("c", 60) + "." + strings.Repeat("d", 40) + ".example"
	_, err := env.Invites.Create(ctx, env.AgencyAdmin(), c.ID, long, clientele.RoleAdmin)
	require.NoError(t, err)
	link, err := env.Mailer.TokenTo(long)
	require.NoError(t, err)
	_, err = env.Invites.Accept(ctx, inviteAccept(link, "Long"))
	require.NoError(t, err)
	try := func(ip, pw string) error {
		_, _, err := env.Authn.SignIn(ctx, authn.SignInRequest{AgencyID: env.Agency.ID, Email: long, Password: pw,
			IP: netip.MustParseAddr(ip)})
		return err
	}
	max := authn.DefaultLimits.SignInPerAccountIP.Max
	for i := range max {
		// One subscriber's /64: every address in it is the same one.
		require.ErrorIs(t, try(fmt.Sprintf("2001:db8:1:2::%x", i+1), "wrong password!"), authn.ErrInvalidCredentials)
	}
	require.ErrorIs(t, try("2001:db8:1:2:ffff::1", clienteletest.Password), authn.ErrRateLimited, "the same /64")
	require.NoError(t, try("2001:db8:1:3::1", clienteletest.Password), "the next /64")
	require.NoError(t, try("::ffff:192.0.2.7", clienteletest.Password), "an IPv4 address")
}
