package memory

import (
	"context"
	"maps"
	"time"
)

// limitRetention is how long a window's count is kept after it starts:
// windows may last up to a day.
const limitRetention = 24 * time.Hour

// limitKey is one key's window.
type limitKey struct {
	key    string
	window int64 // start, Unix nanoseconds
}

// Hit adds one attempt under key in the window starting at window and
// returns the window's count including it. Starting a new count forgets
// the windows that started a day or more before now.
func (s *Store) Hit(_ context.Context, key string, window, now time.Time) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	k := limitKey{key, window.UnixNano()}
	n := s.limits[k] + 1
	if n == 1 {
		cutoff := now.Add(-limitRetention).UnixNano()
		maps.DeleteFunc(s.limits, func(k limitKey, _ int) bool { return k.window <= cutoff })
	}
	s.limits[k] = n
	return n, nil
}

// Clear forgets key's attempts in the window starting at window.
func (s *Store) Clear(_ context.Context, key string, window time.Time) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.limits, limitKey{key, window.UnixNano()})
	return nil
}
