package bunstore

import (
	"context"
	"time"
)

// WaitServing waits until s's cache serves (its node registered and
// caught up), polling every millisecond; false after d.
func WaitServing(ctx context.Context, s *Store, d time.Duration) bool {
	deadline := time.Now().Add(d)
	for time.Now().Before(deadline) && ctx.Err() == nil {
		if s.cache != nil && s.cache.Serving() {
			return true
		}
		time.Sleep(time.Millisecond)
	}
	return false
}

// HoldCache makes s's cache loop skip its polls (hold) or resume, as a
// process cut off from the database would.
// A hold waits for the poll in flight, if any, to end.
func HoldCache(s *Store, hold bool) {
	s.node.hold.Store(hold)
	s.node.stepMu.Lock()
	defer s.node.stepMu.Unlock()
}

// CacheServing reports whether s's cache serves now.
func CacheServing(s *Store) bool { return s.cache != nil && s.cache.Serving() }

// FlushCache empties s's cache, for tests that change rows behind the
// store's back (dbtest.Reset).
func FlushCache(s *Store) { s.cache.Flush() }

// IsUnavailable is isUnavailable, for the table of driver errors.
var IsUnavailable = isUnavailable
