package invite

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/clientele/clientele"
)

// bookkeepingTimeout bounds recording the outcome of a send, which runs
// even when the caller's context has ended.
const bookkeepingTimeout = 10 * time.Second

// deliver claims q and sends its email. claimed reports that this worker
// took q; sent that the email went out.
func (d *Deliverer) deliver(ctx context.Context, q Delivery) (claimed, sent bool, err error) {
	now := d.now()
	c, err := d.store.ClaimDelivery(ctx, q, now, now.Add(d.lease).Truncate(time.Microsecond))
	switch {
	case errors.Is(err, ErrLeaseLost):
		return false, false, nil
	case err != nil:
		return false, false, fmt.Errorf("invite: claim delivery %s: %w", q.ID, err)
	}
	msg, err := d.message(ctx, c, now)
	var drop dropped
	if errors.As(err, &drop) {
		d.log.InfoContext(ctx, what(c)+" email dropped", logAttrs(c, "reason", drop.reason)...)
		return true, false, d.finish(ctx, c, "dropped: "+drop.reason)
	}
	if err == nil {
		sendCtx, cancel := context.WithTimeout(ctx, d.lease/2)
		err = d.mailer.Send(sendCtx, msg)
		cancel()
	}
	if err != nil {
		return true, false, d.retry(ctx, c, err)
	}
	d.log.InfoContext(ctx, what(c)+" sent", logAttrs(c, "attempts", c.Attempts+1)...)
	return true, true, d.finish(ctx, c, "")
}

// dropped reports an invitation no longer pending, or a notice's user
// gone: its email is never sent.
type dropped struct{ reason string }

func (e dropped) Error() string { return "invite: delivery dropped: " + e.reason }

// classed is a failure before the send, recorded as class.
type classed struct {
	class string
	err   error
}

func (e classed) Error() string { return e.err.Error() }
func (e classed) Unwrap() error { return e.err }

// message renders c's email by its kind. A kind or a notice this
// Deliverer does not know (written by a newer version sharing the outbox)
// is retried, not dropped: a worker that knows it will send it.
func (d *Deliverer) message(ctx context.Context, c Delivery, now time.Time) (Message, error) {
	switch c.Kind {
	case KindInvitation:
		return d.invitation(ctx, c, now)
	case KindNotice:
		return d.notice(ctx, c)
	}
	return Message{}, classed{"unknown kind", fmt.Errorf("invite: delivery %s of unknown kind %q", c.ID, c.Kind)}
}

// invitation rotates the token of c's invitation and renders its email.
func (d *Deliverer) invitation(ctx context.Context, c Delivery, now time.Time) (Message, error) {
	token, hash := newToken()
	inv, err := d.store.RotateInvitationToken(ctx, c.ClientID, c.InvitationID, hash, now)
	if err != nil {
		if reason := dropReason(err); reason != "" {
			return Message{}, dropped{reason}
		}
		return Message{}, classed{"store", fmt.Errorf("invite: rotate token: %w", err)}
	}
	agency, err := d.store.Agency(ctx, inv.AgencyID)
	if err != nil {
		return Message{}, classed{"store", fmt.Errorf("invite: agency: %w", err)}
	}
	client, err := d.store.Client(ctx, inv.AgencyID, inv.ClientID)
	if err != nil {
		return Message{}, classed{"store", fmt.Errorf("invite: client: %w", err)}
	}
	msg, err := invitationMessage(agency, client, inv, d.baseURL, token)
	if err != nil {
		return Message{}, classed{"render", fmt.Errorf("invite: render: %w", err)}
	}
	return msg, nil
}

// dropReason says why an invitation whose token could not be rotated gets
// no email, or "" when err is not such an ending.
func dropReason(err error) string {
	switch {
	case errors.Is(err, clientele.ErrNotFound):
		return "invitation not found"
	case errors.Is(err, ErrUsed):
		return "invitation accepted"
	case errors.Is(err, ErrCancelled):
		return "invitation cancelled"
	case errors.Is(err, ErrReplaced):
		return "invitation replaced"
	case errors.Is(err, ErrExpired):
		return "invitation expired"
	}
	return ""
}

// retry records the failed attempt of c and schedules the next one.
func (d *Deliverer) retry(ctx context.Context, c Delivery, cause error) error {
	class := errorClass(cause)
	var step classed
	if errors.As(cause, &step) {
		class = step.class
	}
	failed := c.Attempts + 1
	next := d.now().Add(backoff(failed, d.minBackoff, d.maxBackoff)).Truncate(time.Microsecond)
	level := slog.LevelWarn
	if failed >= AlarmAttempts {
		level = slog.LevelError
	}
	d.log.Log(ctx, level, what(c)+" email not sent; will retry", logAttrs(c, "attempts", failed, "class", class,
		"next_attempt_at", next, "err", cause)...)
	bctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), bookkeepingTimeout)
	defer cancel()
	return d.leased(c, d.store.RetryDelivery(bctx, c, next, class))
}

// finish records that c ended, with note ("" when sent).
func (d *Deliverer) finish(ctx context.Context, c Delivery, note string) error {
	bctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), bookkeepingTimeout)
	defer cancel()
	return d.leased(c, d.store.CompleteDelivery(bctx, c, d.now(), note))
}

// leased turns a lost lease into a warning: another worker owns c now and
// will send it again. Other errors are returned.
func (d *Deliverer) leased(c Delivery, err error) error {
	if errors.Is(err, ErrLeaseLost) {
		d.log.Warn(what(c)+" delivery lease lost before its outcome was recorded", logAttrs(c)...)
		return nil
	}
	if err != nil {
		return fmt.Errorf("invite: record delivery %s: %w", c.ID, err)
	}
	return nil
}

// now reads the clock as Service.time does: UTC, to the microsecond.
func (d *Deliverer) now() time.Time { return d.clock().UTC().Truncate(time.Microsecond) }

// what names c's email in log lines.
func what(c Delivery) string {
	if c.Kind == KindNotice {
		return "security notice"
	}
	return "invitation"
}

// logAttrs names c in a log line, followed by more: the delivery, its
// kind and client, and its invitation or its user and notice. Never an
// email address.
func logAttrs(c Delivery, more ...any) []any {
	attrs := []any{"delivery", c.ID, "kind", c.Kind}
	if c.Kind == KindNotice {
		attrs = append(attrs, "user", c.UserID, "notice", c.Notice)
	} else {
		attrs = append(attrs, "invitation", c.InvitationID)
	}
	return append(append(attrs, "client", c.ClientID), more...)
}
