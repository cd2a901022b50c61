package authn

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/clientele/clientele"
	"github.com/clientele/clientele/internal/token"
)

// DeviceTTL is how long a browser stays remembered after it signed in to
// an account (OWASP's "device cookies").
const DeviceTTL = 90 * 24 * time.Hour

// RememberDevice returns the device token of a browser that has just
// signed in as id, for a long-lived cookie, and when it expires: current,
// unchanged and with nothing written, when it is a live token of the same
// user, else a new one. A browser holding it is exempt from the limits
// strangers' failures fill (see [Limits]). The token is shown once; only
// its hash is stored.
func (s *Service) RememberDevice(ctx context.Context, id Identity, current string) (string, time.Time, error) {
	p := id.Principal
	if err := p.Validate(); err != nil {
		return "", time.Time{}, err
	}
	if d, ok := s.device(ctx, p.AgencyID, current); ok && d.UserID == p.UserID {
		return current, d.ExpiresAt, nil
	}
	tok, hash := token.New()
	now := s.time()
	d := Device{TokenHash: hash, AgencyID: p.AgencyID, UserID: p.UserID, CreatedAt: now, ExpiresAt: now.Add(DeviceTTL)}
	if err := s.store.SaveDevice(ctx, d); err != nil {
		return "", time.Time{}, fmt.Errorf("authn: remember device: %w", err)
	}
	return tok, d.ExpiresAt, nil
}

// device returns the live device of agency whose token is tok; false for
// none, a malformed, unknown or expired token, or another agency's. A
// store failure is logged and counts as no device: the stricter limits
// apply.
func (s *Service) device(ctx context.Context, agency clientele.AgencyID, tok string) (Device, bool) {
	if tok == "" {
		return Device{}, false
	}
	hash, err := token.Hash(tok)
	if err != nil {
		return Device{}, false
	}
	d, err := s.store.Device(ctx, hash, s.time())
	if err != nil {
		if !errors.Is(err, clientele.ErrNotFound) {
			s.log.WarnContext(ctx, "device lookup failed", "err", err)
		}
		return Device{}, false
	}
	if d.AgencyID != agency || !bytes.Equal(d.TokenHash, hash) {
		return Device{}, false
	}
	return d, true
}
