package authn

import (
	"errors"

	"github.com/clientele/clientele"
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
	// *RateLimitError gives when to retry. It is clientele.ErrRateLimited.
	ErrRateLimited = clientele.ErrRateLimited
	// ErrReauthRequired reports a credential change (a passkey added or
	// removed, a password changed) by a session whose user signed in
	// longer ago than the re-authentication window: the user proves who
	// they are again first (Reauthenticate, or a passkey).
	ErrReauthRequired = errors.New("authn: sign in again to change your credentials")
)

// RateLimitError is a refusal for too many attempts.
type RateLimitError = clientele.RateLimitError
