package tenancyhttp

import (
	"sync"
	"time"
)

// windowLimiter allows max events per key in each fixed window, in
// process. It holds at most maxKeys keys: when full, keys of past windows
// are dropped first, and if every key is of the current window a new key
// is refused until the window ends (it fails closed). Safe for concurrent
// use.
type windowLimiter struct {
	mu      sync.Mutex
	max     int
	window  time.Duration
	maxKeys int
	counts  map[string]windowCount
}

type windowCount struct {
	start time.Time
	n     int
}

func newWindowLimiter(max int, window time.Duration, maxKeys int) *windowLimiter {
	return &windowLimiter{max: max, window: window, maxKeys: maxKeys, counts: make(map[string]windowCount)}
}

// allow counts one event for key at now. When it is over the limit it
// returns false and how long until the window ends.
func (l *windowLimiter) allow(key string, now time.Time) (bool, time.Duration) {
	start := now.Truncate(l.window)
	wait := start.Add(l.window).Sub(now)
	l.mu.Lock()
	defer l.mu.Unlock()
	c, ok := l.counts[key]
	if !ok && len(l.counts) >= l.maxKeys {
		for k, old := range l.counts {
			if !old.start.Equal(start) {
				delete(l.counts, k)
			}
		}
		if len(l.counts) >= l.maxKeys {
			return false, wait
		}
	}
	if !c.start.Equal(start) {
		c = windowCount{start: start}
	}
	c.n++
	l.counts[key] = c
	if c.n > l.max {
		return false, wait
	}
	return true, 0
}
