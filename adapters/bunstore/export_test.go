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
func HoldCache(s *Store, hold bool) { s.node.hold.Store(hold) }

// CacheServing reports whether s's cache serves now.
func CacheServing(s *Store) bool { return s.cache != nil && s.cache.Serving() }

// FlushCache empties s's cache, for tests that change rows behind the
// store's back (dbtest.Reset).
func FlushCache(s *Store) { s.cache.Flush() }
