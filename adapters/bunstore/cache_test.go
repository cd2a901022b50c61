package bunstore_test

import (
	"context"
	"net/netip"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/clientele/clientele"
	"github.com/clientele/clientele/adapters/bunstore"
	"github.com/clientele/clientele/adapters/conformance"
	"github.com/clientele/clientele/authn"
	"github.com/clientele/clientele/authn/password"
	"github.com/clientele/clientele/clienteletest"
	"github.com/clientele/clientele/internal/dbtest"
	"github.com/clientele/clientele/internal/token"
	"github.com/clientele/clientele/invite"
	"github.com/clientele/clientele/rbac"
	"github.com/clientele/clientele/tenancy"
)

// fastCache polls often so that tests wait little for a change.
var fastCache = bunstore.CacheOptions{Poll: 2 * time.Millisecond}

// cachedStore opens dsn on its own pool, as another process would, with
// a cache that serves before it returns.
func cachedStore(t *testing.T, dsn string, o bunstore.CacheOptions) *bunstore.Store {
	t.Helper()
	s, err := bunstore.New(dbtest.Open(t, dsn), bunstore.WithCache(o))
	require.NoError(t, err)
	t.Cleanup(func() { assert.NoError(t, s.Close(context.Background())) })
	require.True(t, bunstore.WaitServing(t.Context(), s, 10*time.Second), "the cache never started serving")
	return s
}

// TestConformanceCached runs the conformance suite on a store with a
// cache: a cache must not change any answer. The rows deleted between
// subtests go behind the store's back, so its cache is emptied too.
func TestConformanceCached(t *testing.T) {
	for _, kind := range dbtest.Kinds() {
		t.Run(string(kind), func(t *testing.T) {
			dsn := dbtest.DSN(t, kind)
			db := dbtest.Open(t, dsn)
			require.NoError(t, bunstore.Migrate(t.Context(), db))
			s := cachedStore(t, dsn, fastCache)
			conformance.Run(t, func(t *testing.T) conformance.Store {
				dbtest.Reset(t, db)
				bunstore.FlushCache(s)
				return s
			})
			t.Logf("%s: cache %+v", kind, s.CacheStats())
		})
	}
}

// world is an agency with one client and one member signed in, made
// through a writer store that has no cache.
type world struct {
	writer  *bunstore.Store
	tenancy *tenancy.Service
	authn   *authn.Service
	agency  clientele.AgencyID
	client  clientele.ClientID
	user    clientele.UserID
	session []byte // the session's token hash
	token   string
}

func newWorld(t *testing.T, dsn string) world {
	t.Helper()
	ctx := t.Context()
	w := world{}
	var err error
	w.writer, err = bunstore.New(dbtest.Open(t, dsn))
	require.NoError(t, err)
	authz, err := rbac.New(ctx)
	require.NoError(t, err)
	hasher, err := password.New(password.WithParams(password.Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}))
	require.NoError(t, err)
	mailer := &clienteletest.Mailer{}
	w.tenancy, err = tenancy.New(w.writer, authz)
	require.NoError(t, err)
	invites, err := invite.New(w.writer, authz, mailer, clienteletest.BaseURL, invite.WithPasswordHasher(hasher))
	require.NoError(t, err)
	w.authn, err = authn.New(w.writer, invites, clienteletest.BaseURL, authn.WithPasswordHasher(hasher))
	require.NoError(t, err)
	a, err := w.tenancy.CreateAgency(ctx, clientele.Branding{Name: "Acme Agency"})
	require.NoError(t, err)
	w.agency = a.ID
	c, err := w.tenancy.CreateClient(ctx, clientele.AgencyAdmin(a.ID), "Globex")
	require.NoError(t, err)
	w.client = c.ID
	_, err = invites.Create(ctx, clientele.AgencyAdmin(a.ID), c.ID, "bob@globex.example", clientele.RoleMember)
	require.NoError(t, err)
	inv, err := mailer.TokenTo("bob@globex.example")
	require.NoError(t, err)
	var id authn.Identity
	w.token, id, err = w.authn.AcceptInvitation(ctx, authn.AcceptRequest{AgencyID: a.ID, Token: inv, Name: "Bob",
		Password: "correct horse battery staple", IP: netip.MustParseAddr("203.0.113.7")})
	require.NoError(t, err)
	w.session, err = token.Hash(w.token)
	require.NoError(t, err)
	w.user = id.Principal.UserID
	return w
}

// signIn replaces w's session with a new one.
func (w *world) signIn(t *testing.T) error {
	tok, _, err := w.authn.SignIn(t.Context(), authn.SignInRequest{AgencyID: w.agency, Email: "bob@globex.example",
		Password: "correct horse battery staple", IP: netip.MustParseAddr("203.0.113.7")})
	if err != nil {
		return err
	}
	w.token = tok
	w.session, err = token.Hash(tok)
	return err
}

// resolve resolves w's session through s now.
func (w world) resolve(t *testing.T, s *bunstore.Store) (authn.Resolved, error) {
	now := time.Now().UTC()
	return s.ResolveSession(t.Context(), w.session, now, now.Add(-authn.DefaultIdleTimeout))
}

// TestCacheExactAcrossProcesses changes access through a writer without a
// cache while two cached readers on their own pools resolve the session
// after each change returns: every answer is the new state, and most
// reads between changes are cache hits.
func TestCacheExactAcrossProcesses(t *testing.T) {
	for _, kind := range dbtest.Kinds() {
		t.Run(string(kind), func(t *testing.T) {
			ctx := t.Context()
			dsn := dbtest.DSN(t, kind)
			require.NoError(t, bunstore.Migrate(ctx, dbtest.Open(t, dsn)))
			w := newWorld(t, dsn)
			readers := []*bunstore.Store{cachedStore(t, dsn, fastCache), cachedStore(t, dsn, fastCache)}
			staff := clientele.AgencyAdmin(w.agency)

			const flips = 200
			stale := 0
			role := clientele.RoleMember
			for i := range flips {
				for _, r := range readers { // warm: the next change must evict
					_, err := w.resolve(t, r)
					require.NoError(t, err)
				}
				role = map[clientele.Role]clientele.Role{clientele.RoleMember: clientele.RoleAdmin, clientele.RoleAdmin: clientele.RoleMember}[role]
				_, err := w.tenancy.ChangeRole(ctx, staff, w.client, w.user, role)
				require.NoError(t, err, "flip %d", i)
				for _, r := range readers {
					got, err := w.resolve(t, r)
					require.NoError(t, err)
					if got.Member.Role != role {
						stale++
					}
				}
			}
			hits := readers[0].CacheStats().Hits + readers[1].CacheStats().Hits
			t.Logf("%s: %d role flips, %d answers from two cached readers after each, %d stale; %d cache hits",
				kind, flips, 2*flips, stale, hits)
			require.Zero(t, stale)
			require.GreaterOrEqual(t, hits, uint64(flips), "the readers answered from their caches")

			// Each other kind of change, seen by both readers at once.
			steps := []struct {
				name  string
				act   func() error
				check func(t *testing.T, r *bunstore.Store)
			}{
				{"permissions", func() error {
					_, err := w.tenancy.SetPermissions(ctx, staff, w.client, []clientele.Permission{clientele.PermViewReports})
					return err
				}, func(t *testing.T, r *bunstore.Store) {
					got, err := w.resolve(t, r)
					require.NoError(t, err)
					assert.Equal(t, clientele.PermissionSet{clientele.PermViewReports}, got.Permissions)
					c, err := r.Client(ctx, w.agency, w.client)
					require.NoError(t, err)
					assert.Equal(t, clientele.PermissionSet{clientele.PermViewReports}, c.Permissions)
				}},
				{"branding", func() error {
					_, err := w.tenancy.SetBranding(ctx, staff, clientele.Branding{Name: "Acme Two"})
					return err
				}, func(t *testing.T, r *bunstore.Store) {
					a, err := r.Agency(ctx, w.agency)
					require.NoError(t, err)
					assert.Equal(t, "Acme Two", a.Branding.Name)
				}},
				{"deactivate", func() error {
					_, err := w.tenancy.Deactivate(ctx, staff, w.client, w.user)
					return err
				}, func(t *testing.T, r *bunstore.Store) {
					_, err := w.resolve(t, r)
					assert.ErrorIs(t, err, clientele.ErrNotFound, "deactivation ends the session")
				}},
				{"reactivate and sign in again", func() error {
					if _, err := w.tenancy.Reactivate(ctx, staff, w.client, w.user); err != nil {
						return err
					}
					return w.signIn(t)
				}, func(t *testing.T, r *bunstore.Store) {
					got, err := w.resolve(t, r)
					require.NoError(t, err)
					assert.Equal(t, clientele.StatusActive, got.Member.Status)
				}},
				{"sign out", func() error { return w.authn.SignOut(ctx, w.token) },
					func(t *testing.T, r *bunstore.Store) {
						_, err := w.resolve(t, r)
						assert.ErrorIs(t, err, clientele.ErrNotFound)
					}},
			}
			for i := range steps {
				st := &steps[i]
				for _, r := range readers { // warm every read the step checks
					_, _ = w.resolve(t, r)
					_, _ = r.Client(ctx, w.agency, w.client)
					_, _ = r.Agency(ctx, w.agency)
				}
				require.NoError(t, st.act(), st.name)
				for i, r := range readers {
					t.Run(st.name+"/reader"+string(rune('A'+i)), func(t *testing.T) { st.check(t, r) })
				}
			}
		})
	}
}

// TestCacheLeaseLapse cuts a cached reader off (its loop stops polling):
// a writer's change waits for the reader's lease to run out, and by then
// the reader no longer answers from its cache, so it reads the new state.
// Released, the reader takes a new lease and serves again.
func TestCacheLeaseLapse(t *testing.T) {
	for _, kind := range dbtest.Kinds() {
		t.Run(string(kind), func(t *testing.T) {
			ctx := t.Context()
			dsn := dbtest.DSN(t, kind)
			require.NoError(t, bunstore.Migrate(ctx, dbtest.Open(t, dsn)))
			w := newWorld(t, dsn)
			opts := bunstore.CacheOptions{Poll: 2 * time.Millisecond, Lease: 800 * time.Millisecond, Margin: 200 * time.Millisecond}
			r := cachedStore(t, dsn, opts)
			staff := clientele.AgencyAdmin(w.agency)

			for range 2 { // fill, then hit
				got, err := w.resolve(t, r)
				require.NoError(t, err)
				require.Equal(t, clientele.RoleMember, got.Member.Role)
			}
			require.Equal(t, uint64(1), r.CacheStats().Hits)

			bunstore.HoldCache(r, true)
			start := time.Now()
			_, err := w.tenancy.ChangeRole(ctx, staff, w.client, w.user, clientele.RoleAdmin)
			require.NoError(t, err)
			waited := time.Since(start)
			require.False(t, bunstore.CacheServing(r), "a reader whose lease ran out still serves from its cache")
			got, err := w.resolve(t, r)
			require.NoError(t, err)
			require.Equal(t, clientele.RoleAdmin, got.Member.Role)
			t.Logf("%s: the change waited %v for the silent reader's lease (lease %v)", kind, waited.Round(time.Millisecond), opts.Lease)

			bunstore.HoldCache(r, false)
			require.True(t, bunstore.WaitServing(ctx, r, 10*time.Second), "the reader never served again")
			start = time.Now()
			_, err = w.tenancy.ChangeRole(ctx, staff, w.client, w.user, clientele.RoleMember)
			require.NoError(t, err)
			t.Logf("%s: with the reader back, a change returned in %v", kind, time.Since(start).Round(time.Millisecond))
			got, err = w.resolve(t, r)
			require.NoError(t, err)
			require.Equal(t, clientele.RoleMember, got.Member.Role)
		})
	}
}

// TestCacheTouchesAreWritten: with a cache, a touch is counted at once by
// its process (also on a miss) and reaches the database by the next
// write of touches, or at Close.
func TestCacheTouchesAreWritten(t *testing.T) {
	for _, kind := range dbtest.Kinds() {
		t.Run(string(kind), func(t *testing.T) {
			ctx := t.Context()
			dsn := dbtest.DSN(t, kind)
			require.NoError(t, bunstore.Migrate(ctx, dbtest.Open(t, dsn)))
			w := newWorld(t, dsn)
			r, err := bunstore.New(dbtest.Open(t, dsn), bunstore.WithCache(fastCache))
			require.NoError(t, err)
			require.True(t, bunstore.WaitServing(ctx, r, 10*time.Second))

			now := time.Now().UTC().Truncate(time.Second)
			later := now.Add(40 * time.Minute) // past the 30-minute idle timeout of the sign-in's time
			require.NoError(t, r.TouchSession(ctx, w.session, later))
			idleSince := later.Add(-time.Second)
			_, err = r.ResolveSession(ctx, w.session, later, idleSince)
			require.NoError(t, err, "the touching process counts its touch before writing it")

			require.NoError(t, r.Close(ctx)) // writes the touches it holds
			got, err := w.writer.ResolveSession(ctx, w.session, later, idleSince)
			require.NoError(t, err, "another process sees the touch once written")
			assert.Equal(t, later, got.Session.LastSeenAt)
		})
	}
}

// TestCacheSyncAfterAHostTransaction: a change made inside a host's
// transaction cannot wait for caching processes before the host commits;
// Sync after the commit does, and then a cached reader answers the new
// state.
func TestCacheSyncAfterAHostTransaction(t *testing.T) {
	for _, kind := range dbtest.Kinds() {
		t.Run(string(kind), func(t *testing.T) {
			ctx := t.Context()
			dsn := dbtest.DSN(t, kind)
			db := dbtest.Open(t, dsn)
			require.NoError(t, bunstore.Migrate(ctx, db))
			w := newWorld(t, dsn)
			r := cachedStore(t, dsn, fastCache)
			got, err := w.resolve(t, r) // cached
			require.NoError(t, err)
			require.Equal(t, clientele.RoleMember, got.Member.Role)

			tx, err := db.BeginTx(ctx, nil)
			require.NoError(t, err)
			inTx, err := bunstore.New(tx)
			require.NoError(t, err)
			_, err = inTx.ChangeRole(ctx, w.client, w.user, clientele.RoleAdmin, true,
				clientele.AuditEvent{ID: clientele.NewID("aud"), At: time.Now().UTC(), Actor: "agency"})
			require.NoError(t, err)
			require.NoError(t, tx.Commit())
			require.NoError(t, w.writer.Sync(ctx))

			got, err = w.resolve(t, r)
			require.NoError(t, err)
			assert.Equal(t, clientele.RoleAdmin, got.Member.Role, "after Sync, the cached reader answers the committed change")
		})
	}
}
