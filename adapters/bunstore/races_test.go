package bunstore_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/clientele/clientele/adapters/bunstore"
	"github.com/clientele/clientele/adapters/conformance"
	"github.com/clientele/clientele/internal/dbtest"
)

// TestRaces runs the conformance races (accept vs cancel, accept vs
// resend, accept vs accept, remove vs request, demote vs demote) on every
// database kind, one fresh database per kind emptied before each race. The
// request side of remove vs request runs on a second connection pool to
// the same database, as a second process would.
//
// CLIENTELE_RACE_TRIALS sets the trials per race (default
// conformance.DefaultRaceTrials, the CI size); the figures we quote come
// from CLIENTELE_RACE_TRIALS=1000.
func TestRaces(t *testing.T) {
	trials := conformance.RaceTrials(t)
	for _, kind := range dbtest.Kinds() {
		t.Run(string(kind), func(t *testing.T) {
			dsn := dbtest.DSN(t, kind)
			db := dbtest.Open(t, dsn)
			require.NoError(t, bunstore.Migrate(t.Context(), db))
			s, err := bunstore.New(db)
			require.NoError(t, err)
			conformance.RunRaces(t, func(t *testing.T) conformance.Store {
				dbtest.Reset(t, db)
				return reopenable{Store: s, dsn: dsn}
			}, trials)
		})
	}
}

// reopenable is a bunstore Store that can open its database a second
// time (conformance.Reopener).
type reopenable struct {
	*bunstore.Store
	dsn string
}

// Reopen returns a Store on the same database through a new *bun.DB, with
// its own connection pool, closed when t ends.
func (r reopenable) Reopen(t *testing.T) conformance.Store {
	s, err := bunstore.New(dbtest.Open(t, r.dsn))
	require.NoError(t, err)
	return s
}
