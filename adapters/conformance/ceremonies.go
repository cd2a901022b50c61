package conformance

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/clientele/clientele"
	"github.com/clientele/clientele/authn"
)

func testCeremonies(t *testing.T, newStore newStoreFunc) {
	t.Run("SaveTake", func(t *testing.T) {
		s := newStore(t)
		a := mustAgency(t, s, "")
		login := newCeremony(a.ID)
		register := newCeremony(a.ID)
		register.Kind, register.UserID, register.Data = authn.CeremonyRegister, "usr_ada", nil
		for _, c := range []authn.Ceremony{login, register} {
			require.NoError(t, s.SaveCeremony(t.Context(), c))
		}
		require.ErrorIs(t, s.SaveCeremony(t.Context(), login), clientele.ErrDuplicate)

		for _, c := range []authn.Ceremony{login, register} {
			got, err := s.TakeCeremony(t.Context(), c.ID, base)
			require.NoError(t, err)
			assert.Equal(t, normCeremony(c), normCeremony(got))
			_, err = s.TakeCeremony(t.Context(), c.ID, base)
			require.ErrorIs(t, err, clientele.ErrNotFound, "taken")
		}
		for _, id := range [][]byte{hashOf("unknown"), nil, login.ID[:16]} {
			_, err := s.TakeCeremony(t.Context(), id, base)
			require.ErrorIs(t, err, clientele.ErrNotFound, "id %x", id)
		}
	})

	t.Run("Expiry", func(t *testing.T) {
		s := newStore(t)
		a := mustAgency(t, s, "")
		last, late := newCeremony(a.ID), newCeremony(a.ID)
		require.NoError(t, s.SaveCeremony(t.Context(), last))
		require.NoError(t, s.SaveCeremony(t.Context(), late))

		got, err := s.TakeCeremony(t.Context(), last.ID, last.ExpiresAt.Add(-time.Microsecond))
		require.NoError(t, err, "a microsecond before the expiry")
		assert.Equal(t, normCeremony(last), normCeremony(got))
		_, err = s.TakeCeremony(t.Context(), late.ID, late.ExpiresAt)
		require.ErrorIs(t, err, clientele.ErrNotFound, "at the expiry")
	})

	t.Run("Invalid", func(t *testing.T) {
		s := newStore(t)
		a := mustAgency(t, s, "")
		for name, tc := range map[string]struct {
			change func(*authn.Ceremony)
			want   error
		}{
			"no agency":    {func(c *authn.Ceremony) { c.AgencyID = "" }, clientele.ErrMissingScope},
			"short id":     {func(c *authn.Ceremony) { c.ID = c.ID[:31] }, clientele.ErrInvalidArgument},
			"unknown kind": {func(c *authn.Ceremony) { c.Kind = "recover" }, clientele.ErrInvalidArgument},
		} {
			c := newCeremony(a.ID)
			tc.change(&c)
			require.ErrorIs(t, s.SaveCeremony(t.Context(), c), tc.want, name)
		}
	})

	t.Run("TakeOnce", func(t *testing.T) {
		s := newStore(t)
		a := mustAgency(t, s, "")
		c := newCeremony(a.ID)
		require.NoError(t, s.SaveCeremony(t.Context(), c))

		const racers = 50
		got := make([]authn.Ceremony, racers)
		errs := race(racers, func(i int) error {
			var err error
			got[i], err = s.TakeCeremony(t.Context(), c.ID, base)
			return err
		})
		won := 0
		for i, err := range errs {
			if err == nil {
				won++
				assert.Equal(t, normCeremony(c), normCeremony(got[i]))
				continue
			}
			require.ErrorIs(t, err, clientele.ErrNotFound)
		}
		assert.Equal(t, 1, won, "one of %d concurrent takers gets the ceremony", racers)
	})
}
