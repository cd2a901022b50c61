package authn_test

import (
	"context"
	"net/netip"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/clientele/clientele"
	"github.com/clientele/clientele/authn"
	"github.com/clientele/clientele/clienteletest"
)

var office = netip.MustParseAddr("203.0.113.7")

// signedIn returns an environment, a client with billing and a Member of
// it signed in with a password.
func signedIn(t *testing.T) (*clienteletest.Env, clientele.Client, clientele.Member, string) {
	t.Helper()
	env := clienteletest.New(t)
	c := env.NewClient(t, "Globex", clientele.PermViewReports)
	env.Admin(t, c.ID)
	m, _ := env.AddUser(t, c.ID, "bob@globex.example", clientele.RoleMember)
	tok, id, err := env.Authn.SignIn(context.Background(), authn.SignInRequest{AgencyID: env.Agency.ID,
		Email: "Bob@Globex.example", Password: clienteletest.Password, IP: office})
	require.NoError(t, err)
	require.Equal(t, m.UserID, id.Principal.UserID)
	return env, c, m, tok
}

func TestResolveIsFreshOnEveryRequest(t *testing.T) {
	ctx := context.Background()
	env, c, m, tok := signedIn(t)
	staff := env.AgencyAdmin()

	id, err := env.Authn.Resolve(ctx, tok)
	require.NoError(t, err)
	assert.Equal(t, clientele.ClientUser(env.Agency.ID, c.ID, m.UserID, clientele.RoleMember), id.Principal)
	assert.Equal(t, clientele.PermissionSet{clientele.PermViewReports}, id.Permissions)
	assert.Equal(t, "User bob@globex.example", id.Member.Name)

	_, err = env.Tenancy.ChangeRole(ctx, staff, c.ID, m.UserID, clientele.RoleAdmin)
	require.NoError(t, err)
	id, err = env.Authn.Resolve(ctx, tok)
	require.NoError(t, err)
	assert.Equal(t, clientele.RoleAdmin, id.Principal.Role, "the role change holds from the next request")

	_, err = env.Tenancy.SetPermissions(ctx, staff, c.ID, []clientele.Permission{clientele.PermManageBilling})
	require.NoError(t, err)
	id, err = env.Authn.Resolve(ctx, tok)
	require.NoError(t, err)
	assert.Equal(t, clientele.PermissionSet{clientele.PermManageBilling}, id.Permissions)

	_, err = env.Tenancy.Deactivate(ctx, staff, c.ID, m.UserID)
	require.NoError(t, err)
	_, err = env.Authn.Resolve(ctx, tok)
	require.ErrorIs(t, err, clientele.ErrUnauthenticated, "deactivated")
	_, err = env.Tenancy.Reactivate(ctx, staff, c.ID, m.UserID)
	require.NoError(t, err)
	_, err = env.Authn.Resolve(ctx, tok)
	require.ErrorIs(t, err, clientele.ErrUnauthenticated, "deactivation ended the session; reactivation revives none")
	tok, _, err = env.Authn.SignIn(ctx, authn.SignInRequest{AgencyID: env.Agency.ID, Email: "bob@globex.example",
		Password: clienteletest.Password, IP: office})
	require.NoError(t, err)
	_, err = env.Authn.Resolve(ctx, tok)
	require.NoError(t, err, "reactivated, signed in again")

	require.NoError(t, env.Tenancy.Remove(ctx, staff, c.ID, m.UserID))
	_, err = env.Authn.Resolve(ctx, tok)
	require.ErrorIs(t, err, clientele.ErrUnauthenticated, "removed")

	// Invited again, the old session stays dead: removal ended it.
	env.AddUser(t, c.ID, "bob@globex.example", clientele.RoleMember)
	_, err = env.Authn.Resolve(ctx, tok)
	require.ErrorIs(t, err, clientele.ErrUnauthenticated)
}

func TestIdleAndAbsoluteTimeouts(t *testing.T) {
	ctx := context.Background()

	t.Run("idle", func(t *testing.T) {
		env, _, _, tok := signedIn(t)
		env.Clock.Advance(authn.DefaultIdleTimeout - time.Microsecond)
		_, err := env.Authn.Resolve(ctx, tok)
		require.NoError(t, err, "just inside the idle timeout; this use restarts it")
		env.Clock.Advance(authn.DefaultIdleTimeout - time.Microsecond)
		_, err = env.Authn.Resolve(ctx, tok)
		require.NoError(t, err)
		env.Clock.Advance(authn.DefaultIdleTimeout)
		_, err = env.Authn.Resolve(ctx, tok)
		require.ErrorIs(t, err, clientele.ErrUnauthenticated, "idle for exactly the timeout")
	})

	t.Run("absolute", func(t *testing.T) {
		env, _, _, tok := signedIn(t)
		start := env.Clock.Now()
		for env.Clock.Now().Before(start.Add(authn.DefaultAbsoluteTimeout - 20*time.Minute)) {
			env.Clock.Advance(20 * time.Minute)
			_, err := env.Authn.Resolve(ctx, tok)
			require.NoError(t, err)
		}
		env.Clock.Set(start.Add(authn.DefaultAbsoluteTimeout - time.Microsecond))
		_, err := env.Authn.Resolve(ctx, tok)
		require.NoError(t, err)
		env.Clock.Set(start.Add(authn.DefaultAbsoluteTimeout))
		_, err = env.Authn.Resolve(ctx, tok)
		require.ErrorIs(t, err, clientele.ErrUnauthenticated, "in use all along, but past the absolute timeout")
	})
}

func TestSignOutAndRevoke(t *testing.T) {
	ctx := context.Background()
	env, _, m, first := signedIn(t)
	second, _, err := env.Authn.SignIn(ctx, authn.SignInRequest{AgencyID: env.Agency.ID, Email: "bob@globex.example",
		Password: clienteletest.Password, IP: office})
	require.NoError(t, err)
	assert.NotEqual(t, first, second, "a new token at every sign-in")

	require.NoError(t, env.Authn.SignOut(ctx, first))
	_, err = env.Authn.Resolve(ctx, first)
	require.ErrorIs(t, err, clientele.ErrUnauthenticated)
	_, err = env.Authn.Resolve(ctx, second)
	require.NoError(t, err, "signing out ends one session only")
	require.NoError(t, env.Authn.SignOut(ctx, "not-a-token"))

	n, err := env.Authn.RevokeUser(ctx, env.Agency.ID, m.UserID)
	require.NoError(t, err)
	assert.Equal(t, 1, n)
	_, err = env.Authn.Resolve(ctx, second)
	require.ErrorIs(t, err, clientele.ErrUnauthenticated)
	_, err = env.Authn.RevokeUser(ctx, "", m.UserID)
	require.ErrorIs(t, err, clientele.ErrMissingScope)
}

func TestResolveRejectsForgedTokens(t *testing.T) {
	ctx := context.Background()
	env, _, _, tok := signedIn(t)
	for _, bad := range []string{"", "x", tok[:42], tok + "A", tok[:42] + "=", "Bearer " + tok} {
		_, err := env.Authn.Resolve(ctx, bad)
		require.ErrorIs(t, err, clientele.ErrUnauthenticated, bad)
	}
}

func TestAcceptInvitationStartsASession(t *testing.T) {
	ctx := context.Background()
	env := clienteletest.New(t)
	c := env.NewClient(t, "Globex")
	_, err := env.Invites.Create(ctx, env.AgencyAdmin(), c.ID, "new@globex.example", clientele.RoleAdmin)
	require.NoError(t, err)
	token, err := env.Mailer.TokenTo("new@globex.example")
	require.NoError(t, err)

	tok, id, err := env.Authn.AcceptInvitation(ctx, acceptAt(env.Agency.ID, token, "New Person"))
	require.NoError(t, err)
	assert.Equal(t, clientele.RoleAdmin, id.Principal.Role)
	again, err := env.Authn.Resolve(ctx, tok)
	require.NoError(t, err)
	assert.Equal(t, id.Principal, again.Principal)
	require.NotNil(t, again.Member.LastActiveAt, "account setup counts as activity")
}
