package memory_test

import (
	"testing"

	"github.com/clientele/clientele/adapters/conformance"
	"github.com/clientele/clientele/adapters/memory"
)

func TestConformance(t *testing.T) {
	conformance.Run(t, func(t *testing.T) conformance.Store { return memory.New() })
}

// TestConcurrencyFigures runs the races at the sizes the SQL stores report.
func TestConcurrencyFigures(t *testing.T) {
	conformance.RunConcurrency(t, func(t *testing.T) conformance.Store { return memory.New() },
		conformance.Load{Racers: 1000, Rounds: 200})
}
