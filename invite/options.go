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

// DefaultRecipientLimit is how many invitation emails one address may be
// sent by an agency in a day (Create and Resend), unless configured with
// WithRecipientLimit: enough for invitations to several clients and a few
// resends, too few to mail-bomb anyone.
const DefaultRecipientLimit = 10

// recipientWindow is the window of the per-recipient count: a UTC day.
const recipientWindow = 24 * time.Hour

// WithRecipientLimit sets how many invitation emails one address may be
// sent by an agency per UTC day (at least 1; default
// DefaultRecipientLimit). Past it, Create and Resend answer a
// *clientele.RateLimitError and change nothing. The count is kept in the
// store, so every process sharing it counts together.
func WithRecipientLimit(max int) Option {
	return func(s *Service) error {
		if max < 1 {
			return fmt.Errorf("%w: recipient limit %d", clientele.ErrInvalidArgument, max)
		}
		s.perRecipient = max
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
