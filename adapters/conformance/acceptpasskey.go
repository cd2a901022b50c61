package conformance

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/clientele/clientele"
	"github.com/clientele/clientele/invite"
)

func testAcceptPasskey(t *testing.T, newStore newStoreFunc) {
	// withPasskey sets up acc with a passkey of its new user, without a
	// password.
	withPasskey := func(acc invite.Acceptance, agency clientele.AgencyID) (invite.Acceptance, clientele.Passkey) {
		p := newPasskey(agency, acc.NewUser.ID)
		p.CreatedAt = acc.Now
		acc.Passkey, acc.PasswordHash = &p, ""
		return acc, p
	}

	t.Run("NewUser", func(t *testing.T) {
		s := newStore(t)
		a := mustAgency(t, s, "")
		c := mustClient(t, s, a.ID, "Globex")
		inv := mustInvite(t, s, c, "ada@example.com", clientele.RoleAdmin)
		acc, p := withPasskey(newAcceptance(inv), a.ID)

		m := mustAccept(t, s, acc)
		assert.Equal(t, acc.NewUser.ID, m.UserID)
		requirePasskey(t, s, p)
		list, err := s.Passkeys(t.Context(), a.ID, m.UserID)
		require.NoError(t, err)
		assert.Equal(t, normPasskeys([]clientele.Passkey{p}), normPasskeys(list))
		_, hash, err := s.Credentials(t.Context(), a.ID, inv.Email)
		require.NoError(t, err)
		assert.Empty(t, hash, "no password")
	})

	t.Run("ExistingUser", func(t *testing.T) {
		s := newStore(t)
		a := mustAgency(t, s, "")
		first := mustClient(t, s, a.ID, "Globex")
		second := mustClient(t, s, a.ID, "Initech")
		m := mustMember(t, s, first, "ada@example.com", clientele.RoleAdmin)
		inv := mustInvite(t, s, second, "ada@example.com", clientele.RoleMember)
		acc, p := withPasskey(newAcceptance(inv), a.ID)
		p2 := p
		acc.Passkey = &p2
		p2.UserID = m.UserID // even when it names the existing user

		_, err := s.AcceptInvitation(t.Context(), acc)
		require.ErrorIs(t, err, invite.ErrSignInRequired, "a new account's passkey for an existing account")
		requireUnchanged(t, s, second, inv, p)
		acc.Account = m.UserID
		_, err = s.AcceptInvitation(t.Context(), acc)
		require.ErrorIs(t, err, invite.ErrHasAccount, "a passkey for the proven account")
		requireUnchanged(t, s, second, inv, p)
		list, err := s.Passkeys(t.Context(), a.ID, m.UserID)
		require.NoError(t, err)
		assert.Empty(t, list, "the existing user's credentials are untouched")
		_, err = s.Member(t.Context(), second.ID, m.UserID)
		require.ErrorIs(t, err, clientele.ErrNotFound, "no membership")
	})

	t.Run("DuplicateCredential", func(t *testing.T) {
		s := newStore(t)
		a := mustAgency(t, s, "")
		b := mustAgency(t, s, "")
		c := mustClient(t, s, a.ID, "Globex")
		cb := mustClient(t, s, b.ID, "Initech")
		owner := mustMember(t, s, cb, "bob@example.com", clientele.RoleAdmin)
		taken := newPasskey(b.ID, owner.UserID)
		require.NoError(t, s.CreatePasskey(t.Context(), taken, userChange(owner.UserID)))
		inv := mustInvite(t, s, c, "ada@example.com", clientele.RoleAdmin)
		acc, p := withPasskey(newAcceptance(inv), a.ID)
		p.ID = taken.ID
		acc.Passkey = &p

		_, err := s.AcceptInvitation(t.Context(), acc)
		require.ErrorIs(t, err, clientele.ErrDuplicate)
		requireUnchanged(t, s, c, inv, clientele.Passkey{})
		requirePasskey(t, s, taken)
		_, err = s.UserByEmail(t.Context(), a.ID, inv.Email)
		require.ErrorIs(t, err, clientele.ErrNotFound, "no user created")

		acc, _ = withPasskey(newAcceptance(inv), a.ID)
		mustAccept(t, s, acc) // a fresh id then works
	})
}

// requireUnchanged fails unless inv is still pending and client c's only
// entries are its members and inv, and unless passkey p (if any) is not
// stored.
func requireUnchanged(t *testing.T, s Store, c clientele.Client, inv clientele.Invitation, p clientele.Passkey) {
	t.Helper()
	got, err := s.Invitation(t.Context(), c.ID, inv.ID)
	require.NoError(t, err)
	assert.Equal(t, clientele.InvitationPending, got.Status, "the invitation is still pending")
	for _, e := range listAll(t, s, c.ID, acceptAt) {
		if e.Email == inv.Email {
			assert.Equal(t, pendingEntry(inv), e, "no membership")
		}
	}
	if p.ID != nil {
		_, err := s.Passkey(t.Context(), p.ID)
		require.ErrorIs(t, err, clientele.ErrNotFound, "no passkey stored")
	}
}
