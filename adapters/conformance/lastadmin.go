package conformance

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/clientele/clientele"
	"github.com/clientele/clientele/tenancy"
)

func testKeepAdmin(t *testing.T, newStore newStoreFunc) {
	demote := func(t *testing.T, s Store, c clientele.ClientID, u clientele.UserID, keep bool) error {
		_, err := s.ChangeRole(t.Context(), c, u, clientele.RoleMember, keep, stamp())
		return err
	}
	remove := func(t *testing.T, s Store, c clientele.ClientID, u clientele.UserID, keep bool) error {
		return s.RemoveMember(t.Context(), c, u, keep, stamp())
	}
	changes := []struct {
		name   string
		change func(t *testing.T, s Store, c clientele.ClientID, u clientele.UserID, keep bool) error
	}{{"demote", demote}, {"remove", remove}}

	for _, ch := range changes {
		t.Run(ch.name, func(t *testing.T) {
			for _, tc := range []struct {
				name string
				// second is the role and status of a second member, if any.
				second     *clientele.Membership
				keep       bool
				want       error
				wantAdmins int
			}{
				{"only admin", nil, true, tenancy.ErrLastAdmin, 1},
				{"only admin, keepAdmin false", nil, false, nil, 0},
				{"with a member", &clientele.Membership{Role: clientele.RoleMember, Status: clientele.StatusActive}, true, tenancy.ErrLastAdmin, 1},
				{"with an active admin", &clientele.Membership{Role: clientele.RoleAdmin, Status: clientele.StatusActive}, true, nil, 1},
				{"with a deactivated admin", &clientele.Membership{Role: clientele.RoleAdmin, Status: clientele.StatusDeactivated}, true, tenancy.ErrLastAdmin, 1},
				{"with a deactivated admin, keepAdmin false", &clientele.Membership{Role: clientele.RoleAdmin, Status: clientele.StatusDeactivated}, false, nil, 0},
			} {
				t.Run(tc.name, func(t *testing.T) {
					s := newStore(t)
					a := mustAgency(t, s, "")
					c := mustClient(t, s, a.ID, "Globex")
					admin := mustMember(t, s, c, "admin@example.com", clientele.RoleAdmin)
					if tc.second != nil {
						m := mustMember(t, s, c, "second@example.com", tc.second.Role)
						_, err := s.SetMemberStatus(t.Context(), c.ID, m.UserID, tc.second.Status, stamp())
						require.NoError(t, err)
					}
					before := listAll(t, s, c.ID, base)

					err := ch.change(t, s, c.ID, admin.UserID, tc.keep)
					if tc.want != nil {
						require.ErrorIs(t, err, tc.want)
						assert.Equal(t, before, listAll(t, s, c.ID, base), "unchanged")
					} else {
						require.NoError(t, err)
					}
					assert.Equal(t, tc.wantAdmins, activeAdmins(t, s, c.ID))
				})
			}
		})
	}

	t.Run("changes that keep an admin", func(t *testing.T) {
		s := newStore(t)
		a := mustAgency(t, s, "")
		c := mustClient(t, s, a.ID, "Globex")
		admin := mustMember(t, s, c, "admin@example.com", clientele.RoleAdmin)
		member := mustMember(t, s, c, "member@example.com", clientele.RoleMember)

		_, err := s.ChangeRole(t.Context(), c.ID, admin.UserID, clientele.RoleAdmin, true, stamp())
		require.NoError(t, err, "admin stays admin")
		_, err = s.ChangeRole(t.Context(), c.ID, member.UserID, clientele.RoleMember, true, stamp())
		require.NoError(t, err, "member stays member")
		_, err = s.ChangeRole(t.Context(), c.ID, member.UserID, clientele.RoleAdmin, true, stamp())
		require.NoError(t, err, "promotion")
		_, err = s.ChangeRole(t.Context(), c.ID, admin.UserID, clientele.RoleMember, true, stamp())
		require.NoError(t, err, "demotion with another active admin")
		require.ErrorIs(t, s.RemoveMember(t.Context(), c.ID, member.UserID, true, stamp()), tenancy.ErrLastAdmin)
		require.NoError(t, s.RemoveMember(t.Context(), c.ID, admin.UserID, true, stamp()), "removing a member")
		assert.Equal(t, 1, activeAdmins(t, s, c.ID))
	})

	t.Run("no active admin left to keep", func(t *testing.T) {
		// Changes to anyone but an active admin are never refused, even
		// when the client has no active admin to begin with.
		s := newStore(t)
		a := mustAgency(t, s, "")
		c := mustClient(t, s, a.ID, "Globex")
		admin := mustMember(t, s, c, "admin@example.com", clientele.RoleAdmin)
		member := mustMember(t, s, c, "member@example.com", clientele.RoleMember)
		_, err := s.SetMemberStatus(t.Context(), c.ID, admin.UserID, clientele.StatusDeactivated, stamp())
		require.NoError(t, err)

		_, err = s.ChangeRole(t.Context(), c.ID, admin.UserID, clientele.RoleMember, true, stamp())
		require.NoError(t, err, "demoting a deactivated admin")
		require.NoError(t, s.RemoveMember(t.Context(), c.ID, member.UserID, true, stamp()), "removing a member")
		_, err = s.ChangeRole(t.Context(), c.ID, admin.UserID, clientele.RoleAdmin, true, stamp())
		require.NoError(t, err, "promotion")
	})
}
