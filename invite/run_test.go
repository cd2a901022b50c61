package invite_test

import (
	"context"
	"errors"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/clientele/clientele/clienteletest"
	"github.com/clientele/clientele/invite"
)

func TestRunDeliversOnNotifyAndPollAndStops(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		o := newOutbox(t)
		ctx, cancel := context.WithCancel(t.Context())
		done := make(chan error, 1)
		go func() { done <- o.deliverer.Run(ctx) }()
		synctest.Wait()

		o.create(t, "ada@example.com") // the service notifies the Deliverer
		synctest.Wait()
		require.Len(t, o.mail.Messages(), 1, "sent at once, without waiting for a poll")

		o.mail.SetFailure(errors.New("down"))
		inv := o.create(t, "bob@example.com")
		synctest.Wait()
		failed := o.delivery(t, inv.ID)
		require.Equal(t, 1, failed.Attempts)
		o.mail.SetFailure(nil)
		o.Clock.Set(failed.NextAttemptAt)
		time.Sleep(time.Second) // the next poll
		synctest.Wait()
		require.Len(t, o.mail.Messages(), 2, "the retry went out at a poll")

		cancel()
		require.NoError(t, <-done, "Run returns once its context ends")
	})
}

// blockingMailer waits for its context to end.
type blockingMailer struct{}

func (blockingMailer) Send(ctx context.Context, _ invite.Message) error {
	<-ctx.Done()
	return ctx.Err()
}

func TestSendIsBoundedByTheLease(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		o := newOutbox(t)
		d, err := invite.NewDeliverer(o.Store, blockingMailer{}, clienteletest.BaseURL,
			invite.WithDeliveryClock(o.Clock.Now), invite.WithLease(10*time.Second))
		require.NoError(t, err)
		inv := o.create(t, "ada@example.com")
		start := time.Now()
		n, err := d.DeliverDue(t.Context())
		require.NoError(t, err)
		assert.Zero(t, n)
		assert.Equal(t, 5*time.Second, time.Since(start), "half the lease")
		assert.Equal(t, "timeout", o.delivery(t, inv.ID).LastError)
	})
}

func TestStoppingMidSendRecordsTheAttempt(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		o := newOutbox(t)
		d, err := invite.NewDeliverer(o.Store, blockingMailer{}, clienteletest.BaseURL, invite.WithDeliveryClock(o.Clock.Now))
		require.NoError(t, err)
		inv := o.create(t, "ada@example.com")
		ctx, cancel := context.WithCancel(t.Context())
		go func() {
			time.Sleep(time.Second)
			cancel()
		}()
		_, err = d.DeliverDue(ctx)
		require.NoError(t, err)
		got := o.delivery(t, inv.ID)
		assert.Equal(t, 1, got.Attempts)
		assert.Equal(t, "cancelled", got.LastError)
		assert.Nil(t, got.SentAt)
	})
}
