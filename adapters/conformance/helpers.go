package conformance

import (
	"crypto/sha256"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/clientele/clientele"
	"github.com/clientele/clientele/invite"
	"github.com/clientele/clientele/tenancy"
)

// base is the suite's clock: every time is derived from it. It has no
// sub-microsecond part, so stores that keep microseconds compare equal.
var base = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

// ttl is how long the suite's invitations are valid.
const ttl = 7 * 24 * time.Hour

// acceptAt is when the suite's invitations are accepted.
var acceptAt = base.Add(time.Hour)

// newStoreFunc makes a fresh store for one subtest.
type newStoreFunc = func(t *testing.T) Store

// mustAgency creates an agency with the given custom domain (or none).
func mustAgency(t *testing.T, s Store, domain string) clientele.Agency {
	t.Helper()
	id := clientele.AgencyID(clientele.NewID("agc"))
	a := clientele.Agency{
		ID:        id,
		Branding:  clientele.Branding{Name: "Agency " + string(id), CustomDomain: domain},
		CreatedAt: base,
	}
	require.NoError(t, s.CreateAgency(t.Context(), a), "create agency")
	return a
}

// mustClient creates a client of agency named name, without permissions.
func mustClient(t *testing.T, s Store, agency clientele.AgencyID, name string) clientele.Client {
	t.Helper()
	c := clientele.Client{ID: clientele.ClientID(clientele.NewID("cli")), AgencyID: agency, Name: name, CreatedAt: base}
	require.NoError(t, s.CreateClient(t.Context(), c), "create client")
	return c
}

// newInvitation returns a pending invitation of email to c, created at base
// and valid for ttl. Its token hash is derived from its fresh id.
func newInvitation(c clientele.Client, email clientele.Email, role clientele.Role) clientele.Invitation {
	id := clientele.InvitationID(clientele.NewID("inv"))
	return clientele.Invitation{
		ID:        id,
		AgencyID:  c.AgencyID,
		ClientID:  c.ID,
		Email:     email,
		Role:      role,
		Status:    clientele.InvitationPending,
		TokenHash: hashOf(string(id)),
		CreatedAt: base,
		ExpiresAt: base.Add(ttl),
	}
}

func hashOf(s string) []byte {
	h := sha256.Sum256([]byte(s))
	return h[:]
}

// mustInvite stores a new invitation of email to c, at base.
func mustInvite(t *testing.T, s Store, c clientele.Client, email clientele.Email, role clientele.Role) clientele.Invitation {
	t.Helper()
	inv := newInvitation(c, email, role)
	require.NoError(t, s.CreateInvitation(t.Context(), inv, base, nil, stamp()), "create invitation")
	return inv
}

// newAcceptance accepts inv at acceptAt as a new user with a fresh id.
func newAcceptance(inv clientele.Invitation) invite.Acceptance {
	id := clientele.UserID(clientele.NewID("usr"))
	return invite.Acceptance{
		TokenHash:    inv.TokenHash,
		Now:          acceptAt,
		NewUser:      clientele.User{ID: id, Name: "User " + string(inv.Email), CreatedAt: acceptAt},
		PasswordHash: "hash-of-" + string(id),
		Audit:        clientele.AuditEvent{ID: clientele.NewID("aud"), At: acceptAt, IP: stampIP},
	}
}

// stampIP is the source IP of the suite's audit stamps.
const stampIP = "192.0.2.1"

// stamp returns a fresh audit stamp of the agency admin, at base.
func stamp() clientele.AuditEvent {
	return clientele.AuditEvent{ID: clientele.NewID("aud"), At: base, Actor: clientele.AuditActorAgency, IP: stampIP}
}

// mustAccept accepts a and returns the member.
func mustAccept(t *testing.T, s Store, a invite.Acceptance) clientele.Member {
	t.Helper()
	m, err := s.AcceptInvitation(t.Context(), a)
	require.NoError(t, err, "accept invitation")
	return m
}

// mustMember makes email a member of c with role, by invitation: a new
// user, or the agency's user with email, who proves to be the caller.
func mustMember(t *testing.T, s Store, c clientele.Client, email clientele.Email, role clientele.Role) clientele.Member {
	t.Helper()
	acc := newAcceptance(mustInvite(t, s, c, email, role))
	u, err := s.UserByEmail(t.Context(), c.AgencyID, email)
	switch {
	case err == nil:
		acc.Account = u.ID
	case !errors.Is(err, clientele.ErrNotFound):
		require.NoError(t, err, "user by email")
	}
	return mustAccept(t, s, acc)
}

// listAll returns client's whole user list at now.
func listAll(t *testing.T, s Store, client clientele.ClientID, now time.Time) []tenancy.Entry {
	t.Helper()
	list, err := s.ListUsers(t.Context(), client, tenancy.ListQuery{Now: now, Limit: 1000})
	require.NoError(t, err, "list users")
	return normEntries(list)
}

// activeAdmins counts client's active admins.
func activeAdmins(t *testing.T, s Store, client clientele.ClientID) int {
	t.Helper()
	n := 0
	for _, e := range listAll(t, s, client, base) {
		if e.Role == clientele.RoleAdmin && e.Status == tenancy.EntryActive {
			n++
		}
	}
	return n
}

// requireErrorIsAny fails unless err matches one of targets: for the few
// cases the contracts leave open between two sentinels.
func requireErrorIsAny(t *testing.T, err error, targets ...error) {
	t.Helper()
	for _, target := range targets {
		if errors.Is(err, target) {
			return
		}
	}
	require.Failf(t, "unexpected error", "got %v, want one of %v", err, targets)
}

func ptr[T any](v T) *T { return &v }

// The norm functions put times in UTC and empty slices to nil, so that
// records compare with assert.Equal whatever the store's representation.

func normTime(t time.Time) time.Time { return t.UTC() }

func normTimePtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	return ptr(t.UTC())
}

func normAgency(a clientele.Agency) clientele.Agency {
	a.CreatedAt = normTime(a.CreatedAt)
	return a
}

func normClient(c clientele.Client) clientele.Client {
	c.CreatedAt = normTime(c.CreatedAt)
	if len(c.Permissions) == 0 {
		c.Permissions = nil
	}
	return c
}

func normClients(cs []clientele.Client) []clientele.Client {
	out := make([]clientele.Client, len(cs))
	for i, c := range cs {
		out[i] = normClient(c)
	}
	return out
}

func normInvitation(inv clientele.Invitation) clientele.Invitation {
	inv.CreatedAt = normTime(inv.CreatedAt)
	inv.ExpiresAt = normTime(inv.ExpiresAt)
	return inv
}

func normUser(u clientele.User) clientele.User {
	u.CreatedAt = normTime(u.CreatedAt)
	return u
}

func normMember(m clientele.Member) clientele.Member {
	m.CreatedAt = normTime(m.CreatedAt)
	m.LastActiveAt = normTimePtr(m.LastActiveAt)
	return m
}

func normEntries(es []tenancy.Entry) []tenancy.Entry {
	out := make([]tenancy.Entry, len(es))
	for i, e := range es {
		e.LastActiveAt = normTimePtr(e.LastActiveAt)
		e.ExpiresAt = normTimePtr(e.ExpiresAt)
		out[i] = e
	}
	return out
}

// memberEntry is how member m shows in its client's user list.
func memberEntry(m clientele.Member) tenancy.Entry {
	return tenancy.Entry{
		ID: string(m.UserID), Name: m.Name, Email: m.Email, Role: m.Role,
		Status: tenancy.EntryStatus(m.Status), LastActiveAt: normTimePtr(m.LastActiveAt),
	}
}

// pendingEntry is how the pending invitation inv shows in its client's
// user list.
func pendingEntry(inv clientele.Invitation) tenancy.Entry {
	return tenancy.Entry{
		ID: string(inv.ID), Email: inv.Email, Role: inv.Role,
		Status: tenancy.EntryPending, ExpiresAt: ptr(inv.ExpiresAt.UTC()),
	}
}

// ending makes a pending invitation unusable in one way; want is the error
// that then answers for it.
type ending struct {
	name string
	end  func(t *testing.T, s Store, c clientele.Client, inv clientele.Invitation)
	want error
}

// endings lists every way a pending invitation stops being usable.
func endings() []ending {
	return []ending{
		{"accepted", func(t *testing.T, s Store, _ clientele.Client, inv clientele.Invitation) {
			mustAccept(t, s, newAcceptance(inv))
		}, invite.ErrUsed},
		{"cancelled", func(t *testing.T, s Store, c clientele.Client, inv clientele.Invitation) {
			require.NoError(t, s.CancelInvitation(t.Context(), c.ID, inv.ID, stamp()))
		}, invite.ErrCancelled},
		{"replaced", func(t *testing.T, s Store, c clientele.Client, inv clientele.Invitation) {
			require.NoError(t, s.ReplaceInvitation(t.Context(), c.ID, inv.ID, newInvitation(c, inv.Email, inv.Role), nil, stamp()))
		}, invite.ErrReplaced},
		{"expired", func(t *testing.T, s Store, c clientele.Client, inv clientele.Invitation) {
			// A new invitation after the expiry marks the old one expired.
			require.NoError(t, s.CreateInvitation(t.Context(), newInvitation(c, inv.Email, inv.Role), inv.ExpiresAt, nil, stamp()))
		}, invite.ErrExpired},
	}
}
