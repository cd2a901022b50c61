package conformance

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/clientele/clientele"
	"github.com/clientele/clientele/invite"
)

// newDelivery returns a fresh delivery of inv, due at inv.CreatedAt.
func newDelivery(inv clientele.Invitation) *invite.Delivery {
	return &invite.Delivery{ID: invite.DeliveryID(clientele.NewID("dlv")), Kind: invite.KindInvitation, AgencyID: inv.AgencyID,
		ClientID: inv.ClientID, InvitationID: inv.ID, NextAttemptAt: inv.CreatedAt, CreatedAt: inv.CreatedAt}
}

// mustQueue stores a new invitation of email to c with its delivery, at
// base.
func mustQueue(t *testing.T, s Store, c clientele.Client, email clientele.Email) (clientele.Invitation, invite.Delivery) {
	t.Helper()
	inv := newInvitation(c, email, clientele.RoleMember)
	d := newDelivery(inv)
	require.NoError(t, s.CreateInvitation(t.Context(), inv, base, d, stamp()), "create invitation with delivery")
	return inv, *d
}

// mustClaim claims d at now for a minute.
func mustClaim(t *testing.T, s Store, d invite.Delivery, now time.Time) invite.Delivery {
	t.Helper()
	got, err := s.ClaimDelivery(t.Context(), d, now, now.Add(time.Minute))
	require.NoError(t, err, "claim delivery")
	return got
}

func normDelivery(d invite.Delivery) invite.Delivery {
	d.NextAttemptAt = normTime(d.NextAttemptAt)
	d.CreatedAt = normTime(d.CreatedAt)
	d.SentAt = normTimePtr(d.SentAt)
	return d
}

// requireNoDelivery fails unless delivery id of client is unknown.
func requireNoDelivery(t *testing.T, s Store, client clientele.ClientID, id invite.DeliveryID) {
	t.Helper()
	_, err := s.Delivery(t.Context(), client, id)
	require.ErrorIs(t, err, clientele.ErrNotFound, "no delivery stored")
}

func testOutbox(t *testing.T, newStore newStoreFunc) {
	t.Run("QueuedWithTheInvitation", func(t *testing.T) {
		s := newStore(t)
		a := mustAgency(t, s, "")
		c := mustClient(t, s, a.ID, "Globex")
		inv, d := mustQueue(t, s, c, "ada@example.com")

		got, err := s.Delivery(t.Context(), c.ID, d.ID)
		require.NoError(t, err)
		assert.Equal(t, normDelivery(d), normDelivery(got))
		due, err := s.DueDeliveries(t.Context(), base, 10)
		require.NoError(t, err)
		require.Len(t, due, 1)
		assert.Equal(t, normDelivery(d), normDelivery(due[0]))

		next := newInvitation(c, inv.Email, inv.Role)
		next.CreatedAt = base.Add(time.Minute)
		nd := newDelivery(next)
		require.NoError(t, s.ReplaceInvitation(t.Context(), c.ID, inv.ID, next, nd, stamp()))
		got, err = s.Delivery(t.Context(), c.ID, nd.ID)
		require.NoError(t, err)
		assert.Equal(t, normDelivery(*nd), normDelivery(got))

		other := mustClient(t, s, a.ID, "Initech")
		requireNoDelivery(t, s, other.ID, d.ID)
	})

	t.Run("FailedWriteQueuesNothing", func(t *testing.T) { testQueueAtomic(t, newStore) })
	t.Run("Due", func(t *testing.T) { testDue(t, newStore) })
	t.Run("Claim", func(t *testing.T) { testClaim(t, newStore) })
	t.Run("CompleteAndRetry", func(t *testing.T) { testCompleteAndRetry(t, newStore) })
	t.Run("RotateToken", func(t *testing.T) { testRotateToken(t, newStore) })
	t.Run("DeliverOnce", func(t *testing.T) { testDeliverOnce(t, newStore, 8, 40) })
}

func testQueueAtomic(t *testing.T, newStore newStoreFunc) {
	s := newStore(t)
	a := mustAgency(t, s, "")
	c := mustClient(t, s, a.ID, "Globex")
	first, taken := mustQueue(t, s, c, "ada@example.com")
	mustMember(t, s, c, "member@example.com", clientele.RoleMember)

	// Refused invitations: the delivery is not written either.
	pending := newInvitation(c, first.Email, clientele.RoleAdmin)
	d := newDelivery(pending)
	require.ErrorIs(t, s.CreateInvitation(t.Context(), pending, base, d, stamp()), invite.ErrPendingExists)
	requireNoDelivery(t, s, c.ID, d.ID)
	member := newInvitation(c, "member@example.com", clientele.RoleAdmin)
	d = newDelivery(member)
	require.ErrorIs(t, s.CreateInvitation(t.Context(), member, base, d, stamp()), invite.ErrAlreadyMember)
	requireNoDelivery(t, s, c.ID, d.ID)

	// A refused delivery: the invitation is not written either.
	dup := newInvitation(c, "bob@example.com", clientele.RoleMember)
	d = newDelivery(dup)
	d.ID = taken.ID
	require.ErrorIs(t, s.CreateInvitation(t.Context(), dup, base, d, stamp()), clientele.ErrDuplicate)
	_, err := s.Invitation(t.Context(), c.ID, dup.ID)
	require.ErrorIs(t, err, clientele.ErrNotFound, "invitation not stored")
	for name, change := range map[string]func(*invite.Delivery){
		"another invitation": func(d *invite.Delivery) { d.InvitationID = first.ID },
		"another client":     func(d *invite.Delivery) { d.ClientID = "cli_other" },
		"attempts":           func(d *invite.Delivery) { d.Attempts = 1 },
		"sent":               func(d *invite.Delivery) { d.SentAt = ptr(base) },
		"no id":              func(d *invite.Delivery) { d.ID = "" },
		"no due time":        func(d *invite.Delivery) { d.NextAttemptAt = time.Time{} },
		"no kind":            func(d *invite.Delivery) { d.Kind = "" },
		"a notice's kind":    func(d *invite.Delivery) { d.Kind = invite.KindNotice },
		"a user":             func(d *invite.Delivery) { d.UserID = "usr_1" },
		"a notice":           func(d *invite.Delivery) { d.Notice = invite.NoticePasswordChanged },
	} {
		bad := newInvitation(c, "carol@example.com", clientele.RoleMember)
		d := newDelivery(bad)
		change(d)
		require.ErrorIs(t, s.CreateInvitation(t.Context(), bad, base, d, stamp()), clientele.ErrInvalidArgument, name)
		_, err := s.Invitation(t.Context(), c.ID, bad.ID)
		require.ErrorIs(t, err, clientele.ErrNotFound, "%s: invitation not stored", name)
	}

	// A refused replacement writes neither, and leaves the old one pending.
	next := newInvitation(c, first.Email, first.Role)
	d = newDelivery(next)
	d.ID = taken.ID
	require.ErrorIs(t, s.ReplaceInvitation(t.Context(), c.ID, first.ID, next, d, stamp()), clientele.ErrDuplicate)
	_, err = s.Invitation(t.Context(), c.ID, next.ID)
	require.ErrorIs(t, err, clientele.ErrNotFound, "replacement not stored")
	got, err := s.Invitation(t.Context(), c.ID, first.ID)
	require.NoError(t, err)
	assert.Equal(t, clientele.InvitationPending, got.Status, "old still pending")

	require.NoError(t, s.CancelInvitation(t.Context(), c.ID, first.ID, stamp()))
	next = newInvitation(c, first.Email, first.Role)
	d = newDelivery(next)
	require.ErrorIs(t, s.ReplaceInvitation(t.Context(), c.ID, first.ID, next, d, stamp()), invite.ErrCancelled)
	requireNoDelivery(t, s, c.ID, d.ID)

	due, err := s.DueDeliveries(t.Context(), base.Add(time.Hour), 1000)
	require.NoError(t, err)
	require.Len(t, due, 1, "only the first delivery is queued")
	assert.Equal(t, taken.ID, due[0].ID)
}

func testDue(t *testing.T, newStore newStoreFunc) {
	s := newStore(t)
	a := mustAgency(t, s, "")
	c := mustClient(t, s, a.ID, "Globex")
	other := mustClient(t, s, mustAgency(t, s, "").ID, "Initech")
	var want []invite.DeliveryID
	for i, cl := range []clientele.Client{c, other, c, other} {
		inv := newInvitation(cl, clientele.Email("u"+string(rune('a'+i))+"@example.com"), clientele.RoleMember)
		d := newDelivery(inv)
		d.NextAttemptAt = base.Add(time.Duration(3-i) * time.Second) // the last one is due first
		require.NoError(t, s.CreateInvitation(t.Context(), inv, base, d, stamp()))
		want = append([]invite.DeliveryID{d.ID}, want...)
	}
	ids := func(ds []invite.Delivery) []invite.DeliveryID {
		out := make([]invite.DeliveryID, len(ds))
		for i, d := range ds {
			out[i] = d.ID
		}
		return out
	}
	due, err := s.DueDeliveries(t.Context(), base.Add(3*time.Second), 10)
	require.NoError(t, err)
	assert.Equal(t, want, ids(due), "every client's, earliest first")
	due, err = s.DueDeliveries(t.Context(), base.Add(3*time.Second), 2)
	require.NoError(t, err)
	assert.Equal(t, want[:2], ids(due), "limited")
	early, err := s.DueDeliveries(t.Context(), base.Add(-time.Microsecond), 10)
	require.NoError(t, err)
	assert.Empty(t, early)
	due, err = s.DueDeliveries(t.Context(), base.Add(time.Second), 10)
	require.NoError(t, err)
	require.Equal(t, want[:2], ids(due), "due at NextAttemptAt, not before")

	sent := mustClaim(t, s, due[0], base.Add(time.Second))
	require.NoError(t, s.CompleteDelivery(t.Context(), sent, base.Add(time.Second), ""))
	due, err = s.DueDeliveries(t.Context(), base.Add(time.Hour), 10)
	require.NoError(t, err)
	assert.Equal(t, want[1:], ids(due), "a sent delivery is never due")

	for _, n := range []int{0, -1, 1001} {
		_, err = s.DueDeliveries(t.Context(), base, n)
		require.ErrorIs(t, err, clientele.ErrInvalidArgument, "limit %d", n)
	}
}
