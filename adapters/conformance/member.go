package conformance

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/clientele/clientele"
	"github.com/clientele/clientele/tenancy"
)

func testMember(t *testing.T, newStore newStoreFunc) {
	t.Run("Get", func(t *testing.T) {
		s := newStore(t)
		a := mustAgency(t, s, "")
		c := mustClient(t, s, a.ID, "Globex")
		m := mustMember(t, s, c, "ada@example.com", clientele.RoleMember)
		got, err := s.Member(t.Context(), c.ID, m.UserID)
		require.NoError(t, err)
		assert.Equal(t, normMember(m), normMember(got))
		_, err = s.Member(t.Context(), c.ID, "usr_unknown")
		require.ErrorIs(t, err, clientele.ErrNotFound)
	})

	t.Run("ChangeRole", func(t *testing.T) {
		s := newStore(t)
		a := mustAgency(t, s, "")
		c := mustClient(t, s, a.ID, "Globex")
		m := mustMember(t, s, c, "ada@example.com", clientele.RoleMember)

		for _, role := range []clientele.Role{clientele.RoleAdmin, clientele.RoleAdmin, clientele.RoleMember} {
			got, err := s.ChangeRole(t.Context(), c.ID, m.UserID, role, false, stamp())
			require.NoError(t, err)
			want := m
			want.Role = role
			assert.Equal(t, normMember(want), normMember(got))
			stored, err := s.Member(t.Context(), c.ID, m.UserID)
			require.NoError(t, err)
			assert.Equal(t, normMember(want), normMember(stored))
		}

		_, err := s.ChangeRole(t.Context(), c.ID, m.UserID, "owner", false, stamp())
		require.ErrorIs(t, err, clientele.ErrInvalidArgument)
		_, err = s.ChangeRole(t.Context(), c.ID, "usr_unknown", clientele.RoleAdmin, false, stamp())
		require.ErrorIs(t, err, clientele.ErrNotFound)
		got, err := s.Member(t.Context(), c.ID, m.UserID)
		require.NoError(t, err)
		assert.Equal(t, normMember(m), normMember(got), "unchanged")
	})

	t.Run("RemoveMember", func(t *testing.T) {
		s := newStore(t)
		a := mustAgency(t, s, "")
		c := mustClient(t, s, a.ID, "Globex")
		other := mustClient(t, s, a.ID, "Initech")
		m := mustMember(t, s, c, "ada@example.com", clientele.RoleMember)
		kept := mustMember(t, s, other, "ada@example.com", clientele.RoleAdmin)
		require.Equal(t, m.UserID, kept.UserID)

		require.NoError(t, s.RemoveMember(t.Context(), c.ID, m.UserID, true, stamp()))
		_, err := s.Member(t.Context(), c.ID, m.UserID)
		require.ErrorIs(t, err, clientele.ErrNotFound)
		assert.Empty(t, listAll(t, s, c.ID, base))
		require.ErrorIs(t, s.RemoveMember(t.Context(), c.ID, m.UserID, false, stamp()), clientele.ErrNotFound, "twice")

		got, err := s.Member(t.Context(), other.ID, kept.UserID)
		require.NoError(t, err)
		assert.Equal(t, normMember(kept), normMember(got), "the membership in another client stays")
		id, _, err := s.PasswordHash(t.Context(), a.ID, m.Email)
		require.NoError(t, err)
		assert.Equal(t, m.UserID, id, "the user stays")

		// Invited again, the same user comes back.
		back := mustMember(t, s, c, m.Email, clientele.RoleMember)
		assert.Equal(t, m.UserID, back.UserID)
	})

	t.Run("SetMemberStatus", func(t *testing.T) {
		s := newStore(t)
		a := mustAgency(t, s, "")
		c := mustClient(t, s, a.ID, "Globex")
		m := mustMember(t, s, c, "ada@example.com", clientele.RoleMember)

		for _, status := range []clientele.MemberStatus{clientele.StatusDeactivated, clientele.StatusDeactivated, clientele.StatusActive} {
			got, err := s.SetMemberStatus(t.Context(), c.ID, m.UserID, status, stamp())
			require.NoError(t, err)
			want := m
			want.Status = status
			assert.Equal(t, normMember(want), normMember(got))
			stored, err := s.Member(t.Context(), c.ID, m.UserID)
			require.NoError(t, err)
			assert.Equal(t, normMember(want), normMember(stored))
			list := listAll(t, s, c.ID, base)
			require.Len(t, list, 1)
			assert.Equal(t, memberEntry(want), list[0])
		}

		_, err := s.SetMemberStatus(t.Context(), c.ID, m.UserID, "suspended", stamp())
		require.ErrorIs(t, err, clientele.ErrInvalidArgument)
		_, err = s.SetMemberStatus(t.Context(), c.ID, "usr_unknown", clientele.StatusDeactivated, stamp())
		require.ErrorIs(t, err, clientele.ErrNotFound)
	})

	t.Run("RecordActivity", func(t *testing.T) {
		s := newStore(t)
		a := mustAgency(t, s, "")
		c := mustClient(t, s, a.ID, "Globex")
		m := mustMember(t, s, c, "ada@example.com", clientele.RoleMember)
		require.Nil(t, m.LastActiveAt)

		for _, at := range []time.Time{base.Add(2 * time.Hour), base.Add(3*time.Hour + time.Microsecond)} {
			require.NoError(t, s.RecordActivity(t.Context(), c.ID, m.UserID, at))
			got, err := s.Member(t.Context(), c.ID, m.UserID)
			require.NoError(t, err)
			require.NotNil(t, got.LastActiveAt)
			assert.True(t, at.Equal(*got.LastActiveAt), "last active %v, want %v", got.LastActiveAt, at)

			*got.LastActiveAt = base // a copy
			again, err := s.Member(t.Context(), c.ID, m.UserID)
			require.NoError(t, err)
			assert.True(t, at.Equal(*again.LastActiveAt))

			want := m
			want.LastActiveAt = &at
			assert.Equal(t, []tenancy.Entry{memberEntry(want)}, listAll(t, s, c.ID, base))
		}
		require.ErrorIs(t, s.RecordActivity(t.Context(), c.ID, "usr_unknown", base), clientele.ErrNotFound)
	})
}
