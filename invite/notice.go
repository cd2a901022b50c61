package invite

import (
	"fmt"
	"time"

	"github.com/clientele/clientele"
)

// NewNotice returns a fresh delivery of security notice n to user of
// agency, due at now. client is the client the user acted in: it scopes
// the delivery as an invitation's client does. The delivery holds no
// email address: the [Deliverer] reads the user's when it sends.
func NewNotice(agency clientele.AgencyID, client clientele.ClientID, user clientele.UserID, n Notice, now time.Time) Delivery {
	return Delivery{ID: DeliveryID(clientele.NewID("dlv")), Kind: KindNotice, AgencyID: agency, ClientID: client,
		UserID: user, Notice: n, NextAttemptAt: now, CreatedAt: now}
}

// CheckNotice reports whether d is a fresh security notice as stores
// accept it: kind KindNotice, an id, an agency, a client and a user of
// [clientele.ValidID] form, a known Notice, no invitation, no attempts,
// no error, not sent, and both times set. Otherwise it answers
// [clientele.ErrInvalidArgument]. Stores call it, and check besides that
// the notice is for the user whose credentials change.
func CheckNotice(d Delivery) error {
	switch {
	case !clientele.ValidID(string(d.ID)):
		return fmt.Errorf("%w: delivery id %q", clientele.ErrInvalidArgument, d.ID)
	case d.Kind != KindNotice || d.InvitationID != "":
		return fmt.Errorf("%w: delivery %s is not a notice", clientele.ErrInvalidArgument, d.ID)
	case !clientele.ValidID(string(d.AgencyID)) || !clientele.ValidID(string(d.ClientID)) || !clientele.ValidID(string(d.UserID)):
		return fmt.Errorf("%w: notice %s without a well-formed agency, client and user", clientele.ErrInvalidArgument, d.ID)
	case !d.Notice.known():
		return fmt.Errorf("%w: notice %s: unknown notice %q", clientele.ErrInvalidArgument, d.ID, d.Notice)
	}
	return checkFresh(d)
}

// known reports whether n is one of the notices above.
func (n Notice) known() bool {
	_, ok := noticeSubjects[n]
	return ok
}

// noticeSubjects are the subjects of the notices, which say what changed.
var noticeSubjects = map[Notice]string{
	NoticePasskeyAdded:    "A passkey was added to your account",
	NoticePasskeyRemoved:  "A passkey was removed from your account",
	NoticePasswordChanged: "Your password was changed",
}
