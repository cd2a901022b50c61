package memory_test

import (
	"testing"

	"github.com/clientele/clientele/adapters/conformance"
	"github.com/clientele/clientele/adapters/memory"
)

// TestIsolation runs the randomized isolation property (see
// conformance.RunIsolation) on the memory store: 10,000 steps from a fixed
// seed. CLIENTELE_ISOLATION_STEPS and CLIENTELE_ISOLATION_SEED change the
// size and the seed (the full run is 100,000 steps).
func TestIsolation(t *testing.T) {
	conformance.RunIsolation(t, func(t *testing.T) conformance.Store { return memory.New() }, 10_000, 1)
}
