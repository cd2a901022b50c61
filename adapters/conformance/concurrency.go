package conformance

import (
	"errors"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/clientele/clientele"
	"github.com/clientele/clientele/invite"
	"github.com/clientele/clientele/tenancy"
)

// Load sizes the concurrency tests.
type Load struct {
	// Racers is how many goroutines race to accept one invitation.
	Racers int
	// Rounds is how often two admins race to leave their client without
	// one, for each pairing (demote/demote, remove/remove, demote/remove).
	Rounds int
}

// DefaultLoad is the load Run uses.
var DefaultLoad = Load{Racers: 100, Rounds: 50}

// RunConcurrency runs the suite's concurrency tests under load: exactly
// one of load.Racers concurrent accepts of one token wins and one
// membership results; and in each of load.Rounds trials per pairing, two
// active admins acting on each other at once leave exactly one active
// admin.
func RunConcurrency(t *testing.T, newStore func(t *testing.T) Store, load Load) {
	racers, rounds := load.Racers, load.Rounds
	if racers < 2 || rounds < 1 {
		t.Fatalf("conformance: load %+v: want at least 2 racers and 1 round", load)
	}
	t.Run("AcceptOnce", func(t *testing.T) {
		s := newStore(t)
		a := mustAgency(t, s, "")
		c := mustClient(t, s, a.ID, "Globex")
		inv := mustInvite(t, s, c, "ada@example.com", clientele.RoleMember)

		accs := make([]invite.Acceptance, racers)
		for i := range accs {
			accs[i] = newAcceptance(inv) // each with its own new user id
		}
		errs := race(len(accs), func(i int) error {
			_, err := s.AcceptInvitation(t.Context(), accs[i])
			return err
		})

		winner := -1
		for i, err := range errs {
			if err == nil {
				require.Equal(t, -1, winner, "two accepts succeeded")
				winner = i
				continue
			}
			require.ErrorIs(t, err, invite.ErrUsed, "racer %d", i)
		}
		require.NotEqual(t, -1, winner, "no accept succeeded")
		t.Logf("%d concurrent accepts of one token: 1 succeeded, %d answered ErrUsed", racers, racers-1)

		won := accs[winner]
		id, hash, err := s.PasswordHash(t.Context(), a.ID, inv.Email)
		require.NoError(t, err)
		assert.Equal(t, won.NewUser.ID, id, "the winner's user")
		assert.Equal(t, won.PasswordHash, hash)
		list := listAll(t, s, c.ID, acceptAt)
		require.Len(t, list, 1, "exactly one membership")
		assert.Equal(t, string(won.NewUser.ID), list[0].ID)
		for i, acc := range accs {
			if i != winner {
				_, err := s.Member(t.Context(), c.ID, acc.NewUser.ID)
				require.ErrorIs(t, err, clientele.ErrNotFound, "a loser's user is a member")
			}
		}
		got, err := s.Invitation(t.Context(), c.ID, inv.ID)
		require.NoError(t, err)
		assert.Equal(t, clientele.InvitationAccepted, got.Status)
		assert.Equal(t, won.NewUser.ID, got.AcceptedBy)
	})

	demote := func(t *testing.T, s Store, c clientele.ClientID, u clientele.UserID) error {
		_, err := s.ChangeRole(t.Context(), c, u, clientele.RoleMember, true, stamp())
		return err
	}
	remove := func(t *testing.T, s Store, c clientele.ClientID, u clientele.UserID) error {
		return s.RemoveMember(t.Context(), c, u, true, stamp())
	}
	for _, tc := range []struct {
		name       string
		first, alt func(t *testing.T, s Store, c clientele.ClientID, u clientele.UserID) error
	}{
		{"LastAdminDemotions", demote, demote},
		{"LastAdminRemovals", remove, remove},
		{"LastAdminDemotionAndRemoval", demote, remove},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newStore(t)
			a := mustAgency(t, s, "")
			for range rounds {
				c := mustClient(t, s, a.ID, "Globex")
				x := mustMember(t, s, c, "x@example.com", clientele.RoleAdmin)
				y := mustMember(t, s, c, "y@example.com", clientele.RoleAdmin)

				// x acts on y while y acts on x.
				errs := race(2, func(i int) error {
					if i == 0 {
						return tc.first(t, s, c.ID, y.UserID)
					}
					return tc.alt(t, s, c.ID, x.UserID)
				})
				failed := 0
				for _, err := range errs {
					if err != nil {
						require.ErrorIs(t, err, tenancy.ErrLastAdmin)
						failed++
					}
				}
				require.Equal(t, 1, failed, "exactly one of the two changes fails: %v", errors.Join(errs...))
				require.Equal(t, 1, activeAdmins(t, s, c.ID), "one active admin is left")
			}
			t.Logf("%d trials: every one left exactly one active admin, one change refused with ErrLastAdmin", rounds)
		})
	}
}

// race runs f(0)...f(n-1) in n goroutines released together and returns
// their errors by index.
func race(n int, f func(i int) error) []error {
	errs := make([]error, n)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			<-start
			errs[i] = f(i)
		})
	}
	close(start)
	wg.Wait()
	return errs
}
