package tenancy

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/clientele/clientele"
	"github.com/clientele/clientele/rbac"
)

// Authorizer decides what a principal may do and which permission names
// exist. *rbac.Authorizer implements it.
type Authorizer interface {
	Authorize(ctx context.Context, p clientele.Principal, act rbac.Action, perms clientele.PermissionSet) error
	Known(perm clientele.Permission) bool
}

// Service manages clients and client users. It is immutable after New and
// safe for concurrent use.
type Service struct {
	store Store
	authz Authorizer
	clock func() time.Time
	log   *slog.Logger
}

// Option configures a [Service].
type Option func(*Service) error

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

// WithLogger sets the logger (default: discard).
func WithLogger(l *slog.Logger) Option {
	return func(s *Service) error {
		if l == nil {
			return fmt.Errorf("%w: nil logger", clientele.ErrInvalidArgument)
		}
		s.log = l
		return nil
	}
}

// New returns a Service on store, deciding with authz.
func New(store Store, authz Authorizer, opts ...Option) (*Service, error) {
	if store == nil || authz == nil {
		return nil, fmt.Errorf("%w: tenancy.New needs a store and an authorizer", clientele.ErrInvalidArgument)
	}
	s := &Service{store: store, authz: authz, clock: time.Now, log: slog.New(slog.DiscardHandler)}
	for _, o := range opts {
		if err := o(s); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// client returns the client p acts on after checking that p may see it and
// may do act there. A client p cannot see is reported as not found.
func (s *Service) client(ctx context.Context, p clientele.Principal, id clientele.ClientID, act rbac.Action) (clientele.Client, error) {
	if err := p.Scope(id); err != nil {
		return clientele.Client{}, err
	}
	c, err := s.store.Client(ctx, p.AgencyID, id)
	if err != nil {
		return clientele.Client{}, fmt.Errorf("tenancy: %w", err)
	}
	if err := s.authz.Authorize(ctx, p, act, c.Permissions); err != nil {
		return clientele.Client{}, err
	}
	return c, nil
}

// agency checks that p may do the agency-level act.
func (s *Service) agency(ctx context.Context, p clientele.Principal, act rbac.Action) error {
	if err := p.Validate(); err != nil {
		return err
	}
	return s.authz.Authorize(ctx, p, act, nil)
}

// time reads the clock once for an operation: in UTC and to the
// microsecond, the precision every store keeps, so what a store returns
// compares equal to what was given to it.
func (s *Service) time() time.Time { return s.clock().UTC().Truncate(time.Microsecond) }
