package authn

import (
	"errors"
	"fmt"
	"time"
)

// Errors of authentication, matched with [errors.Is]. A missing, unknown,
// expired or ended session, or one whose membership was removed or
// deactivated, answers clientele.ErrUnauthenticated.
var (
	// ErrInvalidCredentials reports a wrong password, an unknown email or
	// an account without a password, all alike.
	ErrInvalidCredentials = errors.New("authn: invalid email or password")
	// ErrClientRequired reports a sign-in by an email that is an active
	// member of several clients without saying which one.
	ErrClientRequired = errors.New("authn: choose a client")
	// ErrNoAccess reports a sign-in by a user with no active membership in
	// the chosen client.
	ErrNoAccess = errors.New("authn: no access to the client")
	// ErrCounterMismatch reports a passkey whose sign count moved
	// concurrently or went backwards (a possible clone).
	ErrCounterMismatch = errors.New("authn: passkey sign count mismatch")
	// ErrCeremony reports a WebAuthn ceremony that is unknown, expired,
	// already used, or whose response does not verify.
	ErrCeremony = errors.New("authn: passkey ceremony failed")
	// ErrRateLimited reports too many attempts; errors.As to
	// *RateLimitError gives when to retry.
	ErrRateLimited = errors.New("authn: too many attempts")
)

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
