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
