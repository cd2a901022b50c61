package bunstore_test

import (
	"testing"

	"github.com/clientele/clientele/adapters/bunstore"
	"github.com/clientele/clientele/adapters/conformance"
	"github.com/clientele/clientele/internal/dbtest"
)

// TestConformance runs the store conformance suite on every database kind:
// one fresh database per kind and run, emptied before each subtest.
func TestConformance(t *testing.T) {
	for _, kind := range dbtest.Kinds() {
		t.Run(string(kind), func(t *testing.T) {
			db := dbtest.Fresh(t, kind)
			s, err := bunstore.New(db)
			if err != nil {
				t.Fatal(err)
			}
			conformance.Run(t, func(t *testing.T) conformance.Store {
				dbtest.Reset(t, db)
				return s
			})
		})
	}
}

// TestConcurrencyFigures runs the suite's races at the sizes we report:
// 1,000 goroutines accepting one token, and 200 trials of two Admins
// demoting (or removing) each other, on every database kind.
func TestConcurrencyFigures(t *testing.T) {
	if testing.Short() {
		t.Skip("the full-size races are skipped in -short mode")
	}
	for _, kind := range dbtest.Kinds() {
		t.Run(string(kind), func(t *testing.T) {
			db := dbtest.Fresh(t, kind)
			s, err := bunstore.New(db)
			if err != nil {
				t.Fatal(err)
			}
			conformance.RunConcurrency(t, func(t *testing.T) conformance.Store {
				dbtest.Reset(t, db)
				return s
			}, conformance.Load{Racers: 1000, Rounds: 200})
		})
	}
}
