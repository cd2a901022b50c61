package conformance

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/clientele/clientele"
	"github.com/clientele/clientele/authn"
)

func testPasskeys(t *testing.T, newStore newStoreFunc) {
	t.Run("CreateGetList", func(t *testing.T) {
		s := newStore(t)
		a := mustAgency(t, s, "")
		b := mustAgency(t, s, "")
		c := mustClient(t, s, a.ID, "Globex")
		m := mustMember(t, s, c, "ada@example.com", clientele.RoleAdmin)
		bob := mustMember(t, s, c, "bob@example.com", clientele.RoleAdmin)

		newer := newPasskey(a.ID, m.UserID)
		newer.CreatedAt = base.Add(time.Hour)
		newer.LastUsedAt = ptr(base.Add(2 * time.Hour))
		older := newPasskey(a.ID, m.UserID)
		older.AAGUID, older.Transports, older.Name = nil, nil, ""
		for _, p := range []clientele.Passkey{newer, older, newPasskey(a.ID, bob.UserID)} {
			require.NoError(t, s.CreatePasskey(t.Context(), p, userChange(p.UserID)))
		}

		got, err := s.Passkey(t.Context(), newer.ID)
		require.NoError(t, err)
		assert.Equal(t, normPasskey(newer), normPasskey(got))
		got, err = s.Passkey(t.Context(), older.ID)
		require.NoError(t, err)
		assert.Equal(t, normPasskey(older), normPasskey(got))

		list, err := s.Passkeys(t.Context(), a.ID, m.UserID)
		require.NoError(t, err)
		assert.Equal(t, normPasskeys([]clientele.Passkey{older, newer}), normPasskeys(list), "oldest first")
		list, err = s.Passkeys(t.Context(), b.ID, m.UserID)
		require.NoError(t, err)
		assert.Empty(t, list, "another agency")
		list, err = s.Passkeys(t.Context(), a.ID, "usr_unknown")
		require.NoError(t, err)
		assert.Empty(t, list)
		_, err = s.Passkeys(t.Context(), "", m.UserID)
		require.ErrorIs(t, err, clientele.ErrMissingScope)

		for _, id := range [][]byte{randomBytes(32), nil, newer.ID[:16]} {
			_, err = s.Passkey(t.Context(), id)
			require.ErrorIs(t, err, clientele.ErrNotFound, "id %x", id)
		}
	})

	t.Run("CreateErrors", func(t *testing.T) {
		s := newStore(t)
		a := mustAgency(t, s, "")
		b := mustAgency(t, s, "")
		ca := mustClient(t, s, a.ID, "Globex")
		cb := mustClient(t, s, b.ID, "Initech")
		m := mustMember(t, s, ca, "ada@example.com", clientele.RoleAdmin)
		mb := mustMember(t, s, cb, "bob@example.com", clientele.RoleAdmin)
		p := newPasskey(a.ID, m.UserID)
		require.NoError(t, s.CreatePasskey(t.Context(), p, userChange(p.UserID)))

		dup := newPasskey(b.ID, mb.UserID)
		dup.ID = p.ID
		require.ErrorIs(t, s.CreatePasskey(t.Context(), dup, userChange(dup.UserID)), clientele.ErrDuplicate, "an id is unique across agencies")
		got, err := s.Passkey(t.Context(), p.ID)
		require.NoError(t, err)
		assert.Equal(t, normPasskey(p), normPasskey(got), "unchanged")

		require.ErrorIs(t, s.CreatePasskey(t.Context(), newPasskey(b.ID, m.UserID), userChange(m.UserID)), clientele.ErrNotFound, "a user of another agency")
		require.ErrorIs(t, s.CreatePasskey(t.Context(), newPasskey(a.ID, "usr_unknown"), userChange("usr_unknown")), clientele.ErrNotFound)
		require.ErrorIs(t, s.CreatePasskey(t.Context(), newPasskey("", m.UserID), userChange(m.UserID)), clientele.ErrMissingScope)
		for name, change := range map[string]func(*clientele.Passkey){
			"no id":        func(p *clientele.Passkey) { p.ID = nil },
			"id too long":  func(p *clientele.Passkey) { p.ID = randomBytes(1024) },
			"no user":      func(p *clientele.Passkey) { p.UserID = "" },
			"short AAGUID": func(p *clientele.Passkey) { p.AAGUID = p.AAGUID[:15] },
			"comma":        func(p *clientele.Passkey) { p.Transports = []string{"usb,nfc"} },
		} {
			x := newPasskey(a.ID, m.UserID)
			change(&x)
			require.ErrorIs(t, s.CreatePasskey(t.Context(), x, userChange(x.UserID)), clientele.ErrInvalidArgument, name)
		}
		list, err := s.Passkeys(t.Context(), a.ID, m.UserID)
		require.NoError(t, err)
		assert.Len(t, list, 1, "nothing else stored")
	})

	t.Run("Delete", func(t *testing.T) {
		s := newStore(t)
		a := mustAgency(t, s, "")
		b := mustAgency(t, s, "")
		c := mustClient(t, s, a.ID, "Globex")
		m := mustMember(t, s, c, "ada@example.com", clientele.RoleAdmin)
		bob := mustMember(t, s, c, "bob@example.com", clientele.RoleAdmin)
		p := newPasskey(a.ID, m.UserID)
		require.NoError(t, s.CreatePasskey(t.Context(), p, userChange(p.UserID)))

		require.ErrorIs(t, s.DeletePasskey(t.Context(), b.ID, m.UserID, p.ID, userChange(m.UserID)), clientele.ErrNotFound, "another agency")
		require.ErrorIs(t, s.DeletePasskey(t.Context(), a.ID, bob.UserID, p.ID, userChange(m.UserID)), clientele.ErrNotFound, "another user")
		require.ErrorIs(t, s.DeletePasskey(t.Context(), "", m.UserID, p.ID, userChange(m.UserID)), clientele.ErrMissingScope)
		_, err := s.Passkey(t.Context(), p.ID)
		require.NoError(t, err, "still there")

		require.NoError(t, s.DeletePasskey(t.Context(), a.ID, m.UserID, p.ID, userChange(m.UserID)))
		_, err = s.Passkey(t.Context(), p.ID)
		require.ErrorIs(t, err, clientele.ErrNotFound)
		require.ErrorIs(t, s.DeletePasskey(t.Context(), a.ID, m.UserID, p.ID, userChange(m.UserID)), clientele.ErrNotFound, "already gone")
		require.NoError(t, s.CreatePasskey(t.Context(), p, userChange(p.UserID)), "the id is free again")
	})

	t.Run("Use", func(t *testing.T) {
		s := newStore(t)
		a := mustAgency(t, s, "")
		c := mustClient(t, s, a.ID, "Globex")
		m := mustMember(t, s, c, "ada@example.com", clientele.RoleAdmin)
		p := newPasskey(a.ID, m.UserID)
		p.SignCount = 5
		require.NoError(t, s.CreatePasskey(t.Context(), p, userChange(p.UserID)))
		t1, t2 := base.Add(time.Hour), base.Add(2*time.Hour)

		require.NoError(t, s.UsePasskey(t.Context(), p.ID, 5, 9, t1))
		want := p
		want.SignCount, want.LastUsedAt = 9, &t1
		requirePasskey(t, s, want)

		for _, prev := range []uint32{5, 8, 10} {
			err := s.UsePasskey(t.Context(), p.ID, prev, 11, t2)
			require.ErrorIs(t, err, authn.ErrCounterMismatch, "stored count is not prev %d", prev)
		}
		for _, next := range []uint32{9, 3, 0} {
			err := s.UsePasskey(t.Context(), p.ID, 9, next, t2)
			require.ErrorIs(t, err, authn.ErrCounterMismatch, "the count does not move forward to %d", next)
		}
		requirePasskey(t, s, want) // unchanged

		err := s.UsePasskey(t.Context(), randomBytes(32), 0, 1, t2)
		require.ErrorIs(t, err, clientele.ErrNotFound, "a missing credential")
	})

	t.Run("UseWithoutCounter", func(t *testing.T) {
		// Authenticators that keep no counter (most synced passkeys)
		// always report 0.
		s := newStore(t)
		a := mustAgency(t, s, "")
		c := mustClient(t, s, a.ID, "Globex")
		m := mustMember(t, s, c, "ada@example.com", clientele.RoleAdmin)
		p := newPasskey(a.ID, m.UserID)
		require.NoError(t, s.CreatePasskey(t.Context(), p, userChange(p.UserID)))
		t1, t2 := base.Add(time.Hour), base.Add(2*time.Hour)

		for _, at := range []time.Time{t1, t1, t2} { // the same time twice changes nothing and is no error
			require.NoError(t, s.UsePasskey(t.Context(), p.ID, 0, 0, at))
			want := p
			want.LastUsedAt = &at
			requirePasskey(t, s, want)
		}
		require.ErrorIs(t, s.UsePasskey(t.Context(), p.ID, 1, 2, t2), authn.ErrCounterMismatch)
	})

	t.Run("UseOnce", func(t *testing.T) {
		s := newStore(t)
		a := mustAgency(t, s, "")
		c := mustClient(t, s, a.ID, "Globex")
		m := mustMember(t, s, c, "ada@example.com", clientele.RoleAdmin)
		p := newPasskey(a.ID, m.UserID)
		p.SignCount = 7
		require.NoError(t, s.CreatePasskey(t.Context(), p, userChange(p.UserID)))

		const racers = 20
		errs := race(racers, func(i int) error {
			return s.UsePasskey(t.Context(), p.ID, 7, 8, base.Add(time.Duration(i+1)*time.Second))
		})
		won := 0
		for _, err := range errs {
			if err == nil {
				won++
				continue
			}
			require.ErrorIs(t, err, authn.ErrCounterMismatch)
		}
		assert.Equal(t, 1, won, "one of %d concurrent uses of one count", racers)
		got, err := s.Passkey(t.Context(), p.ID)
		require.NoError(t, err)
		assert.Equal(t, uint32(8), got.SignCount)
	})

	t.Run("LongID", func(t *testing.T) {
		s := newStore(t)
		a := mustAgency(t, s, "")
		c := mustClient(t, s, a.ID, "Globex")
		m := mustMember(t, s, c, "ada@example.com", clientele.RoleAdmin)
		long := newPasskey(a.ID, m.UserID)
		long.ID = randomBytes(1023)
		prefix := newPasskey(a.ID, m.UserID)
		prefix.ID = long.ID[:1022]
		prefix.CreatedAt = base.Add(time.Second)
		require.NoError(t, s.CreatePasskey(t.Context(), long, userChange(long.UserID)))
		require.NoError(t, s.CreatePasskey(t.Context(), prefix, userChange(prefix.UserID)), "a prefix is another id")

		requirePasskey(t, s, long)
		require.NoError(t, s.UsePasskey(t.Context(), long.ID, 0, 1, base))
		long.SignCount, long.LastUsedAt = 1, ptr(base)
		requirePasskey(t, s, long)
		requirePasskey(t, s, prefix)
		list, err := s.Passkeys(t.Context(), a.ID, m.UserID)
		require.NoError(t, err)
		assert.Equal(t, normPasskeys([]clientele.Passkey{long, prefix}), normPasskeys(list))
		require.NoError(t, s.DeletePasskey(t.Context(), a.ID, m.UserID, long.ID, userChange(m.UserID)))
		requirePasskey(t, s, prefix)
	})
}

// requirePasskey fails unless the store holds want under its id.
func requirePasskey(t *testing.T, s Store, want clientele.Passkey) {
	t.Helper()
	got, err := s.Passkey(t.Context(), want.ID)
	require.NoError(t, err)
	require.Equal(t, normPasskey(want), normPasskey(got))
}
