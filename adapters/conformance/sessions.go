package conformance

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/clientele/clientele"
	"github.com/clientele/clientele/authn"
)

func testSessions(t *testing.T, newStore newStoreFunc) {
	// at is a time inside every session's lifetime; longAgo an idle
	// cut-off no session is idle since.
	at, longAgo := base.Add(time.Minute), base.Add(-time.Hour)

	t.Run("Resolve", func(t *testing.T) {
		s := newStore(t)
		a := mustAgency(t, s, "")
		c := mustClient(t, s, a.ID, "Globex")
		_, err := s.SetPermissions(t.Context(), a.ID, c.ID, clientele.NewPermissionSet(clientele.PermViewReports), stamp())
		require.NoError(t, err)
		m := mustMember(t, s, c, "ada@example.com", clientele.RoleAdmin)
		sess := newSession(a.ID, m)
		require.NoError(t, s.CreateSession(t.Context(), sess))

		got, err := s.ResolveSession(t.Context(), sess.TokenHash, at, longAgo)
		require.NoError(t, err)
		assert.Equal(t, normResolved(authn.Resolved{Session: sess, Member: m,
			Permissions: clientele.PermissionSet{clientele.PermViewReports}}), normResolved(got))

		// Changes made after the session began show at once.
		mustMember(t, s, c, "bob@example.com", clientele.RoleAdmin)
		_, err = s.ChangeRole(t.Context(), c.ID, m.UserID, clientele.RoleMember, true, stamp())
		require.NoError(t, err)
		perms := clientele.NewPermissionSet(clientele.PermExportData, clientele.PermManageBilling)
		_, err = s.SetPermissions(t.Context(), a.ID, c.ID, perms, stamp())
		require.NoError(t, err)
		got, err = s.ResolveSession(t.Context(), sess.TokenHash, at, longAgo)
		require.NoError(t, err)
		assert.Equal(t, clientele.RoleMember, got.Member.Role)
		assert.Equal(t, perms, got.Permissions)

		// Deactivating ends the membership's sessions; reactivating
		// revives none of them.
		_, err = s.SetMemberStatus(t.Context(), c.ID, m.UserID, clientele.StatusDeactivated, stamp())
		require.NoError(t, err)
		_, err = s.ResolveSession(t.Context(), sess.TokenHash, at, longAgo)
		require.ErrorIs(t, err, clientele.ErrNotFound, "a deactivated membership's session")
		_, err = s.SetMemberStatus(t.Context(), c.ID, m.UserID, clientele.StatusActive, stamp())
		require.NoError(t, err)
		_, err = s.ResolveSession(t.Context(), sess.TokenHash, at, longAgo)
		require.ErrorIs(t, err, clientele.ErrNotFound, "reactivation revives no session")

		for _, hash := range [][]byte{hashOf("unknown"), nil, sess.TokenHash[:16]} {
			_, err = s.ResolveSession(t.Context(), hash, at, longAgo)
			require.ErrorIs(t, err, clientele.ErrNotFound, "hash %x", hash)
		}
	})

	t.Run("AbsoluteExpiry", func(t *testing.T) {
		s := newStore(t)
		a := mustAgency(t, s, "")
		c := mustClient(t, s, a.ID, "Globex")
		sess := newSession(a.ID, mustMember(t, s, c, "ada@example.com", clientele.RoleAdmin))
		require.NoError(t, s.CreateSession(t.Context(), sess))

		_, err := s.ResolveSession(t.Context(), sess.TokenHash, sess.ExpiresAt.Add(-time.Microsecond), longAgo)
		require.NoError(t, err, "a microsecond before the end")
		_, err = s.ResolveSession(t.Context(), sess.TokenHash, sess.ExpiresAt, longAgo)
		require.ErrorIs(t, err, clientele.ErrNotFound, "at the end")
		_, err = s.ResolveSession(t.Context(), sess.TokenHash, sess.ExpiresAt.Add(time.Hour), longAgo)
		require.ErrorIs(t, err, clientele.ErrNotFound, "after the end")
	})

	t.Run("IdleExpiry", func(t *testing.T) {
		s := newStore(t)
		a := mustAgency(t, s, "")
		c := mustClient(t, s, a.ID, "Globex")
		sess := newSession(a.ID, mustMember(t, s, c, "ada@example.com", clientele.RoleAdmin))
		require.NoError(t, s.CreateSession(t.Context(), sess))

		_, err := s.ResolveSession(t.Context(), sess.TokenHash, at, sess.LastSeenAt.Add(-time.Microsecond))
		require.NoError(t, err, "seen a microsecond after the cut-off")
		_, err = s.ResolveSession(t.Context(), sess.TokenHash, at, sess.LastSeenAt)
		require.ErrorIs(t, err, clientele.ErrNotFound, "seen at the cut-off")

		seen := base.Add(30 * time.Minute)
		require.NoError(t, s.TouchSession(t.Context(), sess.TokenHash, seen))
		got, err := s.ResolveSession(t.Context(), sess.TokenHash, seen, seen.Add(-time.Microsecond))
		require.NoError(t, err, "touched")
		assert.Equal(t, seen, got.Session.LastSeenAt.UTC())
		_, err = s.ResolveSession(t.Context(), sess.TokenHash, seen, seen)
		require.ErrorIs(t, err, clientele.ErrNotFound)

		require.NoError(t, s.TouchSession(t.Context(), sess.TokenHash, seen), "the same time again")
		require.NoError(t, s.TouchSession(t.Context(), hashOf("unknown"), seen), "a missing session")
	})

	t.Run("RemoveMember", func(t *testing.T) {
		s := newStore(t)
		a := mustAgency(t, s, "")
		c := mustClient(t, s, a.ID, "Globex")
		other := mustClient(t, s, a.ID, "Initech")
		m := mustMember(t, s, c, "ada@example.com", clientele.RoleMember)
		stays := newSession(a.ID, mustMember(t, s, other, "ada@example.com", clientele.RoleMember))
		ends := newSession(a.ID, m)
		require.NoError(t, s.CreateSession(t.Context(), ends))
		require.NoError(t, s.CreateSession(t.Context(), stays))

		require.NoError(t, s.RemoveMember(t.Context(), c.ID, m.UserID, false, stamp()))
		_, err := s.ResolveSession(t.Context(), ends.TokenHash, at, longAgo)
		require.ErrorIs(t, err, clientele.ErrNotFound, "removing the membership ends its sessions")
		_, err = s.ResolveSession(t.Context(), stays.TokenHash, at, longAgo)
		require.NoError(t, err, "the user's other membership keeps its session")

		mustMember(t, s, c, "ada@example.com", clientele.RoleMember) // invited again
		_, err = s.ResolveSession(t.Context(), ends.TokenHash, at, longAgo)
		require.ErrorIs(t, err, clientele.ErrNotFound, "a new membership does not revive the old session")
	})

	t.Run("Delete", func(t *testing.T) {
		s := newStore(t)
		a := mustAgency(t, s, "")
		c := mustClient(t, s, a.ID, "Globex")
		m := mustMember(t, s, c, "ada@example.com", clientele.RoleMember)
		gone, kept := newSession(a.ID, m), newSession(a.ID, m)
		require.NoError(t, s.CreateSession(t.Context(), gone))
		require.NoError(t, s.CreateSession(t.Context(), kept))

		require.NoError(t, s.DeleteSession(t.Context(), gone.TokenHash))
		_, err := s.ResolveSession(t.Context(), gone.TokenHash, at, longAgo)
		require.ErrorIs(t, err, clientele.ErrNotFound)
		_, err = s.ResolveSession(t.Context(), kept.TokenHash, at, longAgo)
		require.NoError(t, err)
		require.NoError(t, s.DeleteSession(t.Context(), gone.TokenHash), "a missing session is no error")
	})

	t.Run("DeleteUserSessions", func(t *testing.T) {
		s := newStore(t)
		a := mustAgency(t, s, "")
		b := mustAgency(t, s, "")
		c1 := mustClient(t, s, a.ID, "Globex")
		c2 := mustClient(t, s, a.ID, "Initech")
		cb := mustClient(t, s, b.ID, "Umbrella")
		m1 := mustMember(t, s, c1, "ada@example.com", clientele.RoleAdmin)
		m2 := mustMember(t, s, c2, "ada@example.com", clientele.RoleAdmin)
		bob := mustMember(t, s, c1, "bob@example.com", clientele.RoleAdmin)
		adaB := mustMember(t, s, cb, "ada@example.com", clientele.RoleAdmin) // same email, other agency
		mine := []authn.Session{newSession(a.ID, m1), newSession(a.ID, m1), newSession(a.ID, m2)}
		others := []authn.Session{newSession(a.ID, bob), newSession(b.ID, adaB)}
		for _, sess := range append(append([]authn.Session{}, mine...), others...) {
			require.NoError(t, s.CreateSession(t.Context(), sess))
		}

		n, err := s.DeleteUserSessions(t.Context(), b.ID, m1.UserID)
		require.NoError(t, err)
		assert.Zero(t, n, "the user is not of agency b")
		n, err = s.DeleteUserSessions(t.Context(), a.ID, m1.UserID)
		require.NoError(t, err)
		assert.Equal(t, len(mine), n)
		for _, sess := range mine {
			_, err := s.ResolveSession(t.Context(), sess.TokenHash, at, longAgo)
			require.ErrorIs(t, err, clientele.ErrNotFound)
		}
		for _, sess := range others {
			_, err := s.ResolveSession(t.Context(), sess.TokenHash, at, longAgo)
			require.NoError(t, err, "another user's session")
		}
		n, err = s.DeleteUserSessions(t.Context(), a.ID, m1.UserID)
		require.NoError(t, err)
		assert.Zero(t, n)
		_, err = s.DeleteUserSessions(t.Context(), "", m1.UserID)
		require.ErrorIs(t, err, clientele.ErrMissingScope)
	})

	t.Run("CreateErrors", func(t *testing.T) {
		s := newStore(t)
		a := mustAgency(t, s, "")
		b := mustAgency(t, s, "")
		c := mustClient(t, s, a.ID, "Globex")
		other := mustClient(t, s, a.ID, "Initech")
		m := mustMember(t, s, c, "ada@example.com", clientele.RoleAdmin)
		sess := newSession(a.ID, m)
		require.NoError(t, s.CreateSession(t.Context(), sess))

		dup := newSession(a.ID, m)
		dup.TokenHash = sess.TokenHash
		require.ErrorIs(t, s.CreateSession(t.Context(), dup), clientele.ErrDuplicate)

		for name, change := range map[string]func(*authn.Session){
			"not a member of the client": func(x *authn.Session) { x.ClientID = other.ID },
			"unknown client":             func(x *authn.Session) { x.ClientID = "cli_unknown" },
			"unknown user":               func(x *authn.Session) { x.UserID = "usr_unknown" },
			"another agency":             func(x *authn.Session) { x.AgencyID = b.ID },
		} {
			x := newSession(a.ID, m)
			change(&x)
			require.ErrorIs(t, s.CreateSession(t.Context(), x), clientele.ErrNotFound, name)
			_, err := s.ResolveSession(t.Context(), x.TokenHash, at, longAgo)
			require.ErrorIs(t, err, clientele.ErrNotFound, name)
		}
		for name, tc := range map[string]struct {
			change func(*authn.Session)
			want   error
		}{
			"no agency":  {func(x *authn.Session) { x.AgencyID = "" }, clientele.ErrMissingScope},
			"no client":  {func(x *authn.Session) { x.ClientID = "" }, clientele.ErrMissingScope},
			"short hash": {func(x *authn.Session) { x.TokenHash = x.TokenHash[:31] }, clientele.ErrInvalidArgument},
			"no user":    {func(x *authn.Session) { x.UserID = "" }, clientele.ErrInvalidArgument},
		} {
			x := newSession(a.ID, m)
			tc.change(&x)
			require.ErrorIs(t, s.CreateSession(t.Context(), x), tc.want, name)
		}
	})
}
