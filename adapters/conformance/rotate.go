package conformance

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/clientele/clientele"
	"github.com/clientele/clientele/invite"
)

func testRotateToken(t *testing.T, newStore newStoreFunc) {
	t.Run("Pending", func(t *testing.T) {
		s := newStore(t)
		a := mustAgency(t, s, "")
		c := mustClient(t, s, a.ID, "Globex")
		inv, _ := mustQueue(t, s, c, "ada@example.com")
		taken := mustInvite(t, s, c, "bob@example.com", clientele.RoleMember)

		fresh := hashOf("rotated " + string(inv.ID))
		got, err := s.RotateInvitationToken(t.Context(), c.ID, inv.ID, fresh, base)
		require.NoError(t, err)
		want := inv
		want.TokenHash = fresh
		assert.Equal(t, normInvitation(want), normInvitation(got))
		byHash, err := s.InvitationByTokenHash(t.Context(), fresh)
		require.NoError(t, err)
		assert.Equal(t, inv.ID, byHash.ID)
		_, err = s.InvitationByTokenHash(t.Context(), inv.TokenHash)
		require.ErrorIs(t, err, clientele.ErrNotFound, "the old link no longer finds it")
		mustAccept(t, s, newAcceptance(want))

		_, err = s.RotateInvitationToken(t.Context(), c.ID, taken.ID, fresh, base)
		require.ErrorIs(t, err, clientele.ErrDuplicate)
		_, err = s.RotateInvitationToken(t.Context(), c.ID, "inv_unknown", hashOf("x"), base)
		require.ErrorIs(t, err, clientele.ErrNotFound)
		other := mustClient(t, s, a.ID, "Initech")
		_, err = s.RotateInvitationToken(t.Context(), other.ID, taken.ID, hashOf("y"), base)
		require.ErrorIs(t, err, clientele.ErrNotFound, "through another client")
		_, err = s.RotateInvitationToken(t.Context(), "", taken.ID, hashOf("z"), base)
		require.ErrorIs(t, err, clientele.ErrMissingScope)
		got, err = s.Invitation(t.Context(), c.ID, taken.ID)
		require.NoError(t, err)
		assert.Equal(t, normInvitation(taken), normInvitation(got), "unchanged")
	})

	t.Run("NotPending", func(t *testing.T) {
		for _, tc := range append(endings(), ending{"expired by time", func(*testing.T, Store, clientele.Client, clientele.Invitation) {}, invite.ErrExpired}) {
			t.Run(tc.name, func(t *testing.T) {
				s := newStore(t)
				a := mustAgency(t, s, "")
				c := mustClient(t, s, a.ID, "Globex")
				inv := mustInvite(t, s, c, "ada@example.com", clientele.RoleMember)
				tc.end(t, s, c, inv)
				before, err := s.Invitation(t.Context(), c.ID, inv.ID)
				require.NoError(t, err)

				_, err = s.RotateInvitationToken(t.Context(), c.ID, inv.ID, hashOf("rotated"), inv.ExpiresAt)
				require.ErrorIs(t, err, tc.want)
				after, err := s.Invitation(t.Context(), c.ID, inv.ID)
				require.NoError(t, err)
				assert.Equal(t, normInvitation(before), normInvitation(after), "unchanged")
				_, err = s.InvitationByTokenHash(t.Context(), hashOf("rotated"))
				require.ErrorIs(t, err, clientele.ErrNotFound)
			})
		}
	})
}
