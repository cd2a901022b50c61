package passkey

import (
	"errors"

	"github.com/go-webauthn/webauthn/protocol"
)

// Errors of the ceremonies, matched with [errors.Is]. The library's own
// error is described in the message but kept out of the chain.
var (
	// ErrVerify reports a response that does not verify: malformed, for
	// another challenge, origin or relying party, badly signed, without
	// user verification, or a state made for another relying party, user
	// or ceremony.
	ErrVerify = errors.New("passkey: verification failed")
	// ErrExpired reports a ceremony finished after its timeout.
	ErrExpired = errors.New("passkey: ceremony expired")
	// ErrCounter reports an assertion whose sign count did not increase
	// although the stored or the new count is non-zero: the authenticator
	// may have been cloned.
	ErrCounter = errors.New("passkey: sign count did not increase")
)

// notVerified describes a response whose authenticator data lacks the UV
// flag: the user was present but not verified (no PIN, no biometrics).
const notVerified = "the authenticator did not verify the user (UV flag not set)"

// describe renders a go-webauthn error with its debugging detail.
func describe(err error) string {
	if pe, ok := errors.AsType[*protocol.Error](err); ok && pe.DevInfo != "" {
		return pe.Details + " (" + pe.DevInfo + ")"
	}
	return err.Error()
}
