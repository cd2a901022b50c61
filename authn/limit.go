package authn

import (
	"context"
	"fmt"
	"net/netip"
	"strings"
	"time"

	"github.com/clientele/clientele"
)

// Rule allows Max attempts per fixed Window.
type Rule struct {
	Max    int
	Window time.Duration
}

// Limits are the attempts allowed before a *RateLimitError. An "address"
// is a client IP, or for IPv6 its /64 network (one subscriber's), so that
// one machine cannot pass for many.
//
// Password attempts are counted so that strangers can never lock the real
// user out: a failure counts against the account only from the address it
// came from, so guesses from elsewhere never block the user's own address;
// and a browser that signed in to the account before (its device token,
// see [Service.RememberDevice]) is held to SignInPerDevice alone, so
// guesses from the user's own address (a shared office or carrier address)
// never block that browser either.
type Limits struct {
	// SignInPerAccountIP counts password attempts at one account (an
	// email in one agency) from one address, without a device token of
	// that account; a success from the address starts it again.
	SignInPerAccountIP Rule
	// SignInPerIP counts every password attempt from one address without a
	// device token of the account tried, at any account.
	SignInPerIP Rule
	// SignInPerDevice counts password attempts at one account from one
	// browser holding a device token of that account; a success starts it
	// again.
	SignInPerDevice Rule
	// AcceptPerIP counts invitation acceptances from one address, unknown
	// and unusable links included, and passkey sign-ins.
	AcceptPerIP Rule
	// PasskeyPerIP counts passkey ceremonies begun without a session (a
	// sign-in or an acceptance), each of which the store keeps until it
	// is finished or expires.
	PasskeyPerIP Rule
}

// DefaultLimits let ordinary use through (five wrong passwords in a row,
// an office of people behind one address) and stop guessing, each in 15
// minutes: 10 password attempts per account and address, 100 per address,
// 10 per account and remembered browser; 30 acceptances or passkey
// sign-ins and 60 passkey ceremonies per address.
var DefaultLimits = Limits{
	SignInPerAccountIP: Rule{Max: 10, Window: 15 * time.Minute},
	SignInPerIP:        Rule{Max: 100, Window: 15 * time.Minute},
	SignInPerDevice:    Rule{Max: 10, Window: 15 * time.Minute},
	AcceptPerIP:        Rule{Max: 30, Window: 15 * time.Minute},
	PasskeyPerIP:       Rule{Max: 60, Window: 15 * time.Minute},
}

func (l Limits) validate() error {
	for _, r := range []Rule{l.SignInPerAccountIP, l.SignInPerIP, l.SignInPerDevice, l.AcceptPerIP, l.PasskeyPerIP} {
		if r.Max < 1 || r.Window < time.Second {
			return fmt.Errorf("%w: rate limit %+v", clientele.ErrInvalidArgument, r)
		}
	}
	return nil
}

// addressKey is the part of a rate-limit key that names an address: an
// IPv4 address, an IPv6 /64 network (an IPv4-mapped address as IPv4), or
// "unknown" for none.
func addressKey(ip netip.Addr) string {
	ip = ip.Unmap().WithZone("")
	switch {
	case !ip.IsValid():
		return "unknown"
	case ip.Is6():
		return netip.PrefixFrom(ip, 64).Masked().String()
	}
	return ip.String()
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
