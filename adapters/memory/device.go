package memory

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/clientele/clientele"
	"github.com/clientele/clientele/authn"
)

// SaveDevice stores d. A hash that is not 32 bytes, no user or an expiry
// not after its creation answers [clientele.ErrInvalidArgument], no agency
// [clientele.ErrMissingScope], a taken hash [clientele.ErrDuplicate], a
// user that is not of d.AgencyID [clientele.ErrNotFound]. Devices expired
// at d.CreatedAt are forgotten.
func (s *Store) SaveDevice(_ context.Context, d authn.Device) error {
	if err := d.Validate(); err != nil {
		return fmt.Errorf("memory: save device: %w", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if u, ok := s.users[d.UserID]; !ok || u.AgencyID != d.AgencyID {
		return fmt.Errorf("memory: save device: user %s: %w", d.UserID, clientele.ErrNotFound)
	}
	maps.DeleteFunc(s.devices, func(_ string, old authn.Device) bool { return !d.CreatedAt.Before(old.ExpiresAt) })
	if _, ok := s.devices[string(d.TokenHash)]; ok {
		return fmt.Errorf("memory: save device: %w", clientele.ErrDuplicate)
	}
	d.TokenHash = slices.Clone(d.TokenHash)
	s.devices[string(d.TokenHash)] = d
	return nil
}

// Device returns the device with hash if it is unexpired at now (now <
// ExpiresAt); a missing or expired one answers [clientele.ErrNotFound].
func (s *Store) Device(_ context.Context, hash []byte, now time.Time) (authn.Device, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	d, ok := s.devices[string(hash)]
	if !ok || !now.Before(d.ExpiresAt) {
		return authn.Device{}, fmt.Errorf("memory: device: %w", clientele.ErrNotFound)
	}
	d.TokenHash = slices.Clone(d.TokenHash)
	return d, nil
}
