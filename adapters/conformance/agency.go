package conformance

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/clientele/clientele"
)

func testAgency(t *testing.T, newStore newStoreFunc) {
	t.Run("CreateAndGet", func(t *testing.T) {
		s := newStore(t)
		want := clientele.Agency{
			ID: "agc_create",
			Branding: clientele.Branding{Name: "Acme Agency", LogoURL: "https://acme.test/logo.png",
				PrimaryColor: "#0f766e", CustomDomain: "portal.acme.test"},
			CreatedAt: base,
		}
		require.NoError(t, s.CreateAgency(t.Context(), want))
		got, err := s.Agency(t.Context(), want.ID)
		require.NoError(t, err)
		assert.Equal(t, normAgency(want), normAgency(got))
	})

	t.Run("DuplicateID", func(t *testing.T) {
		s := newStore(t)
		a := mustAgency(t, s, "")
		again := clientele.Agency{ID: a.ID, Branding: clientele.Branding{Name: "Other"}, CreatedAt: base}
		require.ErrorIs(t, s.CreateAgency(t.Context(), again), clientele.ErrDuplicate)
		got, err := s.Agency(t.Context(), a.ID)
		require.NoError(t, err)
		assert.Equal(t, normAgency(a), normAgency(got), "the first agency is unchanged")
	})

	t.Run("Unknown", func(t *testing.T) {
		s := newStore(t)
		mustAgency(t, s, "")
		_, err := s.Agency(t.Context(), "agc_unknown")
		require.ErrorIs(t, err, clientele.ErrNotFound)
		_, err = s.SetBranding(t.Context(), "agc_unknown", clientele.Branding{Name: "X"}, stamp())
		require.ErrorIs(t, err, clientele.ErrNotFound)
	})

	t.Run("SetBranding", func(t *testing.T) {
		s := newStore(t)
		a := mustAgency(t, s, "old.acme.test")
		b := clientele.Branding{Name: "Renamed", LogoURL: "https://acme.test/new.png",
			PrimaryColor: "#112233", CustomDomain: "new.acme.test"}
		got, err := s.SetBranding(t.Context(), a.ID, b, stamp())
		require.NoError(t, err)
		want := a
		want.Branding = b
		assert.Equal(t, normAgency(want), normAgency(got))
		stored, err := s.Agency(t.Context(), a.ID)
		require.NoError(t, err)
		assert.Equal(t, normAgency(want), normAgency(stored))

		byDomain, err := s.AgencyByDomain(t.Context(), "new.acme.test")
		require.NoError(t, err)
		assert.Equal(t, a.ID, byDomain.ID)
		_, err = s.AgencyByDomain(t.Context(), "old.acme.test")
		require.ErrorIs(t, err, clientele.ErrNotFound, "the old domain is released")

		// Keeping one's own domain is no conflict.
		b.Name = "Renamed again"
		_, err = s.SetBranding(t.Context(), a.ID, b, stamp())
		require.NoError(t, err)

		// Dropping the domain releases it for another agency.
		b.CustomDomain = ""
		_, err = s.SetBranding(t.Context(), a.ID, b, stamp())
		require.NoError(t, err)
		other := mustAgency(t, s, "new.acme.test")
		byDomain, err = s.AgencyByDomain(t.Context(), "new.acme.test")
		require.NoError(t, err)
		assert.Equal(t, other.ID, byDomain.ID)
	})

	t.Run("CustomDomainTaken", func(t *testing.T) {
		s := newStore(t)
		holder := mustAgency(t, s, "portal.one.test")

		taken := clientele.Agency{ID: "agc_taken", CreatedAt: base,
			Branding: clientele.Branding{Name: "Two", CustomDomain: "portal.one.test"}}
		require.ErrorIs(t, s.CreateAgency(t.Context(), taken), clientele.ErrDuplicate)
		_, err := s.Agency(t.Context(), taken.ID)
		require.ErrorIs(t, err, clientele.ErrNotFound, "the refused agency is not stored")

		second := mustAgency(t, s, "portal.two.test")
		_, err = s.SetBranding(t.Context(), second.ID, clientele.Branding{Name: "Two", CustomDomain: "portal.one.test"}, stamp())
		require.ErrorIs(t, err, clientele.ErrDuplicate)

		got, err := s.Agency(t.Context(), second.ID)
		require.NoError(t, err)
		assert.Equal(t, normAgency(second), normAgency(got), "a refused SetBranding changes nothing")
		byDomain, err := s.AgencyByDomain(t.Context(), "portal.one.test")
		require.NoError(t, err)
		assert.Equal(t, holder.ID, byDomain.ID)
		byDomain, err = s.AgencyByDomain(t.Context(), "portal.two.test")
		require.NoError(t, err)
		assert.Equal(t, second.ID, byDomain.ID)
	})

	t.Run("AgencyByDomain", func(t *testing.T) {
		s := newStore(t)
		mustAgency(t, s, "") // agencies without a domain never match
		a := mustAgency(t, s, "portal.acme.test")
		mustAgency(t, s, "portal.other.test")

		got, err := s.AgencyByDomain(t.Context(), "portal.acme.test")
		require.NoError(t, err)
		assert.Equal(t, normAgency(a), normAgency(got))

		for _, domain := range []string{"", "unknown.test", "acme.test", "portal.acme.test.evil"} {
			_, err := s.AgencyByDomain(t.Context(), domain)
			require.ErrorIs(t, err, clientele.ErrNotFound, "domain %q", domain)
		}
	})
}
