package conformance

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/clientele/clientele"
)

func testCredentials(t *testing.T, newStore newStoreFunc) {
	t.Run("Credentials", func(t *testing.T) {
		s := newStore(t)
		a := mustAgency(t, s, "")
		b := mustAgency(t, s, "")
		empty := mustAgency(t, s, "")
		ca := mustClient(t, s, a.ID, "Globex")
		cb := mustClient(t, s, b.ID, "Initech")
		accA := newAcceptance(mustInvite(t, s, ca, "ada@example.com", clientele.RoleAdmin))
		mustAccept(t, s, accA)
		accB := newAcceptance(mustInvite(t, s, cb, "ada@example.com", clientele.RoleAdmin))
		accB.PasswordHash = ""
		mustAccept(t, s, accB)

		u, hash, err := s.Credentials(t.Context(), a.ID, "ada@example.com")
		require.NoError(t, err)
		assert.Equal(t, normUser(clientele.User{ID: accA.NewUser.ID, AgencyID: a.ID, Email: "ada@example.com",
			Name: accA.NewUser.Name, CreatedAt: accA.NewUser.CreatedAt}), normUser(u))
		assert.Equal(t, accA.PasswordHash, hash)

		u, hash, err = s.Credentials(t.Context(), b.ID, "ada@example.com")
		require.NoError(t, err, "the same email in another agency is another user")
		assert.Equal(t, accB.NewUser.ID, u.ID)
		assert.Empty(t, hash, "a user without a password")

		_, _, err = s.Credentials(t.Context(), empty.ID, "ada@example.com")
		require.ErrorIs(t, err, clientele.ErrNotFound, "agency without the user")
		_, _, err = s.Credentials(t.Context(), a.ID, "bob@example.com")
		require.ErrorIs(t, err, clientele.ErrNotFound, "unknown email")
		_, _, err = s.Credentials(t.Context(), "", "ada@example.com")
		require.ErrorIs(t, err, clientele.ErrMissingScope)
	})

	t.Run("SetPasswordHash", func(t *testing.T) {
		s := newStore(t)
		a := mustAgency(t, s, "")
		other := mustAgency(t, s, "")
		c := mustClient(t, s, a.ID, "Globex")
		m := mustMember(t, s, c, "ada@example.com", clientele.RoleAdmin)

		for _, h := range []string{"new-hash", "new-hash", ""} { // the same hash again is no error
			require.NoError(t, s.SetPasswordHash(t.Context(), a.ID, m.UserID, h))
			_, got, err := s.Credentials(t.Context(), a.ID, m.Email)
			require.NoError(t, err)
			assert.Equal(t, h, got)
		}
		require.NoError(t, s.SetPasswordHash(t.Context(), a.ID, m.UserID, "kept"))

		err := s.SetPasswordHash(t.Context(), other.ID, m.UserID, "stolen")
		require.ErrorIs(t, err, clientele.ErrNotFound, "a user of another agency")
		err = s.SetPasswordHash(t.Context(), a.ID, "usr_unknown", "x")
		require.ErrorIs(t, err, clientele.ErrNotFound)
		err = s.SetPasswordHash(t.Context(), "", m.UserID, "stolen")
		require.ErrorIs(t, err, clientele.ErrMissingScope)
		_, got, err := s.Credentials(t.Context(), a.ID, m.Email)
		require.NoError(t, err)
		assert.Equal(t, "kept", got, "unchanged")
	})

	t.Run("Memberships", func(t *testing.T) {
		s := newStore(t)
		a := mustAgency(t, s, "")
		other := mustAgency(t, s, "")
		c1 := mustClient(t, s, a.ID, "Globex")
		c2 := mustClient(t, s, a.ID, "Initech")
		c3 := mustClient(t, s, a.ID, "Umbrella")
		m1 := mustMember(t, s, c1, "ada@example.com", clientele.RoleAdmin)
		m2 := mustMember(t, s, c2, "ada@example.com", clientele.RoleMember)
		mustMember(t, s, c3, "bob@example.com", clientele.RoleAdmin)
		require.Equal(t, m1.UserID, m2.UserID, "one user, two memberships")
		d, err := s.SetMemberStatus(t.Context(), c2.ID, m2.UserID, clientele.StatusDeactivated, stamp())
		require.NoError(t, err)

		want := []clientele.Membership{normMember(m1).Membership, normMember(d).Membership}
		if want[0].ClientID > want[1].ClientID {
			want[0], want[1] = want[1], want[0]
		}
		got, err := s.Memberships(t.Context(), a.ID, m1.UserID)
		require.NoError(t, err)
		for i := range got {
			got[i].CreatedAt, got[i].LastActiveAt = normTime(got[i].CreatedAt), normTimePtr(got[i].LastActiveAt)
		}
		assert.Equal(t, want, got, "every status, ordered by client id")

		got, err = s.Memberships(t.Context(), other.ID, m1.UserID)
		require.NoError(t, err)
		assert.Empty(t, got, "another agency")
		got, err = s.Memberships(t.Context(), a.ID, "usr_unknown")
		require.NoError(t, err)
		assert.Empty(t, got)
		_, err = s.Memberships(t.Context(), "", m1.UserID)
		require.ErrorIs(t, err, clientele.ErrMissingScope)
	})
}
