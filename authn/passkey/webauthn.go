package passkey

import (
	"fmt"
	"time"

	"github.com/go-webauthn/webauthn/protocol"
	"github.com/go-webauthn/webauthn/webauthn"
)

// WebAuthn runs passkey ceremonies for any number of relying parties. Build
// one with [New]; it is immutable and safe for concurrent use.
type WebAuthn struct {
	timeout time.Duration
	now     func() time.Time
}

// New returns a WebAuthn with the options applied: ceremonies time out
// after [DefaultTimeout] on [time.Now] unless [WithTimeout] or [WithClock]
// say otherwise. An invalid option gives an error wrapping
// clientele.ErrInvalidArgument.
func New(opts ...Option) (*WebAuthn, error) {
	c, err := newConfig(opts)
	if err != nil {
		return nil, err
	}
	return &WebAuthn{timeout: c.timeout, now: c.now}, nil
}

// library builds the go-webauthn relying party for rp. It is cheap (a
// struct and a validation), so it is built per call rather than cached.
// Timeouts are enforced: go-webauthn reads its own clock, so the expiry it
// stamps is replaced by one from w.now and checked by this package.
func (w *WebAuthn) library(rp RelyingParty) (*webauthn.WebAuthn, error) {
	if err := rp.validate(); err != nil {
		return nil, err
	}
	timeout := webauthn.TimeoutConfig{Enforce: true, Timeout: w.timeout, TimeoutUVD: w.timeout}
	lib, err := webauthn.New(&webauthn.Config{
		RPID:          rp.ID,
		RPDisplayName: rp.Name,
		RPOrigins:     []string{rp.Origin},
		AuthenticatorSelection: protocol.AuthenticatorSelection{
			RequireResidentKey: protocol.ResidentKeyRequired(),
			ResidentKey:        protocol.ResidentKeyRequirementRequired,
			// The passkey is the only factor of a passwordless sign-in:
			// the authenticator must verify the user (PIN, biometrics),
			// at registration too, so that a passkey that could never
			// sign in is refused when it is made rather than later.
			UserVerification: protocol.VerificationRequired,
		},
		AttestationPreference: protocol.PreferNoAttestation,
		Timeouts:              webauthn.TimeoutsConfig{Login: timeout, Registration: timeout},
		// Browsers and password managers add client extension outputs
		// nobody asked for; they carry no authority here.
		ExtensionsUnsolicitedOutputPolicy: protocol.UnsolicitedOutputPolicyIgnore,
	})
	if err != nil {
		return nil, fmt.Errorf("passkey: relying party %q: %w", rp.ID, err)
	}
	return lib, nil
}
