package conformance

import (
	"crypto/rand"
	"slices"
	"testing"
	"time"

	"github.com/clientele/clientele"
	"github.com/clientele/clientele/authn"
)

// testAuthn checks the contracts of [authn.Store].
func testAuthn(t *testing.T, newStore newStoreFunc) {
	t.Run("Credentials", func(t *testing.T) { testCredentials(t, newStore) })
	t.Run("Sessions", func(t *testing.T) { testSessions(t, newStore) })
	t.Run("Passkeys", func(t *testing.T) { testPasskeys(t, newStore) })
	t.Run("Ceremonies", func(t *testing.T) { testCeremonies(t, newStore) })
	t.Run("Limits", func(t *testing.T) { testLimits(t, newStore) })
	t.Run("Devices", func(t *testing.T) { testDevices(t, newStore) })
	t.Run("AcceptPasskey", func(t *testing.T) { testAcceptPasskey(t, newStore) })
	t.Run("CredentialChanges", func(t *testing.T) { testCredentialChanges(t, newStore) })
}

// sessionTTL is the absolute lifetime of the suite's sessions.
const sessionTTL = 12 * time.Hour

// newSession returns a session of member m of agency, created and last
// seen at base, with a fresh token hash.
func newSession(agency clientele.AgencyID, m clientele.Member) authn.Session {
	return authn.Session{
		TokenHash:  hashOf(clientele.NewID("ses")),
		AgencyID:   agency,
		ClientID:   m.ClientID,
		UserID:     m.UserID,
		CreatedAt:  base,
		SignedInAt: base.Add(-2 * time.Minute), // started from an earlier session
		LastSeenAt: base,
		ExpiresAt:  base.Add(sessionTTL),
	}
}

// newPasskey returns a passkey of user in agency created at base, with a
// fresh random 32-byte credential id.
func newPasskey(agency clientele.AgencyID, user clientele.UserID) clientele.Passkey {
	return clientele.Passkey{
		ID:              randomBytes(32),
		AgencyID:        agency,
		UserID:          user,
		Name:            "MacBook",
		PublicKey:       randomBytes(77),
		AttestationType: "none",
		AAGUID:          randomBytes(16),
		Transports:      []string{"hybrid", "internal"},
		BackupEligible:  true,
		BackupState:     false,
		CreatedAt:       base,
	}
}

// newCeremony returns a login ceremony of agency that expires an hour
// after base, with a fresh id.
func newCeremony(agency clientele.AgencyID) authn.Ceremony {
	return authn.Ceremony{
		ID:        hashOf(clientele.NewID("cer")),
		Kind:      authn.CeremonyLogin,
		AgencyID:  agency,
		Data:      []byte(`{"challenge":"` + clientele.NewID("chl") + `"}`),
		ExpiresAt: base.Add(time.Hour),
	}
}

func randomBytes(n int) []byte {
	b := make([]byte, n)
	_, _ = rand.Read(b) // crypto/rand.Read never fails (Go 1.24+)
	return b
}

func normSession(s authn.Session) authn.Session {
	s.CreatedAt = normTime(s.CreatedAt)
	s.SignedInAt = normTime(s.SignedInAt)
	s.LastSeenAt = normTime(s.LastSeenAt)
	s.ExpiresAt = normTime(s.ExpiresAt)
	return s
}

func normResolved(r authn.Resolved) authn.Resolved {
	r.Session = normSession(r.Session)
	r.Member = normMember(r.Member)
	if len(r.Permissions) == 0 {
		r.Permissions = nil
	}
	return r
}

func normPasskey(p clientele.Passkey) clientele.Passkey {
	p.CreatedAt = normTime(p.CreatedAt)
	p.LastUsedAt = normTimePtr(p.LastUsedAt)
	p.ID, p.PublicKey, p.AAGUID = emptyNil(p.ID), emptyNil(p.PublicKey), emptyNil(p.AAGUID)
	if len(p.Transports) == 0 {
		p.Transports = nil
	}
	return p
}

func normPasskeys(ps []clientele.Passkey) []clientele.Passkey {
	out := make([]clientele.Passkey, len(ps))
	for i, p := range ps {
		out[i] = normPasskey(p)
	}
	return out
}

func normCeremony(c authn.Ceremony) authn.Ceremony {
	c.ExpiresAt = normTime(c.ExpiresAt)
	c.Data = emptyNil(c.Data)
	return c
}

func emptyNil(b []byte) []byte {
	if len(b) == 0 {
		return nil
	}
	return slices.Clone(b)
}
