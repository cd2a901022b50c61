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

// SaveCeremony stores c. An id that is not 32 bytes or an unknown kind
// answers [clientele.ErrInvalidArgument], no agency
// [clientele.ErrMissingScope], a taken id [clientele.ErrDuplicate].
func (s *Store) SaveCeremony(_ context.Context, c authn.Ceremony) error {
	if err := validCeremony(c); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.ceremonies[string(c.ID)]; ok {
		return fmt.Errorf("memory: ceremony: %w", clientele.ErrDuplicate)
	}
	s.ceremonies[string(c.ID)] = cloneCeremony(c)
	return nil
}

// TakeCeremony deletes and returns the ceremony with id if it is unexpired
// at now (now < ExpiresAt); a missing, taken or expired one answers
// [clientele.ErrNotFound]. It runs under the write lock, so of concurrent
// calls one gets it. Ceremonies expired at now are forgotten.
func (s *Store) TakeCeremony(_ context.Context, id []byte, now time.Time) (authn.Ceremony, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.ceremonies[string(id)]
	maps.DeleteFunc(s.ceremonies, func(_ string, c authn.Ceremony) bool { return !now.Before(c.ExpiresAt) })
	if !ok || !now.Before(c.ExpiresAt) {
		return authn.Ceremony{}, fmt.Errorf("memory: ceremony: %w", clientele.ErrNotFound)
	}
	delete(s.ceremonies, string(id))
	return c, nil
}

// validCeremony checks a new ceremony (authn.Ceremony.Validate).
func validCeremony(c authn.Ceremony) error {
	if err := c.Validate(); err != nil {
		return fmt.Errorf("memory: save ceremony: %w", err)
	}
	return nil
}

func cloneCeremony(c authn.Ceremony) authn.Ceremony {
	c.ID = slices.Clone(c.ID)
	c.Data = slices.Clone(c.Data)
	return c
}
