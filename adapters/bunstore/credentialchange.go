package bunstore

import (
	"context"
	"fmt"

	"github.com/uptrace/bun"

	"github.com/clientele/clientele"
	"github.com/clientele/clientele/authn"
	"github.com/clientele/clientele/invite"
)

// A change to a user's credentials (a passkey added or removed, a
// password changed) writes its audit event and its notice, if any, in the
// change's transaction. No cache entry holds a credential (the cache
// keeps sessions with their memberships, clients and agencies), so these
// changes publish nothing to other processes.

// checkChange checks what a caller gives with a change to the
// credentials of user of agency (see [authn.CredentialChange.Validate]).
func checkChange(op string, change authn.CredentialChange, agency clientele.AgencyID, user clientele.UserID, n invite.Notice) error {
	if err := change.Validate(agency, user, n); err != nil {
		return fmt.Errorf("bunstore: %s: %w", op, err)
	}
	return nil
}

// insertChange writes, in the change's transaction, the event of a
// change action to the credentials of user of agency, from before to
// after, and the notice, if any. A notice whose client is not one of
// agency answers [clientele.ErrInvalidArgument]; a taken event or
// delivery id [clientele.ErrDuplicate].
func insertChange(ctx context.Context, tx bun.IDB, change authn.CredentialChange, agency clientele.AgencyID, user clientele.UserID, action, before, after string) error {
	if d := change.Notice; d != nil {
		ok, err := tx.NewSelect().Model((*clientRow)(nil)).
			Where("c.id = ?", string(d.ClientID)).Where("c.agency_id = ?", string(agency)).Exists(ctx)
		switch {
		case err != nil:
			return fmt.Errorf("bunstore: notice %s: client: %w", d.ID, err)
		case !ok:
			return invalid("credential change", "notice %s: client %s is not of agency %s", d.ID, d.ClientID, agency)
		}
		if err := insertDelivery(ctx, tx, d); err != nil {
			return err
		}
	}
	ev := change.Audit
	ev.AgencyID, ev.ClientID, ev.Action, ev.Target, ev.Before, ev.After = agency, "", action, string(user), before, after
	return insertAudit(ctx, tx, ev)
}
