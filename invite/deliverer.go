package invite

import (
	"context"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/clientele/clientele"
)

// pollInterval is how often Run looks for due deliveries when not
// notified.
const pollInterval = time.Second

// Deliverer sends the invitation emails a [Service] with [WithOutbox]
// queues. For each due delivery it takes a lease (so that no other worker,
// in this process or another sharing the database, sends it meanwhile),
// rotates the invitation's token (a fresh 32-byte token whose hash replaces
// the stored one, only while the invitation is pending and unexpired),
// renders the agency's branded email with the link <portal URL>/invite/
// <token> and sends it. A failure is retried after an exponential backoff
// with jitter, for as long as the invitation stays pending; retries never
// stop, and from [AlarmAttempts] failures on each one is logged at error
// level. A delivery whose invitation was cancelled, replaced, accepted or
// expired is dropped and nothing is sent.
//
// The same outbox carries security notices (KindNotice), queued by the
// stores that change a user's credentials: the Deliverer reads the user
// (its current address) and the agency when it sends, and mails the
// branded notice with one link, <portal URL>/login; no token is made. A
// notice whose user is gone is dropped. A kind or notice this version
// does not know is retried like a failed send, for a newer worker.
//
// The link is made when the email is sent, so each attempt carries a new
// one and only the newest works: if the mail server accepted an email but
// the outcome could not be recorded (a crash, a lost lease), the retry
// rotates the token and the link of the first email stops working; the
// newest email's link works.
//
// A Deliverer is immutable after NewDeliverer and safe for concurrent use.
type Deliverer struct {
	store      OutboxStore
	mailer     Mailer
	baseURL    string
	clock      func() time.Time
	log        *slog.Logger
	minBackoff time.Duration
	maxBackoff time.Duration
	lease      time.Duration
	batch      int
	wake       chan struct{}
}

// NewDeliverer returns a Deliverer sending through mailer. baseURL is the
// portal's public URL used in links when the agency has no custom domain,
// as for [New].
func NewDeliverer(store OutboxStore, mailer Mailer, baseURL string, opts ...DeliveryOption) (*Deliverer, error) {
	if store == nil || mailer == nil {
		return nil, fmt.Errorf("%w: invite.NewDeliverer needs a store and a mailer", clientele.ErrInvalidArgument)
	}
	if err := checkBaseURL(baseURL); err != nil {
		return nil, err
	}
	d := &Deliverer{store: store, mailer: mailer, baseURL: baseURL, clock: time.Now, log: slog.New(slog.DiscardHandler),
		minBackoff: DefaultMinBackoff, maxBackoff: DefaultMaxBackoff, lease: DefaultLease, batch: DefaultBatch,
		wake: make(chan struct{}, 1)}
	for _, o := range opts {
		if err := o(d); err != nil {
			return nil, err
		}
	}
	return d, nil
}

// Notify wakes Run to look for due deliveries now. It never blocks.
func (d *Deliverer) Notify() {
	select {
	case d.wake <- struct{}{}:
	default:
	}
}

// Run delivers due emails until ctx ends, looking every second and
// whenever Notify is called; then it returns nil. It starts no goroutine.
// Errors are logged and retried at the next look.
func (d *Deliverer) Run(ctx context.Context) error {
	tick := time.NewTicker(pollInterval)
	defer tick.Stop()
	for {
		if _, err := d.DeliverDue(ctx); err != nil && ctx.Err() == nil {
			d.log.ErrorContext(ctx, "invitation outbox", "err", err)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-tick.C:
		case <-d.wake:
		}
	}
}

// DeliverDue sends every delivery due now, a batch at a time, and returns
// how many emails were sent. Failed sends are recorded for a retry and are
// not errors; the error reports a store that could not be read or
// written, or ctx ending.
func (d *Deliverer) DeliverDue(ctx context.Context) (int, error) {
	sent := 0
	for {
		if err := ctx.Err(); err != nil {
			return sent, err
		}
		due, err := d.store.DueDeliveries(ctx, d.now(), d.batch)
		if err != nil {
			return sent, fmt.Errorf("invite: due deliveries: %w", err)
		}
		// Workers sharing the outbox start at different places in the
		// batch, so they mostly claim different deliveries.
		start := rand.IntN(len(due) + 1)
		due = slices.Concat(due[start:], due[:start])
		claimed := 0
		for _, q := range due {
			ok, done, err := d.deliver(ctx, q)
			if err != nil {
				return sent, err
			}
			if ok {
				claimed++
			}
			if done {
				sent++
			}
		}
		// A batch none of which could be claimed is another worker's.
		if len(due) < d.batch || claimed == 0 {
			return sent, nil
		}
	}
}
