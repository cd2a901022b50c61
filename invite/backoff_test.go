package invite

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/textproto"
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func TestBackoffDoublesWithJitterWithinBounds(t *testing.T) {
	for failed := 1; failed <= 40; failed++ {
		base := min(time.Second<<min(failed-1, 30), 5*time.Minute)
		for range 50 {
			w := backoff(failed, time.Second, 5*time.Minute)
			assert.GreaterOrEqual(t, w, base, "attempt %d", failed)
			assert.LessOrEqual(t, w, min(base*3/2, 5*time.Minute), "attempt %d", failed)
		}
	}
	assert.Equal(t, 5*time.Minute, backoff(1000, time.Second, 5*time.Minute), "no overflow")
}

// coded is an error carrying an SMTP reply code, as go-mail's SendError.
type coded struct{ code int }

func (e coded) Error() string  { return fmt.Sprintf("%d rejected ada@example.com", e.code) }
func (e coded) ErrorCode() int { return e.code }

func TestErrorClassNamesTheKindOnly(t *testing.T) {
	secret := "ada@example.com token AAAA"
	tests := []struct {
		err  error
		want string
	}{
		{fmt.Errorf("%s: %w", secret, context.DeadlineExceeded), "timeout"},
		{fmt.Errorf("%s: %w", secret, os.ErrDeadlineExceeded), "timeout"},
		{fmt.Errorf("%s: %w", secret, context.Canceled), "cancelled"},
		{fmt.Errorf("%s: %w", secret, &textproto.Error{Code: 550, Msg: secret}), "smtp 550"},
		{fmt.Errorf("%s: %w", secret, coded{421}), "smtp 421"},
		{fmt.Errorf("%s: %w", secret, &net.OpError{Op: "dial", Net: "tcp", Err: errors.New("connection refused")}), "network dial"},
		{errors.New(secret), "mailer error"},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, errorClass(tt.err), "%v", tt.err)
	}
}
