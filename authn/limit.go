package authn

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/clientele/clientele"
)

// Rule allows Max attempts per fixed Window.
type Rule struct {
	Max    int
	Window time.Duration
}

// Limits are the attempts allowed before a *RateLimitError.
type Limits struct {
	// SignInPerAccount counts sign-in attempts for one email in one agency;
	// a successful sign-in starts the count again.
	SignInPerAccount Rule
	// SignInPerIP counts every sign-in attempt from one address.
	SignInPerIP Rule
	// AcceptPerIP counts invitation acceptances and passkey sign-ins from
	// one address.
	AcceptPerIP Rule
}

// DefaultLimits let ordinary use through (five wrong passwords in a row,
// an office of people behind one address) and stop guessing: 10 attempts
// per account and 100 per address in 15 minutes; 30 acceptances or passkey
// sign-ins per address in 15 minutes.
var DefaultLimits = Limits{
	SignInPerAccount: Rule{Max: 10, Window: 15 * time.Minute},
	SignInPerIP:      Rule{Max: 100, Window: 15 * time.Minute},
	AcceptPerIP:      Rule{Max: 30, Window: 15 * time.Minute},
}

func (l Limits) validate() error {
	for _, r := range []Rule{l.SignInPerAccount, l.SignInPerIP, l.AcceptPerIP} {
		if r.Max < 1 || r.Window < time.Second {
			return fmt.Errorf("%w: rate limit %+v", clientele.ErrInvalidArgument, r)
		}
	}
	return nil
}

// limitKey joins the parts of a rate-limit key; parts are bounded so a key
// fits the store's column.
func limitKey(parts ...string) string {
	for i, p := range parts {
		if len(p) > 254 {
			parts[i] = p[:254]
		}
	}
	k := strings.Join(parts, "|")
	if len(k) > 255 {
		k = k[:255]
	}
	return k
}

// allow counts one attempt under key and refuses it past r.Max in the
// current window.
func (s *Service) allow(ctx context.Context, r Rule, key string) error {
	now := s.time()
	window := now.Truncate(r.Window)
	n, err := s.store.Hit(ctx, key, window, now)
	if err != nil {
		return fmt.Errorf("authn: rate limit: %w", err)
	}
	if n > r.Max {
		return &RateLimitError{RetryAfter: window.Add(r.Window).Sub(now)}
	}
	return nil
}

// reset forgets key's attempts in the current window.
func (s *Service) reset(ctx context.Context, r Rule, key string) {
	if err := s.store.Clear(ctx, key, s.time().Truncate(r.Window)); err != nil {
		s.log.WarnContext(ctx, "rate limit reset failed", "err", err)
	}
}
