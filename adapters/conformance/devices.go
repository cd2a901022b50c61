package conformance

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/clientele/clientele"
	"github.com/clientele/clientele/authn"
)

// newDevice returns a device of user in agency made at base, remembered
// for a day, with a fresh token hash.
func newDevice(agency clientele.AgencyID, user clientele.UserID) authn.Device {
	return authn.Device{TokenHash: hashOf(clientele.NewID("dev")), AgencyID: agency, UserID: user,
		CreatedAt: base, ExpiresAt: base.Add(24 * time.Hour)}
}

func normDevice(d authn.Device) authn.Device {
	d.CreatedAt, d.ExpiresAt = normTime(d.CreatedAt), normTime(d.ExpiresAt)
	return d
}

func testDevices(t *testing.T, newStore newStoreFunc) {
	t.Run("SaveFind", func(t *testing.T) {
		s := newStore(t)
		a := mustAgency(t, s, "")
		m := mustMember(t, s, mustClient(t, s, a.ID, "Globex"), "ada@example.com", clientele.RoleAdmin)
		d := newDevice(a.ID, m.UserID)
		require.NoError(t, s.SaveDevice(t.Context(), d))
		require.ErrorIs(t, s.SaveDevice(t.Context(), d), clientele.ErrDuplicate)

		got, err := s.Device(t.Context(), d.TokenHash, base)
		require.NoError(t, err)
		assert.Equal(t, normDevice(d), normDevice(got))
		got, err = s.Device(t.Context(), d.TokenHash, d.ExpiresAt.Add(-time.Microsecond))
		require.NoError(t, err, "a microsecond before the expiry")
		assert.Equal(t, normDevice(d), normDevice(got))
		_, err = s.Device(t.Context(), d.TokenHash, d.ExpiresAt)
		require.ErrorIs(t, err, clientele.ErrNotFound, "at the expiry")
		for _, hash := range [][]byte{hashOf("unknown"), nil, d.TokenHash[:16]} {
			_, err := s.Device(t.Context(), hash, base)
			require.ErrorIs(t, err, clientele.ErrNotFound, "hash %x", hash)
		}
	})

	t.Run("UserOfTheAgency", func(t *testing.T) {
		s := newStore(t)
		a, b := mustAgency(t, s, ""), mustAgency(t, s, "")
		m := mustMember(t, s, mustClient(t, s, a.ID, "Globex"), "ada@example.com", clientele.RoleAdmin)
		for name, d := range map[string]authn.Device{
			"another agency's user": newDevice(b.ID, m.UserID),
			"an unknown user":       newDevice(a.ID, "usr_unknown"),
		} {
			t.Run(name, func(t *testing.T) {
				require.ErrorIs(t, s.SaveDevice(t.Context(), d), clientele.ErrNotFound)
				_, err := s.Device(t.Context(), d.TokenHash, base)
				require.ErrorIs(t, err, clientele.ErrNotFound, "nothing stored")
			})
		}
	})

	t.Run("Invalid", func(t *testing.T) {
		s := newStore(t)
		a := mustAgency(t, s, "")
		m := mustMember(t, s, mustClient(t, s, a.ID, "Globex"), "ada@example.com", clientele.RoleAdmin)
		for name, tc := range map[string]struct {
			change func(*authn.Device)
			want   error
		}{
			"no agency":       {func(d *authn.Device) { d.AgencyID = "" }, clientele.ErrMissingScope},
			"no user":         {func(d *authn.Device) { d.UserID = "" }, clientele.ErrInvalidArgument},
			"short hash":      {func(d *authn.Device) { d.TokenHash = d.TokenHash[:16] }, clientele.ErrInvalidArgument},
			"expired at once": {func(d *authn.Device) { d.ExpiresAt = d.CreatedAt }, clientele.ErrInvalidArgument},
		} {
			t.Run(name, func(t *testing.T) {
				d := newDevice(a.ID, m.UserID)
				tc.change(&d)
				require.ErrorIs(t, s.SaveDevice(t.Context(), d), tc.want)
				_, err := s.Device(t.Context(), d.TokenHash, base)
				require.ErrorIs(t, err, clientele.ErrNotFound, "nothing stored")
			})
		}
	})
}
