package bunstore_test

import (
	"testing"

	"github.com/clientele/clientele/adapters/bunstore"
	"github.com/clientele/clientele/adapters/conformance"
	"github.com/clientele/clientele/internal/dbtest"
)

// TestIsolation runs the randomized isolation property (see
// conformance.RunIsolation) on a fresh database of every kind, 1,000
// steps from a fixed seed on each (under -race, SQLite's pure-Go engine
// makes a step cost ~7 ms). CLIENTELE_ISOLATION_STEPS sets the steps of
// every kind and CLIENTELE_ISOLATION_SEED the seed; the full runs are
// 100,000 steps on SQLite and 10,000 on PostgreSQL and MariaDB, one kind
// at a time (-run 'TestIsolation/postgres').
func TestIsolation(t *testing.T) {
	for _, kind := range dbtest.Kinds() {
		t.Run(string(kind), func(t *testing.T) {
			conformance.RunIsolation(t, func(t *testing.T) conformance.Store {
				s, err := bunstore.New(dbtest.Fresh(t, kind))
				if err != nil {
					t.Fatal(err)
				}
				return s
			}, 1_000, 1)
		})
	}
}
