package conformance

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func testLimits(t *testing.T, newStore newStoreFunc) {
	window := base.Truncate(15 * time.Minute)
	now := window.Add(time.Minute)

	hit := func(t *testing.T, s Store, key string, window time.Time) int {
		t.Helper()
		n, err := s.Hit(t.Context(), key, window, now)
		require.NoError(t, err)
		return n
	}

	t.Run("Count", func(t *testing.T) {
		s := newStore(t)
		for want := 1; want <= 3; want++ {
			assert.Equal(t, want, hit(t, s, "signin|agc_a|ada@example.com", window))
		}
		assert.Equal(t, 1, hit(t, s, "signin|agc_b|ada@example.com", window), "another key")
		next := window.Add(15 * time.Minute)
		assert.Equal(t, 1, hit(t, s, "signin|agc_a|ada@example.com", next), "another window")
		assert.Equal(t, 4, hit(t, s, "signin|agc_a|ada@example.com", window))

		require.NoError(t, s.Clear(t.Context(), "signin|agc_a|ada@example.com", window))
		assert.Equal(t, 1, hit(t, s, "signin|agc_a|ada@example.com", window), "cleared")
		assert.Equal(t, 2, hit(t, s, "signin|agc_a|ada@example.com", next), "another window is not cleared")
		assert.Equal(t, 2, hit(t, s, "signin|agc_b|ada@example.com", window), "another key is not cleared")
		require.NoError(t, s.Clear(t.Context(), "never-hit", window), "clearing nothing")
	})

	t.Run("AnyKey", func(t *testing.T) {
		s := newStore(t)
		long := strings.Repeat("é", 300)
		keys := []string{
			long, long[:254], long[:255], // 255 bytes end inside a character
			strings.Repeat("k", 255), strings.Repeat("k", 256),
			"with\x00nul", "with", "sha256:" + strings.Repeat("0", 64), "",
		}
		for round := 1; round <= 2; round++ {
			for _, k := range keys {
				assert.Equal(t, round, hit(t, s, k, window), "key %q", k)
			}
		}
	})

	t.Run("Concurrent", func(t *testing.T) {
		s := newStore(t)
		const hitters = 100
		counts := make([]int, hitters)
		errs := race(hitters, func(i int) error {
			var err error
			counts[i], err = s.Hit(t.Context(), "ip|192.0.2.1", window, now)
			return err
		})
		for _, err := range errs {
			require.NoError(t, err)
		}
		slices.Sort(counts)
		for i, n := range counts {
			require.Equal(t, i+1, n, "every count from 1 to %d exactly once", hitters)
		}
		assert.Equal(t, hitters+1, hit(t, s, "ip|192.0.2.1", window))
	})
}
