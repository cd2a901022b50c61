package conformance

import (
	"time"

	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/clientele/clientele"
	"github.com/clientele/clientele/invite"
)

func testInvitation(t *testing.T, newStore newStoreFunc) {
	t.Run("CreateAndGet", func(t *testing.T) {
		s := newStore(t)
		a := mustAgency(t, s, "")
		c := mustClient(t, s, a.ID, "Globex")
		admin := mustMember(t, s, c, "admin@example.com", clientele.RoleAdmin)

		inv := newInvitation(c, "ada@example.com", clientele.RoleMember)
		inv.InvitedBy = admin.UserID
		hash := append([]byte(nil), inv.TokenHash...)
		require.NoError(t, s.CreateInvitation(t.Context(), inv, base, nil, stamp()))
		inv.TokenHash[0] ^= 0xff // the store keeps its own copy
		inv.TokenHash = hash

		got, err := s.Invitation(t.Context(), c.ID, inv.ID)
		require.NoError(t, err)
		assert.Equal(t, normInvitation(inv), normInvitation(got))

		byHash, err := s.InvitationByTokenHash(t.Context(), hash)
		require.NoError(t, err)
		assert.Equal(t, normInvitation(inv), normInvitation(byHash))

		// Results are copies.
		got.TokenHash[0] ^= 0xff
		byHash.TokenHash[0] ^= 0xff
		again, err := s.InvitationByTokenHash(t.Context(), hash)
		require.NoError(t, err)
		assert.Equal(t, normInvitation(inv), normInvitation(again))
	})

	t.Run("Unknown", func(t *testing.T) {
		s := newStore(t)
		a := mustAgency(t, s, "")
		c := mustClient(t, s, a.ID, "Globex")
		mustInvite(t, s, c, "ada@example.com", clientele.RoleMember)
		_, err := s.Invitation(t.Context(), c.ID, "inv_unknown")
		require.ErrorIs(t, err, clientele.ErrNotFound)
		for _, hash := range [][]byte{hashOf("unknown"), nil, {}} {
			_, err = s.InvitationByTokenHash(t.Context(), hash)
			require.ErrorIs(t, err, clientele.ErrNotFound, "hash %x", hash)
		}
	})

	t.Run("UnknownClient", func(t *testing.T) {
		s := newStore(t)
		a := mustAgency(t, s, "")
		other := mustAgency(t, s, "")
		c := mustClient(t, s, a.ID, "Globex")

		unknown := newInvitation(clientele.Client{ID: "cli_unknown", AgencyID: a.ID}, "ada@example.com", clientele.RoleMember)
		require.ErrorIs(t, s.CreateInvitation(t.Context(), unknown, base, nil, stamp()), clientele.ErrNotFound)

		wrongAgency := newInvitation(c, "ada@example.com", clientele.RoleMember)
		wrongAgency.AgencyID = other.ID
		require.ErrorIs(t, s.CreateInvitation(t.Context(), wrongAgency, base, nil, stamp()), clientele.ErrNotFound)

		for _, inv := range []clientele.Invitation{unknown, wrongAgency} {
			_, err := s.InvitationByTokenHash(t.Context(), inv.TokenHash)
			require.ErrorIs(t, err, clientele.ErrNotFound, "nothing stored")
		}
	})

	t.Run("AlreadyMember", func(t *testing.T) {
		for _, status := range []clientele.MemberStatus{clientele.StatusActive, clientele.StatusDeactivated} {
			t.Run(string(status), func(t *testing.T) {
				s := newStore(t)
				a := mustAgency(t, s, "")
				c := mustClient(t, s, a.ID, "Globex")
				m := mustMember(t, s, c, "ada@example.com", clientele.RoleMember)
				_, err := s.SetMemberStatus(t.Context(), c.ID, m.UserID, status, stamp())
				require.NoError(t, err)

				email, err := clientele.ParseEmail("  Ada@Example.COM ")
				require.NoError(t, err)
				inv := newInvitation(c, email, clientele.RoleAdmin)
				require.ErrorIs(t, s.CreateInvitation(t.Context(), inv, base, nil, stamp()), invite.ErrAlreadyMember)
				_, err = s.Invitation(t.Context(), c.ID, inv.ID)
				require.ErrorIs(t, err, clientele.ErrNotFound, "nothing stored")

				// Another email, or the same email in another client, is fine.
				mustInvite(t, s, c, "ada2@example.com", clientele.RoleMember)
				mustInvite(t, s, mustClient(t, s, a.ID, "Initech"), email, clientele.RoleMember)
			})
		}
	})

	t.Run("PendingExists", func(t *testing.T) {
		s := newStore(t)
		a := mustAgency(t, s, "")
		c := mustClient(t, s, a.ID, "Globex")
		first := mustInvite(t, s, c, "ada@example.com", clientele.RoleMember)

		// Still pending one microsecond before its expiry.
		second := newInvitation(c, "ada@example.com", clientele.RoleAdmin)
		err := s.CreateInvitation(t.Context(), second, first.ExpiresAt.Add(-time.Microsecond), nil, stamp())
		require.ErrorIs(t, err, invite.ErrPendingExists)
		_, err = s.Invitation(t.Context(), c.ID, second.ID)
		require.ErrorIs(t, err, clientele.ErrNotFound, "nothing stored")
		got, err := s.Invitation(t.Context(), c.ID, first.ID)
		require.NoError(t, err)
		assert.Equal(t, normInvitation(first), normInvitation(got), "the first is unchanged")

		mustInvite(t, s, c, "bob@example.com", clientele.RoleMember)
		mustInvite(t, s, mustClient(t, s, a.ID, "Initech"), "ada@example.com", clientele.RoleMember)
	})

	t.Run("ExpiredDoesNotBlock", func(t *testing.T) {
		s := newStore(t)
		a := mustAgency(t, s, "")
		c := mustClient(t, s, a.ID, "Globex")
		first := mustInvite(t, s, c, "ada@example.com", clientele.RoleMember)

		now := first.ExpiresAt // expired from ExpiresAt on
		second := newInvitation(c, "ada@example.com", clientele.RoleAdmin)
		second.CreatedAt, second.ExpiresAt = now, now.Add(ttl)
		require.NoError(t, s.CreateInvitation(t.Context(), second, now, nil, stamp()))

		old, err := s.Invitation(t.Context(), c.ID, first.ID)
		require.NoError(t, err)
		assert.Equal(t, clientele.InvitationExpired, old.Status, "marked expired")
		got, err := s.Invitation(t.Context(), c.ID, second.ID)
		require.NoError(t, err)
		assert.Equal(t, clientele.InvitationPending, got.Status)
	})

	t.Run("EndedDoesNotBlock", func(t *testing.T) {
		s := newStore(t)
		a := mustAgency(t, s, "")
		c := mustClient(t, s, a.ID, "Globex")
		cancelled := mustInvite(t, s, c, "ada@example.com", clientele.RoleMember)
		require.NoError(t, s.CancelInvitation(t.Context(), c.ID, cancelled.ID, stamp()))
		mustInvite(t, s, c, "ada@example.com", clientele.RoleMember)

		// Removed members may be invited again.
		m := mustMember(t, s, c, "bob@example.com", clientele.RoleMember)
		require.NoError(t, s.RemoveMember(t.Context(), c.ID, m.UserID, false, stamp()))
		mustInvite(t, s, c, "bob@example.com", clientele.RoleMember)
	})

	t.Run("Duplicate", func(t *testing.T) {
		s := newStore(t)
		a := mustAgency(t, s, "")
		c := mustClient(t, s, a.ID, "Globex")
		other := mustClient(t, s, a.ID, "Initech")
		first := mustInvite(t, s, c, "ada@example.com", clientele.RoleMember)

		sameID := newInvitation(c, "bob@example.com", clientele.RoleMember)
		sameID.ID = first.ID
		require.ErrorIs(t, s.CreateInvitation(t.Context(), sameID, base, nil, stamp()), clientele.ErrDuplicate)
		_, err := s.InvitationByTokenHash(t.Context(), sameID.TokenHash)
		require.ErrorIs(t, err, clientele.ErrNotFound, "nothing stored")

		for _, cl := range []clientele.Client{c, other} {
			sameHash := newInvitation(cl, "carol@example.com", clientele.RoleMember)
			sameHash.TokenHash = append([]byte(nil), first.TokenHash...)
			require.ErrorIs(t, s.CreateInvitation(t.Context(), sameHash, base, nil, stamp()), clientele.ErrDuplicate)
			_, err = s.Invitation(t.Context(), cl.ID, sameHash.ID)
			require.ErrorIs(t, err, clientele.ErrNotFound, "nothing stored")
		}

		got, err := s.InvitationByTokenHash(t.Context(), first.TokenHash)
		require.NoError(t, err)
		assert.Equal(t, normInvitation(first), normInvitation(got))
	})

	t.Run("Cancel", func(t *testing.T) {
		s := newStore(t)
		a := mustAgency(t, s, "")
		c := mustClient(t, s, a.ID, "Globex")

		inv := mustInvite(t, s, c, "ada@example.com", clientele.RoleMember)
		require.NoError(t, s.CancelInvitation(t.Context(), c.ID, inv.ID, stamp()))
		got, err := s.Invitation(t.Context(), c.ID, inv.ID)
		require.NoError(t, err)
		want := inv
		want.Status = clientele.InvitationCancelled
		assert.Equal(t, normInvitation(want), normInvitation(got))
		require.ErrorIs(t, s.CancelInvitation(t.Context(), c.ID, inv.ID, stamp()), invite.ErrCancelled, "twice")

		accepted := mustInvite(t, s, c, "bob@example.com", clientele.RoleMember)
		mustAccept(t, s, newAcceptance(accepted))
		require.ErrorIs(t, s.CancelInvitation(t.Context(), c.ID, accepted.ID, stamp()), invite.ErrUsed)

		replaced := mustInvite(t, s, c, "carol@example.com", clientele.RoleMember)
		require.NoError(t, s.ReplaceInvitation(t.Context(), c.ID, replaced.ID, newInvitation(c, replaced.Email, replaced.Role), nil, stamp()))
		require.ErrorIs(t, s.CancelInvitation(t.Context(), c.ID, replaced.ID, stamp()), invite.ErrReplaced)

		require.ErrorIs(t, s.CancelInvitation(t.Context(), c.ID, "inv_unknown", stamp()), clientele.ErrNotFound)
	})
}
