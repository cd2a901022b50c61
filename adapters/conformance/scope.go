package conformance

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/clientele/clientele"
	"github.com/clientele/clientele/tenancy"
)

func testScope(t *testing.T, newStore newStoreFunc) {
	t.Run("MissingScope", func(t *testing.T) {
		s := newStore(t)
		a := mustAgency(t, s, "")
		c := mustClient(t, s, a.ID, "Globex")
		m := mustMember(t, s, c, "ada@example.com", clientele.RoleAdmin)
		mustMember(t, s, c, "bob@example.com", clientele.RoleAdmin)
		inv := mustInvite(t, s, c, "carol@example.com", clientele.RoleMember)
		before := listAll(t, s, c.ID, base)

		noClient := newInvitation(clientele.Client{AgencyID: a.ID}, "dan@example.com", clientele.RoleMember)
		noAgency := newInvitation(clientele.Client{ID: c.ID}, "dan@example.com", clientele.RoleMember)
		strict := []error{clientele.ErrMissingScope}
		// An empty record id is not a scope: either answer is safe.
		lenient := []error{clientele.ErrMissingScope, clientele.ErrNotFound}
		for _, tc := range []struct {
			name string
			call func() error
			want []error
		}{
			{"ListUsers", func() error {
				_, err := s.ListUsers(t.Context(), "", tenancy.ListQuery{Now: base, Limit: 10})
				return err
			}, strict},
			{"Member", func() error { _, err := s.Member(t.Context(), "", m.UserID); return err }, strict},
			{"ChangeRole", func() error {
				_, err := s.ChangeRole(t.Context(), "", m.UserID, clientele.RoleMember, false, stamp())
				return err
			}, strict},
			{"RemoveMember", func() error { return s.RemoveMember(t.Context(), "", m.UserID, false, stamp()) }, strict},
			{"SetMemberStatus", func() error {
				_, err := s.SetMemberStatus(t.Context(), "", m.UserID, clientele.StatusDeactivated, stamp())
				return err
			}, strict},
			{"RecordActivity", func() error { return s.RecordActivity(t.Context(), "", m.UserID, base) }, strict},
			{"Invitation", func() error { _, err := s.Invitation(t.Context(), "", inv.ID); return err }, strict},
			{"CancelInvitation", func() error { return s.CancelInvitation(t.Context(), "", inv.ID, stamp()) }, strict},
			{"ReplaceInvitation", func() error {
				return s.ReplaceInvitation(t.Context(), "", inv.ID, newInvitation(c, inv.Email, inv.Role), nil, stamp())
			}, strict},
			{"CreateInvitation without client", func() error { return s.CreateInvitation(t.Context(), noClient, base, nil, stamp()) }, strict},
			{"CreateInvitation without agency", func() error { return s.CreateInvitation(t.Context(), noAgency, base, nil, stamp()) }, strict},
			{"CreateClient without agency", func() error {
				return s.CreateClient(t.Context(), clientele.Client{ID: "cli_noagency", Name: "X", CreatedAt: base})
			}, strict},
			{"Client without agency", func() error { _, err := s.Client(t.Context(), "", c.ID); return err }, strict},
			{"ListClients", func() error { _, err := s.ListClients(t.Context(), "", nil, 10); return err }, strict},
			{"SetPermissions without agency", func() error {
				_, err := s.SetPermissions(t.Context(), "", c.ID, clientele.NewPermissionSet(clientele.PermManageBilling), stamp())
				return err
			}, strict},
			{"Client without id", func() error { _, err := s.Client(t.Context(), a.ID, ""); return err }, lenient},
			{"SetPermissions without id", func() error {
				_, err := s.SetPermissions(t.Context(), a.ID, "", clientele.NewPermissionSet(clientele.PermManageBilling), stamp())
				return err
			}, lenient},
			{"Agency", func() error { _, err := s.Agency(t.Context(), ""); return err }, lenient},
			{"SetBranding", func() error {
				_, err := s.SetBranding(t.Context(), "", clientele.Branding{Name: "X"}, stamp())
				return err
			}, lenient},
			{"UserByEmail", func() error { _, err := s.UserByEmail(t.Context(), "", m.Email); return err }, lenient},
			{"PasswordHash", func() error { _, _, err := s.PasswordHash(t.Context(), "", m.Email); return err }, lenient},
		} {
			t.Run(tc.name, func(t *testing.T) {
				requireErrorIsAny(t, tc.call(), tc.want...)
			})
		}

		assert.Equal(t, before, listAll(t, s, c.ID, base), "nothing changed")
		for _, inv := range []clientele.Invitation{noClient, noAgency} {
			_, err := s.InvitationByTokenHash(t.Context(), inv.TokenHash)
			require.ErrorIs(t, err, clientele.ErrNotFound, "nothing stored")
		}
		got, err := s.Client(t.Context(), a.ID, c.ID)
		require.NoError(t, err)
		assert.Equal(t, normClient(c), normClient(got))
		clients, err := s.ListClients(t.Context(), a.ID, nil, 10)
		require.NoError(t, err)
		assert.Len(t, clients, 1)
	})

	t.Run("OtherClient", func(t *testing.T) {
		s := newStore(t)
		agency1 := mustAgency(t, s, "")
		agency2 := mustAgency(t, s, "")
		clientA := mustClient(t, s, agency1.ID, "Globex")
		sibling := mustClient(t, s, agency1.ID, "Initech") // same agency
		clientB := mustClient(t, s, agency2.ID, "Hooli")   // another agency

		admin := mustMember(t, s, clientA, "admin@example.com", clientele.RoleAdmin)
		member := mustMember(t, s, clientA, "member@example.com", clientele.RoleMember)
		inv := mustInvite(t, s, clientA, "invited@example.com", clientele.RoleMember)
		mustMember(t, s, sibling, "sib@example.com", clientele.RoleAdmin)
		mustMember(t, s, clientB, "b@example.com", clientele.RoleAdmin)
		mustInvite(t, s, clientB, "b-invited@example.com", clientele.RoleMember)
		beforeA := listAll(t, s, clientA.ID, base)
		beforeInv, err := s.Invitation(t.Context(), clientA.ID, inv.ID)
		require.NoError(t, err)

		for _, scope := range []clientele.Client{sibling, clientB} {
			t.Run(scope.Name, func(t *testing.T) {
				from := scope.ID
				for _, u := range []clientele.UserID{admin.UserID, member.UserID} {
					_, err := s.Member(t.Context(), from, u)
					require.ErrorIs(t, err, clientele.ErrNotFound, "Member")
					_, err = s.ChangeRole(t.Context(), from, u, clientele.RoleMember, false, stamp())
					require.ErrorIs(t, err, clientele.ErrNotFound, "ChangeRole")
					_, err = s.ChangeRole(t.Context(), from, u, clientele.RoleAdmin, true, stamp())
					require.ErrorIs(t, err, clientele.ErrNotFound, "ChangeRole")
					require.ErrorIs(t, s.RemoveMember(t.Context(), from, u, false, stamp()), clientele.ErrNotFound, "RemoveMember")
					_, err = s.SetMemberStatus(t.Context(), from, u, clientele.StatusDeactivated, stamp())
					require.ErrorIs(t, err, clientele.ErrNotFound, "SetMemberStatus")
					require.ErrorIs(t, s.RecordActivity(t.Context(), from, u, base.Add(time.Hour)), clientele.ErrNotFound, "RecordActivity")
				}
				_, err := s.Invitation(t.Context(), from, inv.ID)
				require.ErrorIs(t, err, clientele.ErrNotFound, "Invitation")
				require.ErrorIs(t, s.CancelInvitation(t.Context(), from, inv.ID, stamp()), clientele.ErrNotFound, "CancelInvitation")
				for _, next := range []clientele.Invitation{newInvitation(scope, inv.Email, inv.Role), newInvitation(clientA, inv.Email, inv.Role)} {
					require.ErrorIs(t, s.ReplaceInvitation(t.Context(), from, inv.ID, next, nil, stamp()), clientele.ErrNotFound, "ReplaceInvitation")
					_, err = s.InvitationByTokenHash(t.Context(), next.TokenHash)
					require.ErrorIs(t, err, clientele.ErrNotFound, "the replacement is not stored")
				}

				for _, e := range listAll(t, s, from, base) {
					for _, a := range beforeA {
						assert.NotEqual(t, a.ID, e.ID, "an entry of client A is listed from %s", scope.Name)
						assert.NotEqual(t, a.Email, e.Email, "an entry of client A is listed from %s", scope.Name)
					}
				}
			})
		}

		assert.Equal(t, beforeA, listAll(t, s, clientA.ID, base), "client A is unchanged")
		afterInv, err := s.Invitation(t.Context(), clientA.ID, inv.ID)
		require.NoError(t, err)
		assert.Equal(t, normInvitation(beforeInv), normInvitation(afterInv), "A's invitation is unchanged")
	})

	t.Run("OtherAgency", func(t *testing.T) {
		s := newStore(t)
		agency1 := mustAgency(t, s, "")
		agency2 := mustAgency(t, s, "")
		clientA := mustClient(t, s, agency1.ID, "Globex")
		mustClient(t, s, agency2.ID, "Hooli")
		m := mustMember(t, s, clientA, "ada@example.com", clientele.RoleAdmin)

		_, err := s.Client(t.Context(), agency2.ID, clientA.ID)
		require.ErrorIs(t, err, clientele.ErrNotFound)
		_, err = s.SetPermissions(t.Context(), agency2.ID, clientA.ID, clientele.NewPermissionSet(clientele.PermExportData), stamp())
		require.ErrorIs(t, err, clientele.ErrNotFound)
		got, err := s.Client(t.Context(), agency1.ID, clientA.ID)
		require.NoError(t, err)
		assert.Equal(t, normClient(clientA), normClient(got), "unchanged")

		listed, err := s.ListClients(t.Context(), agency2.ID, nil, 10)
		require.NoError(t, err)
		for _, c := range listed {
			assert.NotEqual(t, clientA.ID, c.ID)
		}

		inv := newInvitation(clientA, "bob@example.com", clientele.RoleMember)
		inv.AgencyID = agency2.ID
		require.ErrorIs(t, s.CreateInvitation(t.Context(), inv, base, nil, stamp()), clientele.ErrNotFound)

		_, err = s.UserByEmail(t.Context(), agency2.ID, m.Email)
		require.ErrorIs(t, err, clientele.ErrNotFound)
		_, _, err = s.PasswordHash(t.Context(), agency2.ID, m.Email)
		require.ErrorIs(t, err, clientele.ErrNotFound)
	})
}
