package conformance

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/clientele/clientele"
	"github.com/clientele/clientele/invite"
	"github.com/clientele/clientele/tenancy"
)

func testAccept(t *testing.T, newStore newStoreFunc) {
	t.Run("NewUser", func(t *testing.T) {
		s := newStore(t)
		a := mustAgency(t, s, "")
		c := mustClient(t, s, a.ID, "Globex")
		inv := mustInvite(t, s, c, "ada@example.com", clientele.RoleAdmin)
		acc := newAcceptance(inv)

		got, err := s.AcceptInvitation(t.Context(), acc)
		require.NoError(t, err)
		want := clientele.Member{
			Membership: clientele.Membership{ClientID: c.ID, UserID: acc.NewUser.ID, Role: clientele.RoleAdmin,
				Status: clientele.StatusActive, CreatedAt: acc.Now},
			Email: inv.Email,
			Name:  acc.NewUser.Name,
		}
		assert.Equal(t, normMember(want), normMember(got))
		stored, err := s.Member(t.Context(), c.ID, acc.NewUser.ID)
		require.NoError(t, err)
		assert.Equal(t, normMember(want), normMember(stored))

		u, err := s.UserByEmail(t.Context(), a.ID, inv.Email)
		require.NoError(t, err)
		assert.Equal(t, normUser(clientele.User{ID: acc.NewUser.ID, AgencyID: a.ID, Email: inv.Email,
			Name: acc.NewUser.Name, CreatedAt: acc.NewUser.CreatedAt}), normUser(u))
		id, hash, err := s.PasswordHash(t.Context(), a.ID, inv.Email)
		require.NoError(t, err)
		assert.Equal(t, acc.NewUser.ID, id)
		assert.Equal(t, acc.PasswordHash, hash)

		used, err := s.Invitation(t.Context(), c.ID, inv.ID)
		require.NoError(t, err)
		wantInv := inv
		wantInv.Status, wantInv.AcceptedBy = clientele.InvitationAccepted, acc.NewUser.ID
		assert.Equal(t, normInvitation(wantInv), normInvitation(used))
	})

	t.Run("NotUsable", func(t *testing.T) {
		for _, tc := range endings() {
			t.Run(tc.name, func(t *testing.T) {
				s := newStore(t)
				a := mustAgency(t, s, "")
				c := mustClient(t, s, a.ID, "Globex")
				inv := mustInvite(t, s, c, "ada@example.com", clientele.RoleMember)
				tc.end(t, s, c, inv)
				before := listAll(t, s, c.ID, acceptAt)
				_, _, hashErr := s.PasswordHash(t.Context(), a.ID, inv.Email)

				_, err := s.AcceptInvitation(t.Context(), newAcceptance(inv))
				require.ErrorIs(t, err, tc.want)
				assert.Equal(t, before, listAll(t, s, c.ID, acceptAt), "nothing changed")
				_, _, err = s.PasswordHash(t.Context(), a.ID, inv.Email)
				assert.Equal(t, hashErr == nil, err == nil, "no user created")
			})
		}
	})

	t.Run("UnknownHash", func(t *testing.T) {
		s := newStore(t)
		a := mustAgency(t, s, "")
		c := mustClient(t, s, a.ID, "Globex")
		inv := mustInvite(t, s, c, "ada@example.com", clientele.RoleMember)
		for _, hash := range [][]byte{hashOf("unknown"), nil} {
			acc := newAcceptance(inv)
			acc.TokenHash = hash
			_, err := s.AcceptInvitation(t.Context(), acc)
			require.ErrorIs(t, err, clientele.ErrNotFound, "hash %x", hash)
		}
		got, err := s.Invitation(t.Context(), c.ID, inv.ID)
		require.NoError(t, err)
		assert.Equal(t, clientele.InvitationPending, got.Status)
	})

	t.Run("ExpiryBoundary", func(t *testing.T) {
		s := newStore(t)
		a := mustAgency(t, s, "")
		c := mustClient(t, s, a.ID, "Globex")

		last := mustInvite(t, s, c, "ada@example.com", clientele.RoleMember)
		acc := newAcceptance(last)
		acc.Now = last.ExpiresAt.Add(-time.Microsecond)
		mustAccept(t, s, acc)

		late := mustInvite(t, s, c, "bob@example.com", clientele.RoleMember)
		acc = newAcceptance(late)
		acc.Now = late.ExpiresAt
		_, err := s.AcceptInvitation(t.Context(), acc)
		require.ErrorIs(t, err, invite.ErrExpired)

		got, err := s.Invitation(t.Context(), c.ID, late.ID)
		require.NoError(t, err)
		assert.Equal(t, normInvitation(late), normInvitation(got), "still stored as pending")
		_, _, err = s.PasswordHash(t.Context(), a.ID, late.Email)
		require.ErrorIs(t, err, clientele.ErrNotFound, "no user created")
		_, err = s.UserByEmail(t.Context(), a.ID, late.Email)
		require.ErrorIs(t, err, clientele.ErrNotFound, "no user created")
	})

	t.Run("ExistingUser", func(t *testing.T) {
		s := newStore(t)
		a := mustAgency(t, s, "")
		first := mustClient(t, s, a.ID, "Globex")
		second := mustClient(t, s, a.ID, "Initech")
		m1 := mustMember(t, s, first, "ada@example.com", clientele.RoleAdmin)
		_, hash1, err := s.PasswordHash(t.Context(), a.ID, m1.Email)
		require.NoError(t, err)

		inv := mustInvite(t, s, second, m1.Email, clientele.RoleMember)
		acc := newAcceptance(inv)
		acc.NewUser.Name, acc.PasswordHash = "Someone Else", "another-hash"
		acc.Account = m1.UserID
		m2 := mustAccept(t, s, acc)
		assert.Equal(t, m1.UserID, m2.UserID, "the existing user is reused")
		assert.Equal(t, m1.Name, m2.Name)
		assert.Equal(t, second.ID, m2.ClientID)
		assert.Equal(t, clientele.RoleMember, m2.Role)

		id, hash, err := s.PasswordHash(t.Context(), a.ID, m1.Email)
		require.NoError(t, err)
		assert.Equal(t, m1.UserID, id)
		assert.Equal(t, hash1, hash, "the password is untouched")
		u, err := s.UserByEmail(t.Context(), a.ID, m1.Email)
		require.NoError(t, err)
		assert.Equal(t, m1.Name, u.Name, "the name is untouched")
		got, err := s.Member(t.Context(), first.ID, m1.UserID)
		require.NoError(t, err)
		assert.Equal(t, normMember(m1), normMember(got), "the first membership is untouched")
	})

	t.Run("ExistingUserWithoutProof", func(t *testing.T) {
		s := newStore(t)
		a := mustAgency(t, s, "")
		first := mustClient(t, s, a.ID, "Globex")
		second := mustClient(t, s, a.ID, "Initech")
		m1 := mustMember(t, s, first, "ada@example.com", clientele.RoleAdmin)
		other := mustMember(t, s, first, "bob@example.com", clientele.RoleMember)
		_, hash1, err := s.PasswordHash(t.Context(), a.ID, m1.Email)
		require.NoError(t, err)
		inv := mustInvite(t, s, second, m1.Email, clientele.RoleAdmin)
		fresh := mustInvite(t, s, second, "carol@example.com", clientele.RoleAdmin)
		before := listAll(t, s, second.ID, acceptAt)

		for _, tc := range []struct {
			name    string
			inv     clientele.Invitation
			account clientele.UserID
		}{
			{"no proof: a link is not a sign-in", inv, ""},
			{"another user's proof", inv, other.UserID},
			{"an unknown user's proof", inv, "usr_unknown"},
			{"a proof for an email without an account", fresh, m1.UserID},
		} {
			t.Run(tc.name, func(t *testing.T) {
				acc := newAcceptance(tc.inv)
				acc.NewUser.Name, acc.PasswordHash = "Mallory", "mallory-hash"
				acc.Account = tc.account
				_, err := s.AcceptInvitation(t.Context(), acc)
				require.ErrorIs(t, err, invite.ErrSignInRequired)

				assert.Equal(t, before, listAll(t, s, second.ID, acceptAt), "nothing changed")
				got, err := s.Invitation(t.Context(), second.ID, tc.inv.ID)
				require.NoError(t, err)
				assert.Equal(t, normInvitation(tc.inv), normInvitation(got), "the link keeps working")
				id, hash, err := s.PasswordHash(t.Context(), a.ID, m1.Email)
				require.NoError(t, err)
				assert.Equal(t, m1.UserID, id)
				assert.Equal(t, hash1, hash, "the password is untouched")
				u, err := s.UserByEmail(t.Context(), a.ID, m1.Email)
				require.NoError(t, err)
				assert.Equal(t, m1.Name, u.Name, "the name is untouched")
				_, err = s.UserByEmail(t.Context(), a.ID, fresh.Email)
				require.ErrorIs(t, err, clientele.ErrNotFound, "no user created")
			})
		}

		// With the proof, the same link works.
		acc := newAcceptance(inv)
		acc.Account = m1.UserID
		m2 := mustAccept(t, s, acc)
		assert.Equal(t, m1.UserID, m2.UserID)
	})

	t.Run("TwoAgencies", func(t *testing.T) {
		s := newStore(t)
		c1 := mustClient(t, s, mustAgency(t, s, "").ID, "Globex")
		c2 := mustClient(t, s, mustAgency(t, s, "").ID, "Globex")
		m1 := mustMember(t, s, c1, "ada@example.com", clientele.RoleMember)
		m2 := mustMember(t, s, c2, "ada@example.com", clientele.RoleMember)
		assert.NotEqual(t, m1.UserID, m2.UserID, "one user per agency")

		for _, tc := range []struct {
			agency clientele.AgencyID
			member clientele.Member
		}{{c1.AgencyID, m1}, {c2.AgencyID, m2}} {
			id, hash, err := s.PasswordHash(t.Context(), tc.agency, "ada@example.com")
			require.NoError(t, err)
			assert.Equal(t, tc.member.UserID, id)
			assert.Equal(t, "hash-of-"+string(tc.member.UserID), hash)
		}
	})

	t.Run("FailureChangesNothing", func(t *testing.T) {
		s := newStore(t)
		a := mustAgency(t, s, "")
		c := mustClient(t, s, a.ID, "Globex")
		taken := mustMember(t, s, mustClient(t, s, mustAgency(t, s, "").ID, "Other"), "zed@example.com", clientele.RoleMember)
		inv := mustInvite(t, s, c, "ada@example.com", clientele.RoleMember)
		before := listAll(t, s, c.ID, acceptAt)

		for _, tc := range []struct {
			name   string
			change func(a *invite.Acceptance)
			want   error
		}{
			{"user id taken", func(a *invite.Acceptance) { a.NewUser.ID = taken.UserID }, clientele.ErrDuplicate},
			{"no user id", func(a *invite.Acceptance) { a.NewUser.ID = "" }, clientele.ErrInvalidArgument},
			{"expired", func(a *invite.Acceptance) { a.Now = inv.ExpiresAt.Add(time.Second) }, invite.ErrExpired},
		} {
			t.Run(tc.name, func(t *testing.T) {
				acc := newAcceptance(inv)
				tc.change(&acc)
				_, err := s.AcceptInvitation(t.Context(), acc)
				require.ErrorIs(t, err, tc.want)

				got, err := s.Invitation(t.Context(), c.ID, inv.ID)
				require.NoError(t, err)
				assert.Equal(t, normInvitation(inv), normInvitation(got), "still pending")
				assert.Equal(t, before, listAll(t, s, c.ID, acceptAt), "no membership")
				_, err = s.UserByEmail(t.Context(), a.ID, inv.Email)
				require.ErrorIs(t, err, clientele.ErrNotFound, "no user")
				if acc.NewUser.ID != "" {
					_, err = s.Member(t.Context(), c.ID, acc.NewUser.ID)
					require.ErrorIs(t, err, clientele.ErrNotFound, "no membership")
				}
			})
		}

		// The invitation still works afterwards.
		m := mustAccept(t, s, newAcceptance(inv))
		assert.Equal(t, []tenancy.Entry{memberEntry(m)}, listAll(t, s, c.ID, acceptAt))
		other, err := s.Member(t.Context(), taken.ClientID, taken.UserID)
		require.NoError(t, err)
		assert.Equal(t, normMember(taken), normMember(other), "the other agency's user is untouched")
	})
}
