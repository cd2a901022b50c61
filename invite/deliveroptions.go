package invite

import (
	"fmt"
	"log/slog"
	"time"

	"github.com/clientele/clientele"
)

// Defaults of a [Deliverer].
const (
	// DefaultMinBackoff and DefaultMaxBackoff bound the wait before a
	// retry: it doubles from the minimum with each failed attempt, with
	// up to 50% jitter, and never exceeds the maximum.
	DefaultMinBackoff = time.Second
	DefaultMaxBackoff = 5 * time.Minute
	// DefaultLease is how long a claimed delivery is held by one worker;
	// a send is given half of it.
	DefaultLease = time.Minute
	// DefaultBatch is how many due deliveries are read at once.
	DefaultBatch = 20
	// AlarmAttempts is the number of failed attempts from which each
	// further failure is logged at error level. Retries never stop.
	AlarmAttempts = 20
)

// DeliveryOption configures a [Deliverer].
type DeliveryOption func(*Deliverer) error

// WithDeliveryClock sets the clock, read once per step (default time.Now).
func WithDeliveryClock(now func() time.Time) DeliveryOption {
	return func(d *Deliverer) error {
		if now == nil {
			return fmt.Errorf("%w: nil clock", clientele.ErrInvalidArgument)
		}
		d.clock = now
		return nil
	}
}

// WithDeliveryLogger sets the logger (default: discard). Tokens and links
// are never logged.
func WithDeliveryLogger(l *slog.Logger) DeliveryOption {
	return func(d *Deliverer) error {
		if l == nil {
			return fmt.Errorf("%w: nil logger", clientele.ErrInvalidArgument)
		}
		d.log = l
		return nil
	}
}

// WithBackoff sets the shortest and the longest wait before a retry
// (defaults [DefaultMinBackoff] and [DefaultMaxBackoff]); 0 < min <= max
// <= 24h.
func WithBackoff(minWait, maxWait time.Duration) DeliveryOption {
	return func(d *Deliverer) error {
		if minWait <= 0 || maxWait < minWait || maxWait > 24*time.Hour {
			return fmt.Errorf("%w: backoff %v..%v", clientele.ErrInvalidArgument, minWait, maxWait)
		}
		d.minBackoff, d.maxBackoff = minWait, maxWait
		return nil
	}
}

// WithLease sets how long a worker holds a claimed delivery (default
// [DefaultLease]), between 2 seconds and 1 hour. A send gets half of it,
// so that no other worker claims the delivery while it is being sent.
func WithLease(lease time.Duration) DeliveryOption {
	return func(d *Deliverer) error {
		if lease < 2*time.Second || lease > time.Hour {
			return fmt.Errorf("%w: lease %v outside 2s..1h", clientele.ErrInvalidArgument, lease)
		}
		d.lease = lease
		return nil
	}
}

// WithBatch sets how many due deliveries are read at once (default
// [DefaultBatch]), between 1 and 1000.
func WithBatch(n int) DeliveryOption {
	return func(d *Deliverer) error {
		if n < 1 || n > 1000 {
			return fmt.Errorf("%w: batch %d outside 1..1000", clientele.ErrInvalidArgument, n)
		}
		d.batch = n
		return nil
	}
}
