package conformance

import (
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/clientele/clientele"
	"github.com/clientele/clientele/invite"
)

func testClaim(t *testing.T, newStore newStoreFunc) {
	s := newStore(t)
	a := mustAgency(t, s, "")
	c := mustClient(t, s, a.ID, "Globex")
	_, d := mustQueue(t, s, c, "ada@example.com")
	now := base.Add(time.Second)

	_, err := s.ClaimDelivery(t.Context(), d, base.Add(-time.Second), base)
	require.ErrorIs(t, err, invite.ErrLeaseLost, "not due yet")

	claimed := mustClaim(t, s, d, now)
	want := d
	want.NextAttemptAt = now.Add(time.Minute)
	assert.Equal(t, normDelivery(want), normDelivery(claimed))
	stored, err := s.Delivery(t.Context(), c.ID, d.ID)
	require.NoError(t, err)
	assert.Equal(t, normDelivery(want), normDelivery(stored))

	_, err = s.ClaimDelivery(t.Context(), d, now, now.Add(time.Minute))
	require.ErrorIs(t, err, invite.ErrLeaseLost, "claimed by another worker")
	_, err = s.ClaimDelivery(t.Context(), claimed, now.Add(time.Second), now.Add(time.Hour))
	require.ErrorIs(t, err, invite.ErrLeaseLost, "the lease still runs")
	due, err := s.DueDeliveries(t.Context(), now.Add(time.Second), 10)
	require.NoError(t, err)
	assert.Empty(t, due, "a claimed delivery is not due while its lease runs")

	// A lease that ran out (a crashed worker) may be taken over.
	later := claimed.NextAttemptAt
	again := mustClaim(t, s, claimed, later)
	assert.Equal(t, normTime(later.Add(time.Minute)), normTime(again.NextAttemptAt))
	require.ErrorIs(t, s.CompleteDelivery(t.Context(), claimed, later, ""), invite.ErrLeaseLost,
		"the first worker lost its lease")

	unknown := d
	unknown.ID = "dlv_unknown"
	_, err = s.ClaimDelivery(t.Context(), unknown, later, later.Add(time.Minute))
	require.ErrorIs(t, err, clientele.ErrNotFound)
	elsewhere := again
	elsewhere.ClientID = mustClient(t, s, a.ID, "Initech").ID
	_, err = s.ClaimDelivery(t.Context(), elsewhere, later.Add(time.Hour), later.Add(2*time.Hour))
	require.ErrorIs(t, err, clientele.ErrNotFound, "through another client")
	noScope := again
	noScope.ClientID = ""
	_, err = s.ClaimDelivery(t.Context(), noScope, later.Add(time.Hour), later.Add(2*time.Hour))
	require.ErrorIs(t, err, clientele.ErrMissingScope)
	_, err = s.Delivery(t.Context(), "", d.ID)
	require.ErrorIs(t, err, clientele.ErrMissingScope)
}

func testCompleteAndRetry(t *testing.T, newStore newStoreFunc) {
	s := newStore(t)
	a := mustAgency(t, s, "")
	c := mustClient(t, s, a.ID, "Globex")
	_, d := mustQueue(t, s, c, "ada@example.com")

	claimed := mustClaim(t, s, d, base)
	retryAt := base.Add(2 * time.Second)
	require.NoError(t, s.RetryDelivery(t.Context(), claimed, retryAt, "smtp 451"))
	got, err := s.Delivery(t.Context(), c.ID, d.ID)
	require.NoError(t, err)
	want := d
	want.Attempts, want.NextAttemptAt, want.LastError = 1, retryAt, "smtp 451"
	assert.Equal(t, normDelivery(want), normDelivery(got))
	require.ErrorIs(t, s.RetryDelivery(t.Context(), claimed, retryAt, "timeout"), invite.ErrLeaseLost, "twice")
	due, err := s.DueDeliveries(t.Context(), retryAt.Add(-time.Microsecond), 10)
	require.NoError(t, err)
	assert.Empty(t, due, "not due before the retry time")

	claimed = mustClaim(t, s, got, retryAt)
	require.ErrorIs(t, s.CompleteDelivery(t.Context(), claimed, retryAt, string(make([]byte, invite.MaxLastError+1))),
		clientele.ErrInvalidArgument)
	sentAt := retryAt.Add(time.Second)
	require.NoError(t, s.CompleteDelivery(t.Context(), claimed, sentAt, ""))
	got, err = s.Delivery(t.Context(), c.ID, d.ID)
	require.NoError(t, err)
	want.NextAttemptAt, want.LastError, want.SentAt = claimed.NextAttemptAt, "", &sentAt
	assert.Equal(t, normDelivery(want), normDelivery(got))
	assert.True(t, got.Sent())

	require.ErrorIs(t, s.CompleteDelivery(t.Context(), claimed, sentAt, ""), invite.ErrLeaseLost, "already sent")
	require.ErrorIs(t, s.RetryDelivery(t.Context(), claimed, sentAt, "timeout"), invite.ErrLeaseLost, "already sent")
	_, err = s.ClaimDelivery(t.Context(), got, sentAt.Add(time.Hour), sentAt.Add(2*time.Hour))
	require.ErrorIs(t, err, invite.ErrLeaseLost, "a sent delivery is never claimed")

	// A dropped delivery ends with its reason.
	_, other := mustQueue(t, s, c, "bob@example.com")
	claimed = mustClaim(t, s, other, base)
	require.NoError(t, s.CompleteDelivery(t.Context(), claimed, base, "dropped: invitation cancelled"))
	got, err = s.Delivery(t.Context(), c.ID, other.ID)
	require.NoError(t, err)
	assert.Equal(t, "dropped: invitation cancelled", got.LastError)
	assert.False(t, got.Sent())

	unknown := claimed
	unknown.ID = "dlv_unknown"
	require.ErrorIs(t, s.CompleteDelivery(t.Context(), unknown, base, ""), clientele.ErrNotFound)
	require.ErrorIs(t, s.RetryDelivery(t.Context(), unknown, base, "timeout"), clientele.ErrNotFound)
	unknown.ClientID = ""
	require.ErrorIs(t, s.CompleteDelivery(t.Context(), unknown, base, ""), clientele.ErrMissingScope)
	require.ErrorIs(t, s.RetryDelivery(t.Context(), unknown, base, "timeout"), clientele.ErrMissingScope)
}

// testDeliverOnce runs workers that each loop over the due deliveries,
// claiming and completing them, as processes sharing a database do: every
// one of n deliveries is sent exactly once.
func testDeliverOnce(t *testing.T, newStore newStoreFunc, workers, n int) {
	s := newStore(t)
	a := mustAgency(t, s, "")
	c := mustClient(t, s, a.ID, "Globex")
	ids := make(map[invite.DeliveryID]bool, n)
	for range n {
		_, d := mustQueue(t, s, c, clientele.Email(clientele.NewID("u")+"@example.com"))
		ids[d.ID] = true
	}
	var mu sync.Mutex
	sent := make(map[invite.DeliveryID]int, n)
	lost := 0
	errs := race(workers, func(int) error {
		for {
			due, err := s.DueDeliveries(t.Context(), base, 5)
			if err != nil || len(due) == 0 {
				return err
			}
			for _, d := range due {
				claimed, err := s.ClaimDelivery(t.Context(), d, base, base.Add(time.Minute))
				if errors.Is(err, invite.ErrLeaseLost) {
					mu.Lock()
					lost++
					mu.Unlock()
					continue
				}
				if err != nil {
					return err
				}
				mu.Lock()
				sent[d.ID]++
				mu.Unlock()
				if err := s.CompleteDelivery(t.Context(), claimed, base, ""); err != nil {
					return err
				}
			}
		}
	})
	for _, err := range errs {
		require.NoError(t, err)
	}
	require.Len(t, sent, n, "every delivery sent")
	for id, k := range sent {
		require.True(t, ids[id])
		require.Equal(t, 1, k, "delivery %s sent %d times", id, k)
	}
	due, err := s.DueDeliveries(t.Context(), base.Add(time.Hour), 1000)
	require.NoError(t, err)
	assert.Empty(t, due)
	t.Logf("%d workers, %d deliveries: each sent exactly once (%d claims lost to another worker)", workers, n, lost)
}
