package clientele

import (
	"errors"
	"fmt"
	"time"
)

// ErrRateLimited reports too many attempts (sign-ins, acceptances,
// invitation emails to one address); errors.As to *RateLimitError gives
// when to retry.
var ErrRateLimited = errors.New("clientele: too many attempts")

// RateLimitError is a refusal for too many attempts.
type RateLimitError struct {
	// RetryAfter is how long until an attempt may succeed.
	RetryAfter time.Duration
}

func (e *RateLimitError) Error() string {
	return fmt.Sprintf("%v: retry after %v", ErrRateLimited, e.RetryAfter.Round(time.Second))
}

// Unwrap makes errors.Is(err, ErrRateLimited) hold.
func (e *RateLimitError) Unwrap() error { return ErrRateLimited }
