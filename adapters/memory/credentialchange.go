package memory

import (
	"fmt"

	"github.com/clientele/clientele"
	"github.com/clientele/clientele/authn"
	"github.com/clientele/clientele/invite"
)

// checkChange checks what a caller gives with a change to the
// credentials of user of agency (see [authn.CredentialChange.Validate]).
func checkChange(op string, change authn.CredentialChange, agency clientele.AgencyID, user clientele.UserID, n invite.Notice) error {
	if err := change.Validate(agency, user, n); err != nil {
		return fmt.Errorf("memory: %s: %w", op, err)
	}
	return nil
}

// changeFree reports [clientele.ErrDuplicate] when the event's id or the
// notice's is taken, and [clientele.ErrInvalidArgument] when the notice's
// client is not one of agency. The caller holds the lock.
func (s *Store) changeFree(change authn.CredentialChange, agency clientele.AgencyID) error {
	if err := s.auditFree(change.Audit); err != nil {
		return err
	}
	d := change.Notice
	if d == nil {
		return nil
	}
	if c, ok := s.clients[d.ClientID]; !ok || c.AgencyID != agency {
		return invalid("credential change", "notice %s: client %s is not of agency %s", d.ID, d.ClientID, agency)
	}
	if _, ok := s.deliveries[d.ID]; ok {
		return fmt.Errorf("memory: delivery %s: %w", d.ID, clientele.ErrDuplicate)
	}
	return nil
}

// recordChange records the event of a change action to the credentials
// of user of agency, from before to after, and queues the notice, if
// any. The caller holds the write lock and has checked change with
// checkChange and changeFree.
func (s *Store) recordChange(change authn.CredentialChange, agency clientele.AgencyID, user clientele.UserID, action, before, after string) {
	ev := change.Audit
	ev.AgencyID, ev.ClientID, ev.Action, ev.Target, ev.Before, ev.After = agency, "", action, string(user), before, after
	s.record(ev)
	if d := change.Notice; d != nil {
		s.deliveries[d.ID] = cloneDelivery(*d)
	}
}
