package authn_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/clientele/clientele"
	"github.com/clientele/clientele/adapters/bunstore"
	"github.com/clientele/clientele/authn"
	"github.com/clientele/clientele/authn/password"
	"github.com/clientele/clientele/clienteletest"
	"github.com/clientele/clientele/internal/dbtest"
	"github.com/clientele/clientele/invite"
	"github.com/clientele/clientele/rbac"
	"github.com/clientele/clientele/tenancy"
)

// instance is one process of a service: its own connection pool and
// services, sharing only the database with the others.
type instance struct {
	store   *bunstore.Store
	tenancy *tenancy.Service
	invites *invite.Service
	authn   *authn.Service
	mailer  *clienteletest.Mailer
}

func newInstance(t *testing.T, dsn string, opts ...bunstore.Option) instance {
	t.Helper()
	ctx := context.Background()
	db := dbtest.Open(t, dsn)
	store, err := bunstore.New(db, opts...)
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, store.Close(context.Background())) })
	in0 := instance{store: store}
	authz, err := rbac.New(ctx)
	require.NoError(t, err)
	hasher, err := password.New(password.WithParams(password.Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}))
	require.NoError(t, err)
	in := in0
	in.mailer = &clienteletest.Mailer{}
	in.tenancy, err = tenancy.New(store, authz)
	require.NoError(t, err)
	in.invites, err = invite.New(store, authz, in.mailer, clienteletest.BaseURL, invite.WithPasswordHasher(hasher))
	require.NoError(t, err)
	in.authn, err = authn.New(store, in.invites, clienteletest.BaseURL, authn.WithPasswordHasher(hasher))
	require.NoError(t, err)
	return in
}

// twoInstances makes a fresh database of kind, two instances on it, an
// agency with one client, and an invitation of email with role to it; it
// returns the instances, the agency, the client and the invitation token.
// b gets bOpts.
func twoInstances(t *testing.T, kind dbtest.Kind, email string, role clientele.Role, bOpts ...bunstore.Option) (a, b instance, agency clientele.AgencyID, client clientele.ClientID, tok string) {
	t.Helper()
	ctx := context.Background()
	dsn := dbtest.DSN(t, kind)
	require.NoError(t, bunstore.Migrate(ctx, dbtest.Open(t, dsn)))
	a, b = newInstance(t, dsn), newInstance(t, dsn, bOpts...)
	ag, err := a.tenancy.CreateAgency(ctx, clientele.Branding{Name: "Acme Agency"})
	require.NoError(t, err)
	c, err := a.tenancy.CreateClient(ctx, clientele.AgencyAdmin(ag.ID), "Globex")
	require.NoError(t, err)
	_, err = a.invites.Create(ctx, clientele.AgencyAdmin(ag.ID), c.ID, email, role)
	require.NoError(t, err)
	tok, err = a.mailer.TokenTo(email)
	require.NoError(t, err)
	return a, b, ag.ID, c.ID, tok
}

// TestNoStaleAuthorityAcrossProcesses flips a member's role 1,000 times
// through one instance and, after each change returns, resolves the
// member's session through another instance on the same database: every
// answer must carry the new role. Then a permission change, a deactivation
// and a removal, each seen at once. The other instance runs once without
// a cache and once with one (bunstore.WithCache), warmed before each
// change so that the change must evict it.
func TestNoStaleAuthorityAcrossProcesses(t *testing.T) {
	for _, kind := range dbtest.Kinds() {
		for _, cached := range []bool{false, true} {
			name := string(kind)
			var opts []bunstore.Option
			if cached {
				name += "/cached"
				opts = append(opts, bunstore.WithCache(bunstore.CacheOptions{Poll: 2 * time.Millisecond}))
			}
			t.Run(name, func(t *testing.T) { noStale(t, kind, opts...) })
		}
	}
}

func noStale(t *testing.T, kind dbtest.Kind, bOpts ...bunstore.Option) {
	ctx := context.Background()
	a, b, agency, client, inviteToken := twoInstances(t, kind, "bob@globex.example", clientele.RoleMember, bOpts...)
	staff := clientele.AgencyAdmin(agency)
	session, id, err := b.authn.AcceptInvitation(ctx, acceptAt(agency, inviteToken, "Bob"))
	require.NoError(t, err)
	user := id.Principal.UserID

	const flips = 1000
	stale := 0
	role := clientele.RoleMember
	for range flips {
		_, err := b.authn.Resolve(ctx, session) // warm b's cache, if any
		require.NoError(t, err)
		role = map[clientele.Role]clientele.Role{clientele.RoleMember: clientele.RoleAdmin, clientele.RoleAdmin: clientele.RoleMember}[role]
		_, err = a.tenancy.ChangeRole(ctx, staff, client, user, role)
		require.NoError(t, err)
		got, err := b.authn.Resolve(ctx, session)
		require.NoError(t, err)
		if got.Principal.Role != role {
			stale++
		}
	}
	hits := b.store.CacheStats().Hits
	t.Logf("%s: %d role flips through one instance, %d stale answers from the other (%d of its %d resolutions from its cache)",
		kind, flips, stale, hits, 2*flips)
	require.Zero(t, stale)
	if len(bOpts) > 0 {
		require.Greater(t, hits, uint64(flips/2), "the cached instance answered from its cache")
	}

	_, err = a.tenancy.SetPermissions(ctx, staff, client, []clientele.Permission{clientele.PermExportData})
	require.NoError(t, err)
	got, err := b.authn.Resolve(ctx, session)
	require.NoError(t, err)
	require.Equal(t, clientele.PermissionSet{clientele.PermExportData}, got.Permissions)

	_, err = a.tenancy.Deactivate(ctx, staff, client, user)
	require.NoError(t, err)
	_, err = b.authn.Resolve(ctx, session)
	require.ErrorIs(t, err, clientele.ErrUnauthenticated)
	_, err = a.tenancy.Reactivate(ctx, staff, client, user)
	require.NoError(t, err)
	_, err = b.authn.Resolve(ctx, session)
	require.ErrorIs(t, err, clientele.ErrUnauthenticated, "reactivation revives no session")
	session, _, err = a.authn.SignIn(ctx, authn.SignInRequest{AgencyID: agency, Email: "bob@globex.example", Password: clienteletest.Password, IP: office})
	require.NoError(t, err)
	_, err = b.authn.Resolve(ctx, session)
	require.NoError(t, err)

	require.NoError(t, a.tenancy.Remove(ctx, staff, client, user))
	_, err = b.authn.Resolve(ctx, session)
	require.ErrorIs(t, err, clientele.ErrUnauthenticated)
}

// TestRateLimitSharedAcrossProcesses spreads wrong passwords for one
// account over two instances: the limit counts them together.
func TestRateLimitSharedAcrossProcesses(t *testing.T) {
	for _, kind := range dbtest.Kinds() {
		t.Run(string(kind), func(t *testing.T) {
			ctx := context.Background()
			a, b, agency, _, tok := twoInstances(t, kind, "bob@globex.example", clientele.RoleMember)
			_, err := a.invites.Accept(ctx, inviteAccept(tok, "Bob"))
			require.NoError(t, err)

			wrong := authn.SignInRequest{AgencyID: agency, Email: "bob@globex.example", Password: "wrong password!", IP: office}
			for i := range authn.DefaultLimits.SignInPerAccountIP.Max {
				in := []instance{a, b}[i%2]
				_, _, err := in.authn.SignIn(ctx, wrong)
				require.ErrorIs(t, err, authn.ErrInvalidCredentials, "attempt %d", i+1)
			}
			for _, in := range []instance{a, b} {
				_, _, err := in.authn.SignIn(ctx, wrong)
				require.ErrorIs(t, err, authn.ErrRateLimited)
			}
			t.Logf("%s: %d wrong passwords over two instances, then both refuse with ErrRateLimited", kind, authn.DefaultLimits.SignInPerAccountIP.Max)
		})
	}
}

// TestPasskeyFlowOnSQL sets an account up with a passkey through one
// instance and signs in with it through another, on each SQL database;
// the finished ceremony cannot be used again from either.
func TestPasskeyFlowOnSQL(t *testing.T) {
	for _, kind := range dbtest.Kinds() {
		t.Run(string(kind), func(t *testing.T) {
			ctx := context.Background()
			a, b, agency, _, inv := twoInstances(t, kind, "ada@globex.example", clientele.RoleAdmin)

			d := newDevice()
			setup, err := a.authn.BeginPasskeySetup(ctx, agency, inv, office)
			require.NoError(t, err)
			_, id, err := b.authn.FinishPasskeySetup(ctx, authn.PasskeySetupRequest{AgencyID: agency, Invitation: inv, Ceremony: setup.Token,
				Response: d.create(t, setup), Name: "Ada", IP: office})
			require.NoError(t, err)

			login, err := b.authn.BeginPasskeySignIn(ctx, agency, office)
			require.NoError(t, err)
			resp := d.get(t, login, true)
			tok, again, err := a.authn.FinishPasskeySignIn(ctx, authn.PasskeySignInRequest{AgencyID: agency, Ceremony: login.Token, Response: resp, IP: office})
			require.NoError(t, err)
			require.Equal(t, id.Principal, again.Principal)
			_, err = b.authn.Resolve(ctx, tok)
			require.NoError(t, err)
			_, _, err = b.authn.FinishPasskeySignIn(ctx, authn.PasskeySignInRequest{AgencyID: agency, Ceremony: login.Token, Response: resp, IP: office})
			require.ErrorIs(t, err, authn.ErrCeremony)
		})
	}
}
