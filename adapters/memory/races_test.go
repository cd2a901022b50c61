package memory_test

import (
	"testing"

	"github.com/clientele/clientele/adapters/conformance"
	"github.com/clientele/clientele/adapters/memory"
)

// TestRaces runs the conformance races on the memory store. It has no
// connection pool, so both sides of remove vs request share one Store.
//
// CLIENTELE_RACE_TRIALS sets the trials per race (default
// conformance.DefaultRaceTrials, the CI size); the figures we quote come
// from CLIENTELE_RACE_TRIALS=1000.
func TestRaces(t *testing.T) {
	conformance.RunRaces(t, func(t *testing.T) conformance.Store { return memory.New() }, conformance.RaceTrials(t))
}
