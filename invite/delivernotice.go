package invite

import (
	"context"
	"errors"
	"fmt"

	"github.com/clientele/clientele"
)

// notice renders c's security notice to its user as the user is now: the
// address is read at send time, the Delivery holds none. A user no longer
// there (unknown, or of another agency) drops the notice; a notice this
// Deliverer does not know is retried. No token is made.
func (d *Deliverer) notice(ctx context.Context, c Delivery) (Message, error) {
	if !c.Notice.known() {
		return Message{}, classed{"unknown notice", fmt.Errorf("invite: delivery %s: unknown notice %q", c.ID, c.Notice)}
	}
	user, err := d.store.User(ctx, c.AgencyID, c.UserID)
	switch {
	case errors.Is(err, clientele.ErrNotFound):
		return Message{}, dropped{"user not found"}
	case err != nil:
		return Message{}, classed{"store", fmt.Errorf("invite: user: %w", err)}
	}
	agency, err := d.store.Agency(ctx, c.AgencyID)
	if err != nil {
		return Message{}, classed{"store", fmt.Errorf("invite: agency: %w", err)}
	}
	msg, err := noticeMessage(agency, user, c.Notice, c.CreatedAt, d.baseURL)
	if err != nil {
		return Message{}, classed{"render", fmt.Errorf("invite: render: %w", err)}
	}
	return msg, nil
}
