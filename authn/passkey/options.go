package passkey

import (
	"fmt"
	"time"

	"github.com/clientele/clientele"
)

// DefaultTimeout is how long a ceremony may take unless [WithTimeout] says
// otherwise.
const DefaultTimeout = 5 * time.Minute

type config struct {
	timeout time.Duration
	now     func() time.Time
}

// Option configures [New].
type Option func(*config)

// WithTimeout sets how long a ceremony may take between Begin and Finish
// (default [DefaultTimeout]). It is also the timeout the browser is given.
// It must be at least one second.
func WithTimeout(d time.Duration) Option {
	return func(c *config) { c.timeout = d }
}

// WithClock sets the clock that stamps and checks ceremony expiry (default
// [time.Now]).
func WithClock(now func() time.Time) Option {
	return func(c *config) { c.now = now }
}

func newConfig(opts []Option) (config, error) {
	c := config{timeout: DefaultTimeout, now: time.Now}
	for _, opt := range opts {
		opt(&c)
	}
	if c.timeout < time.Second {
		return config{}, fmt.Errorf("%w: passkey timeout must be at least 1s, got %v", clientele.ErrInvalidArgument, c.timeout)
	}
	if c.now == nil {
		return config{}, fmt.Errorf("%w: passkey clock is nil", clientele.ErrInvalidArgument)
	}
	return c, nil
}
