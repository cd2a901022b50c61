package invite

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"net/textproto"
	"os"
	"time"
)

// backoff returns the wait before the next try after failed failed
// attempts (1 or more): min doubled failed-1 times, plus up to 50% jitter,
// never beyond max.
func backoff(failed int, minWait, maxWait time.Duration) time.Duration {
	wait := minWait
	for i := 1; i < failed && wait < maxWait; i++ {
		wait *= 2
	}
	if wait >= maxWait {
		return maxWait
	}
	wait += rand.N(wait/2 + 1)
	return min(wait, maxWait)
}

// errorClass names the kind of a failed send for Delivery.LastError:
// "timeout", "cancelled", "smtp <code>", "network <op>", "tls" or "mailer
// error". It never returns the error's message, which may hold an
// address. A Mailer's error that has an ErrorCode() int method (an SMTP
// reply code, as go-mail's SendError) is recorded with that code.
func errorClass(err error) string {
	var (
		proto *textproto.Error
		coded interface{ ErrorCode() int }
		nerr  net.Error
		op    *net.OpError
		rec   tls.RecordHeaderError
		cert  *tls.CertificateVerificationError
	)
	switch {
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, os.ErrDeadlineExceeded):
		return "timeout"
	case errors.Is(err, context.Canceled):
		return "cancelled"
	case errors.As(err, &proto):
		return fmt.Sprintf("smtp %d", proto.Code)
	case errors.As(err, &coded) && coded.ErrorCode() > 0:
		return fmt.Sprintf("smtp %d", coded.ErrorCode())
	case errors.As(err, &cert):
		return "tls certificate"
	case errors.As(err, &rec):
		return "tls"
	case errors.As(err, &nerr) && nerr.Timeout():
		return "timeout"
	case errors.As(err, &op):
		return "network " + op.Op
	}
	return "mailer error"
}
