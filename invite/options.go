package invite

import (
	"fmt"
	"log/slog"
	"time"

	"github.com/clientele/clientele"
)

// DefaultTTL is how long an invitation link works unless configured: 7 days.
const DefaultTTL = 7 * 24 * time.Hour

// Option configures a [Service].
type Option func(*Service) error

// WithTTL sets how long a link works, between one minute and one year.
func WithTTL(d time.Duration) Option {
	return func(s *Service) error {
		if d < time.Minute || d > 366*24*time.Hour {
			return fmt.Errorf("%w: invitation TTL %v outside 1m..366d", clientele.ErrInvalidArgument, d)
		}
		s.ttl = d
		return nil
	}
}

// WithClock sets the clock, read once per operation (default time.Now); times are kept in UTC to the microsecond.
func WithClock(now func() time.Time) Option {
	return func(s *Service) error {
		if now == nil {
			return fmt.Errorf("%w: nil clock", clientele.ErrInvalidArgument)
		}
		s.clock = now
		return nil
	}
}

// WithPasswordHasher sets how new users' passwords are hashed (default:
// argon2id with [password.DefaultParams]).
func WithPasswordHasher(h PasswordHasher) Option {
	return func(s *Service) error {
		if h == nil {
			return fmt.Errorf("%w: nil password hasher", clientele.ErrInvalidArgument)
		}
		s.hasher = h
		return nil
	}
}

// WithLogger sets the logger (default: discard). Tokens are never logged.
func WithLogger(l *slog.Logger) Option {
	return func(s *Service) error {
		if l == nil {
			return fmt.Errorf("%w: nil logger", clientele.ErrInvalidArgument)
		}
		s.log = l
		return nil
	}
}

// WithOutbox makes Create and Resend queue the invitation email in a
// durable outbox, written in the same atomic step as the invitation,
// instead of sending it: a [Deliverer] sends it with retries and backoff,
// so an SMTP outage delays an invitation and never loses it. The link is
// made when the email is sent (see [Deliverer]).
func WithOutbox() Option {
	return func(s *Service) error {
		s.outbox = true
		return nil
	}
}

// WithOutboxNotify sets a function the Service calls after it queues an
// email, such as a [Deliverer]'s Notify, so that the email leaves at once
// rather than at the Deliverer's next poll. It must not block.
func WithOutboxNotify(notify func()) Option {
	return func(s *Service) error {
		if notify == nil {
			return fmt.Errorf("%w: nil outbox notify", clientele.ErrInvalidArgument)
		}
		s.notify = notify
		return nil
	}
}
