package conformance

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/clientele/clientele"
	"github.com/clientele/clientele/tenancy"
)

func testReplace(t *testing.T, newStore newStoreFunc) {
	t.Run("PendingOld", func(t *testing.T) {
		s := newStore(t)
		a := mustAgency(t, s, "")
		c := mustClient(t, s, a.ID, "Globex")
		old := mustInvite(t, s, c, "ada@example.com", clientele.RoleMember)

		next := newInvitation(c, old.Email, clientele.RoleMember)
		next.CreatedAt, next.ExpiresAt = base.Add(time.Hour), base.Add(time.Hour+ttl)
		require.NoError(t, s.ReplaceInvitation(t.Context(), c.ID, old.ID, next, nil, stamp()))

		wantOld := old
		wantOld.Status, wantOld.ReplacedBy = clientele.InvitationReplaced, next.ID
		got, err := s.Invitation(t.Context(), c.ID, old.ID)
		require.NoError(t, err)
		assert.Equal(t, normInvitation(wantOld), normInvitation(got))
		got, err = s.InvitationByTokenHash(t.Context(), old.TokenHash)
		require.NoError(t, err)
		assert.Equal(t, normInvitation(wantOld), normInvitation(got), "the old link finds the old invitation")

		got, err = s.Invitation(t.Context(), c.ID, next.ID)
		require.NoError(t, err)
		assert.Equal(t, normInvitation(next), normInvitation(got))
		got, err = s.InvitationByTokenHash(t.Context(), next.TokenHash)
		require.NoError(t, err)
		assert.Equal(t, normInvitation(next), normInvitation(got))

		assert.Equal(t, []tenancy.Entry{pendingEntry(next)}, listAll(t, s, c.ID, base.Add(time.Hour)))
	})

	t.Run("TimeExpiredOld", func(t *testing.T) {
		s := newStore(t)
		a := mustAgency(t, s, "")
		c := mustClient(t, s, a.ID, "Globex")
		old := mustInvite(t, s, c, "ada@example.com", clientele.RoleMember)
		next := newInvitation(c, old.Email, clientele.RoleMember)
		next.CreatedAt, next.ExpiresAt = old.ExpiresAt.Add(time.Hour), old.ExpiresAt.Add(time.Hour+ttl)
		require.NoError(t, s.ReplaceInvitation(t.Context(), c.ID, old.ID, next, nil, stamp()))
		got, err := s.Invitation(t.Context(), c.ID, old.ID)
		require.NoError(t, err)
		assert.Equal(t, clientele.InvitationReplaced, got.Status)
	})

	t.Run("NotPending", func(t *testing.T) {
		for _, tc := range endings() {
			t.Run(tc.name, func(t *testing.T) {
				s := newStore(t)
				a := mustAgency(t, s, "")
				c := mustClient(t, s, a.ID, "Globex")
				inv := mustInvite(t, s, c, "ada@example.com", clientele.RoleMember)
				tc.end(t, s, c, inv)
				before, err := s.Invitation(t.Context(), c.ID, inv.ID)
				require.NoError(t, err)

				next := newInvitation(c, inv.Email, inv.Role)
				require.ErrorIs(t, s.ReplaceInvitation(t.Context(), c.ID, inv.ID, next, nil, stamp()), tc.want)
				_, err = s.Invitation(t.Context(), c.ID, next.ID)
				require.ErrorIs(t, err, clientele.ErrNotFound, "next is not stored")
				after, err := s.Invitation(t.Context(), c.ID, inv.ID)
				require.NoError(t, err)
				assert.Equal(t, normInvitation(before), normInvitation(after), "old is unchanged")
			})
		}
	})

	t.Run("Refused", func(t *testing.T) {
		s := newStore(t)
		a := mustAgency(t, s, "")
		c := mustClient(t, s, a.ID, "Globex")
		other := mustClient(t, s, a.ID, "Initech")
		old := mustInvite(t, s, c, "ada@example.com", clientele.RoleMember)
		taken := mustInvite(t, s, c, "bob@example.com", clientele.RoleMember)

		unknown := newInvitation(c, old.Email, old.Role)
		require.ErrorIs(t, s.ReplaceInvitation(t.Context(), c.ID, "inv_unknown", unknown, nil, stamp()), clientele.ErrNotFound)

		sameHash := newInvitation(c, old.Email, old.Role)
		sameHash.TokenHash = taken.TokenHash
		require.ErrorIs(t, s.ReplaceInvitation(t.Context(), c.ID, old.ID, sameHash, nil, stamp()), clientele.ErrDuplicate)
		sameID := newInvitation(c, old.Email, old.Role)
		sameID.ID = taken.ID
		require.ErrorIs(t, s.ReplaceInvitation(t.Context(), c.ID, old.ID, sameID, nil, stamp()), clientele.ErrDuplicate)

		// The replacement must be for the same client and email.
		otherEmail := newInvitation(c, "carol@example.com", old.Role)
		require.Error(t, s.ReplaceInvitation(t.Context(), c.ID, old.ID, otherEmail, nil, stamp()))
		otherClient := newInvitation(other, old.Email, old.Role)
		require.Error(t, s.ReplaceInvitation(t.Context(), c.ID, old.ID, otherClient, nil, stamp()))

		got, err := s.Invitation(t.Context(), c.ID, old.ID)
		require.NoError(t, err)
		assert.Equal(t, normInvitation(old), normInvitation(got), "old is still pending")
		for _, inv := range []clientele.Invitation{unknown, otherEmail, otherClient} {
			_, err := s.InvitationByTokenHash(t.Context(), inv.TokenHash)
			require.ErrorIs(t, err, clientele.ErrNotFound, "nothing stored")
		}
		got, err = s.InvitationByTokenHash(t.Context(), taken.TokenHash)
		require.NoError(t, err)
		assert.Equal(t, normInvitation(taken), normInvitation(got))
	})
}
