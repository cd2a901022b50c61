package authn

import (
	"context"
	"fmt"
	"log/slog"
	"net/url"
	"time"

	"github.com/clientele/clientele"
	"github.com/clientele/clientele/authn/passkey"
	"github.com/clientele/clientele/authn/password"
	"github.com/clientele/clientele/invite"
)

// Session timeouts. The defaults follow OWASP ASVS 4.0.3 V3.3.2 at level 2
// (an application holding billing and personal data): re-authentication
// after 30 minutes of inactivity or 12 hours in all.
const (
	DefaultIdleTimeout     = 30 * time.Minute
	DefaultAbsoluteTimeout = 12 * time.Hour
	// touchInterval bounds how often resolving a session writes its
	// last-seen time: at most once a minute per session, so the idle
	// timeout is exact to a minute and a request is usually one read.
	touchInterval = time.Minute
)

// Acceptor accepts invitations; *invite.Service implements it.
type Acceptor interface {
	Lookup(ctx context.Context, token string) (invite.Preview, error)
	Pending(ctx context.Context, token string) (clientele.Invitation, error)
	Accept(ctx context.Context, r invite.AcceptRequest) (clientele.Member, error)
}

// Service signs users in and resolves their sessions. It is immutable
// after New and safe for concurrent use.
type Service struct {
	store    Store
	invites  Acceptor
	baseURL  string
	hasher   *password.Hasher
	webauthn *passkey.WebAuthn
	limits   Limits
	idle     time.Duration
	absolute time.Duration
	reauth   time.Duration
	notices  bool
	notify   func()
	clock    func() time.Time
	log      *slog.Logger
}

// Option configures a [Service].
type Option func(*Service) error

// WithTimeouts sets the idle and absolute session timeouts (each at least
// a minute, idle at most absolute).
func WithTimeouts(idle, absolute time.Duration) Option {
	return func(s *Service) error {
		if idle < time.Minute || absolute < idle {
			return fmt.Errorf("%w: session timeouts idle %v, absolute %v", clientele.ErrInvalidArgument, idle, absolute)
		}
		s.idle, s.absolute = idle, absolute
		return nil
	}
}

// WithReauthWindow sets how recent a sign-in must be for a credential
// change (default DefaultReauthWindow; at least a minute, at most the
// absolute timeout).
func WithReauthWindow(d time.Duration) Option {
	return func(s *Service) error {
		if d < time.Minute {
			return fmt.Errorf("%w: re-authentication window %v", clientele.ErrInvalidArgument, d)
		}
		s.reauth = d
		return nil
	}
}

// WithSecurityNotices makes every credential change (a passkey added or
// removed, a password changed) queue a short security notice email to the
// user in the outbox, in the same atomic step as the change, for an
// invite.Deliverer to send; notify, when not nil, is called after each
// one (a Deliverer's Notify) and must not block. Without it no notice is
// queued: use it only where a Deliverer runs. Access changes never send
// notices.
func WithSecurityNotices(notify func()) Option {
	return func(s *Service) error {
		s.notices, s.notify = true, notify
		return nil
	}
}

// WithPasswordHasher sets the password hasher (default: argon2id with
// password.DefaultParams). Hashes made with other parameters are
// re-hashed at the next successful sign-in.
func WithPasswordHasher(h *password.Hasher) Option {
	return func(s *Service) error {
		if h == nil {
			return fmt.Errorf("%w: nil password hasher", clientele.ErrInvalidArgument)
		}
		s.hasher = h
		return nil
	}
}

// WithLimits replaces the rate limits (default DefaultLimits).
func WithLimits(l Limits) Option {
	return func(s *Service) error {
		if err := l.validate(); err != nil {
			return err
		}
		s.limits = l
		return nil
	}
}

// WithClock sets the clock, read once per operation (default time.Now);
// times are kept in UTC to the microsecond.
func WithClock(now func() time.Time) Option {
	return func(s *Service) error {
		if now == nil {
			return fmt.Errorf("%w: nil clock", clientele.ErrInvalidArgument)
		}
		s.clock = now
		return nil
	}
}

// WithLogger sets the logger (default: discard). Tokens and passwords are
// never logged.
func WithLogger(l *slog.Logger) Option {
	return func(s *Service) error {
		if l == nil {
			return fmt.Errorf("%w: nil logger", clientele.ErrInvalidArgument)
		}
		s.log = l
		return nil
	}
}

// New returns a Service on store, accepting invitations through invites.
// baseURL is the portal URL for agencies without a custom domain, as given
// to invite.New: passkeys are bound to the agency's portal host.
func New(store Store, invites Acceptor, baseURL string, opts ...Option) (*Service, error) {
	if store == nil || invites == nil {
		return nil, fmt.Errorf("%w: authn.New needs a store and an acceptor", clientele.ErrInvalidArgument)
	}
	if u, err := url.Parse(baseURL); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return nil, fmt.Errorf("%w: base URL %q must be an absolute http(s) URL", clientele.ErrInvalidArgument, baseURL)
	}
	s := &Service{store: store, invites: invites, baseURL: baseURL, limits: DefaultLimits,
		idle: DefaultIdleTimeout, absolute: DefaultAbsoluteTimeout, reauth: DefaultReauthWindow, clock: time.Now, log: slog.New(slog.DiscardHandler)}
	for _, o := range opts {
		if err := o(s); err != nil {
			return nil, err
		}
	}
	if s.reauth > s.absolute {
		return nil, fmt.Errorf("%w: re-authentication window %v beyond the absolute timeout %v", clientele.ErrInvalidArgument, s.reauth, s.absolute)
	}
	var err error
	if s.hasher == nil {
		if s.hasher, err = password.New(); err != nil {
			return nil, err
		}
	}
	if s.webauthn, err = passkey.New(passkey.WithClock(s.clock)); err != nil {
		return nil, err
	}
	return s, nil
}

// time reads the clock once for an operation, in UTC to the microsecond.
func (s *Service) time() time.Time { return s.clock().UTC().Truncate(time.Microsecond) }
