package conformance

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/clientele/clientele"
	"github.com/clientele/clientele/tenancy"
)

func testClient(t *testing.T, newStore newStoreFunc) {
	t.Run("CreateAndGet", func(t *testing.T) {
		s := newStore(t)
		a := mustAgency(t, s, "")
		want := clientele.Client{ID: "cli_create", AgencyID: a.ID, Name: "Globex", CreatedAt: base,
			Permissions: clientele.NewPermissionSet(clientele.PermViewReports, clientele.PermManageBilling)}
		require.NoError(t, s.CreateClient(t.Context(), want))
		got, err := s.Client(t.Context(), a.ID, want.ID)
		require.NoError(t, err)
		assert.Equal(t, normClient(want), normClient(got))
	})

	t.Run("Duplicate", func(t *testing.T) {
		s := newStore(t)
		a := mustAgency(t, s, "")
		other := mustAgency(t, s, "")
		c := mustClient(t, s, a.ID, "Globex")
		for _, agency := range []clientele.AgencyID{a.ID, other.ID} {
			err := s.CreateClient(t.Context(), clientele.Client{ID: c.ID, AgencyID: agency, Name: "Again", CreatedAt: base})
			require.ErrorIs(t, err, clientele.ErrDuplicate, "agency %s", agency)
		}
		got, err := s.Client(t.Context(), a.ID, c.ID)
		require.NoError(t, err)
		assert.Equal(t, normClient(c), normClient(got))
		_, err = s.Client(t.Context(), other.ID, c.ID)
		require.ErrorIs(t, err, clientele.ErrNotFound)
	})

	t.Run("UnknownAgency", func(t *testing.T) {
		s := newStore(t)
		err := s.CreateClient(t.Context(), clientele.Client{ID: "cli_orphan", AgencyID: "agc_unknown", Name: "Orphan", CreatedAt: base})
		require.ErrorIs(t, err, clientele.ErrNotFound)
	})

	t.Run("Unknown", func(t *testing.T) {
		s := newStore(t)
		a := mustAgency(t, s, "")
		mustClient(t, s, a.ID, "Globex")
		_, err := s.Client(t.Context(), a.ID, "cli_unknown")
		require.ErrorIs(t, err, clientele.ErrNotFound)
		_, err = s.SetPermissions(t.Context(), a.ID, "cli_unknown", clientele.NewPermissionSet(clientele.PermExportData), stamp())
		require.ErrorIs(t, err, clientele.ErrNotFound)
	})

	t.Run("WrongAgency", func(t *testing.T) {
		s := newStore(t)
		a := mustAgency(t, s, "")
		other := mustAgency(t, s, "")
		c := mustClient(t, s, a.ID, "Globex")
		_, err := s.Client(t.Context(), other.ID, c.ID)
		require.ErrorIs(t, err, clientele.ErrNotFound)
		_, err = s.SetPermissions(t.Context(), other.ID, c.ID, clientele.NewPermissionSet(clientele.PermManageBilling), stamp())
		require.ErrorIs(t, err, clientele.ErrNotFound)
		got, err := s.Client(t.Context(), a.ID, c.ID)
		require.NoError(t, err)
		assert.Equal(t, normClient(c), normClient(got), "unchanged")
	})

	t.Run("List", func(t *testing.T) {
		s := newStore(t)
		a := mustAgency(t, s, "")
		other := mustAgency(t, s, "")
		mustClient(t, s, other.ID, "Alpha") // never listed for a
		// Created out of order; two names tie and are ordered by id.
		var want []clientele.Client
		for _, c := range []struct {
			id   clientele.ClientID
			name string
		}{
			{"cli_c", "Delta"}, {"cli_b2", "Bravo"}, {"cli_a", "Alpha"},
			{"cli_b1", "Bravo"}, {"cli_e", "Echo"}, {"cli_d", "Charlie"},
		} {
			cl := clientele.Client{ID: c.id, AgencyID: a.ID, Name: c.name, CreatedAt: base}
			require.NoError(t, s.CreateClient(t.Context(), cl))
			want = append(want, cl)
		}
		order := []int{2, 3, 1, 5, 0, 4} // Alpha, Bravo/cli_b1, Bravo/cli_b2, Charlie, Delta, Echo
		sorted := make([]clientele.Client, len(order))
		for i, j := range order {
			sorted[i] = want[j]
		}

		all, err := s.ListClients(t.Context(), a.ID, nil, 100)
		require.NoError(t, err)
		assert.Equal(t, normClients(sorted), normClients(all))

		for _, limit := range []int{1, 2, 4, 6, 7} {
			var got []clientele.Client
			var after *tenancy.Key
			for range len(sorted) + 2 {
				page, err := s.ListClients(t.Context(), a.ID, after, limit)
				require.NoError(t, err)
				require.LessOrEqual(t, len(page), limit)
				if len(page) == 0 {
					break
				}
				got = append(got, page...)
				last := page[len(page)-1]
				after = &tenancy.Key{Sort: last.Name, ID: string(last.ID)}
			}
			assert.Equal(t, normClients(sorted), normClients(got), "pages of %d", limit)
		}

		rest, err := s.ListClients(t.Context(), a.ID, &tenancy.Key{Sort: "Bravo", ID: "cli_b1"}, 100)
		require.NoError(t, err)
		assert.Equal(t, normClients(sorted[2:]), normClients(rest), "strictly after the key")
	})

	t.Run("SetPermissions", func(t *testing.T) {
		s := newStore(t)
		a := mustAgency(t, s, "")
		c := mustClient(t, s, a.ID, "Globex")

		perms := clientele.NewPermissionSet(clientele.PermManageBilling, clientele.PermViewReports)
		got, err := s.SetPermissions(t.Context(), a.ID, c.ID, perms, stamp())
		require.NoError(t, err)
		want := c
		want.Permissions = clientele.NewPermissionSet(clientele.PermManageBilling, clientele.PermViewReports)
		assert.Equal(t, normClient(want), normClient(got))

		// Neither the argument nor the result is shared with the store.
		perms[0] = "tampered_in"
		got.Permissions[1] = "tampered_out"
		stored, err := s.Client(t.Context(), a.ID, c.ID)
		require.NoError(t, err)
		assert.Equal(t, normClient(want), normClient(stored))
		stored.Permissions[0] = "tampered_get"
		again, err := s.Client(t.Context(), a.ID, c.ID)
		require.NoError(t, err)
		assert.Equal(t, normClient(want), normClient(again))

		listed, err := s.ListClients(t.Context(), a.ID, nil, 10)
		require.NoError(t, err)
		require.Len(t, listed, 1)
		assert.Equal(t, normClient(want), normClient(listed[0]))

		got, err = s.SetPermissions(t.Context(), a.ID, c.ID, nil, stamp())
		require.NoError(t, err)
		assert.Empty(t, got.Permissions)
		stored, err = s.Client(t.Context(), a.ID, c.ID)
		require.NoError(t, err)
		assert.Empty(t, stored.Permissions)
	})
}
