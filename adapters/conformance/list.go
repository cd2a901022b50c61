package conformance

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/clientele/clientele"
	"github.com/clientele/clientele/tenancy"
)

func testListUsers(t *testing.T, newStore newStoreFunc) {
	t.Run("Entries", func(t *testing.T) {
		s := newStore(t)
		a := mustAgency(t, s, "")
		c := mustClient(t, s, a.ID, "Globex")
		other := mustClient(t, s, a.ID, "Initech")
		now := base.Add(2 * time.Hour)

		// Invited in reverse order of email, so insertion order is no help.
		expiring := newInvitation(c, "hal@example.com", clientele.RoleMember)
		expiring.ExpiresAt = now // expired at now, though stored pending
		require.NoError(t, s.CreateInvitation(t.Context(), expiring, base, nil, stamp()))
		cancelled := mustInvite(t, s, c, "gus@example.com", clientele.RoleMember)
		require.NoError(t, s.CancelInvitation(t.Context(), c.ID, cancelled.ID, stamp()))
		replaced := mustInvite(t, s, c, "fay@example.com", clientele.RoleMember)
		resent := newInvitation(c, replaced.Email, clientele.RoleAdmin)
		require.NoError(t, s.ReplaceInvitation(t.Context(), c.ID, replaced.ID, resent, nil, stamp()))
		eve := mustInvite(t, s, c, "eve@example.com", clientele.RoleAdmin)
		dan := mustInvite(t, s, c, "dan@example.com", clientele.RoleMember)
		carol := mustMember(t, s, c, "carol@example.com", clientele.RoleMember)
		bob := mustMember(t, s, c, "bob@example.com", clientele.RoleMember)
		bobOff, err := s.SetMemberStatus(t.Context(), c.ID, bob.UserID, clientele.StatusDeactivated, stamp())
		require.NoError(t, err)
		alice := mustMember(t, s, c, "alice@example.com", clientele.RoleAdmin)
		require.NoError(t, s.RecordActivity(t.Context(), c.ID, alice.UserID, now))
		alice.LastActiveAt = &now
		mustMember(t, s, other, "abe@example.com", clientele.RoleAdmin) // another client
		mustInvite(t, s, other, "amy@example.com", clientele.RoleMember)

		want := []tenancy.Entry{
			memberEntry(alice), memberEntry(bobOff), memberEntry(carol),
			pendingEntry(dan), pendingEntry(eve), pendingEntry(resent),
		}
		assert.Equal(t, want, listAll(t, s, c.ID, now))

		// One microsecond earlier the expiring invitation is still pending.
		earlier := listAll(t, s, c.ID, now.Add(-time.Microsecond))
		assert.Equal(t, append(want, pendingEntry(expiring)), earlier)
	})

	t.Run("Pages", func(t *testing.T) {
		s := newStore(t)
		a := mustAgency(t, s, "")
		c := mustClient(t, s, a.ID, "Globex")
		// Members and invitations interleaved by email.
		for i, email := range []clientele.Email{
			"u07@example.com", "u02@example.com", "u05@example.com", "u01@example.com",
			"u04@example.com", "u06@example.com", "u03@example.com", "u08@example.com",
		} {
			if i%2 == 0 {
				mustMember(t, s, c, email, clientele.RoleMember)
			} else {
				mustInvite(t, s, c, email, clientele.RoleMember)
			}
		}
		all := listAll(t, s, c.ID, base)
		require.Len(t, all, 8)
		for i := 1; i < len(all); i++ {
			require.Less(t, all[i-1].Email, all[i].Email, "ordered by email")
		}

		for _, limit := range []int{1, 3, 4, 8, 9} {
			var got []tenancy.Entry
			q := tenancy.ListQuery{Now: base, Limit: limit}
			for range len(all) + 2 {
				page, err := s.ListUsers(t.Context(), c.ID, q)
				require.NoError(t, err)
				require.LessOrEqual(t, len(page), limit)
				if len(page) == 0 {
					break
				}
				got = append(got, normEntries(page)...)
				q.After = ptr(page[len(page)-1].Key())
			}
			assert.Equal(t, all, got, "pages of %d: no gap, no duplicate", limit)
		}

		rest, err := s.ListUsers(t.Context(), c.ID, tenancy.ListQuery{Now: base, Limit: 100, After: ptr(all[2].Key())})
		require.NoError(t, err)
		assert.Equal(t, all[3:], normEntries(rest), "strictly after the key")
		rest, err = s.ListUsers(t.Context(), c.ID, tenancy.ListQuery{Now: base, Limit: 100, After: &tenancy.Key{Sort: string(all[2].Email)}})
		require.NoError(t, err)
		assert.Equal(t, all[2:], normEntries(rest), "the id breaks ties")
	})

	t.Run("Limit", func(t *testing.T) {
		s := newStore(t)
		a := mustAgency(t, s, "")
		c := mustClient(t, s, a.ID, "Globex")
		mustMember(t, s, c, "ada@example.com", clientele.RoleMember)
		for _, limit := range []int{0, -1} {
			_, err := s.ListUsers(t.Context(), c.ID, tenancy.ListQuery{Now: base, Limit: limit})
			require.ErrorIs(t, err, clientele.ErrInvalidArgument, "limit %d", limit)
		}
	})

	t.Run("UnknownClient", func(t *testing.T) {
		s := newStore(t)
		a := mustAgency(t, s, "")
		mustMember(t, s, mustClient(t, s, a.ID, "Globex"), "ada@example.com", clientele.RoleMember)
		list, err := s.ListUsers(t.Context(), "cli_unknown", tenancy.ListQuery{Now: base, Limit: 10})
		require.NoError(t, err)
		assert.Empty(t, list)
	})
}
