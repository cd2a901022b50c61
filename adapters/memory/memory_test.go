package memory_test

import (
	"testing"

	"github.com/clientele/clientele/adapters/conformance"
	"github.com/clientele/clientele/adapters/memory"
)

func TestConformance(t *testing.T) {
	conformance.Run(t, func(t *testing.T) conformance.Store { return memory.New() })
}
