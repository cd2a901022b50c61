package passkey

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/go-webauthn/webauthn/protocol"
	"github.com/go-webauthn/webauthn/webauthn"

	"github.com/clientele/clientele"
)

// BeginRegistration starts registering a passkey for user at rp. It returns
// the JSON options for navigator.credentials.create (an object whose
// "publicKey" member holds the PublicKeyCredentialCreationOptions) and the
// opaque state to keep server side until [WebAuthn.FinishRegistration];
// the state embeds rp, the user id, the challenge and the expiry (now plus
// the timeout). The options require a discoverable credential and user
// verification (the passkey will be the only factor of a passwordless
// sign-in, so an authenticator that cannot verify its user is refused now
// rather than at every sign-in), and exclude the credentials in exclude (the user's
// existing passkeys) so an authenticator does not register twice. An
// invalid rp or user gives an error wrapping clientele.ErrInvalidArgument.
func (w *WebAuthn) BeginRegistration(ctx context.Context, rp RelyingParty, user User, exclude []clientele.Passkey) (options []byte, state []byte, err error) {
	if err := user.validate(); err != nil {
		return nil, nil, err
	}
	lib, err := w.library(rp)
	if err != nil {
		return nil, nil, err
	}
	now := w.now()
	creation, session, err := lib.BeginRegistration(registering(user), webauthn.WithExclusions(descriptors(exclude)))
	if err != nil {
		return nil, nil, fmt.Errorf("passkey: begin registration: %w", err)
	}
	if options, err = json.Marshal(creation); err != nil {
		return nil, nil, fmt.Errorf("passkey: encode options: %w", err)
	}
	if state, err = newState(kindRegister, rp, user.ID, session, now.Add(w.timeout)); err != nil {
		return nil, nil, err
	}
	return options, state, nil
}

// FinishRegistration verifies response, the JSON of the browser's
// PublicKeyCredential, against state at rp for user: the challenge, the
// origin, the RP ID hash, user presence, user verification (the UV flag),
// the attestation and the expiry.
// It returns the new credential as a passkey with ID, PublicKey,
// AttestationType, AAGUID, SignCount, Transports, the backup flags and
// UserID set; AgencyID, Name and CreatedAt are left to the caller.
//
// A state made by another ceremony, for another relying party or user, or
// a response that is malformed, does not verify or lacks user
// verification gives an error wrapping
// [ErrVerify]; a state past its expiry on the injected clock gives
// [ErrExpired]. The caller must not finish a state twice (see the package
// documentation).
func (w *WebAuthn) FinishRegistration(ctx context.Context, rp RelyingParty, user User, state, response []byte) (clientele.Passkey, error) {
	lib, err := w.library(rp)
	if err != nil {
		return clientele.Passkey{}, err
	}
	session, err := openState(state, kindRegister, rp, user.ID, w.now())
	if err != nil {
		return clientele.Passkey{}, err
	}
	parsed, err := protocol.ParseCredentialCreationResponseBytes(response)
	if err != nil {
		return clientele.Passkey{}, fmt.Errorf("%w: %v", ErrVerify, describe(err))
	}
	if !parsed.Response.AttestationObject.AuthData.Flags.HasUserVerified() {
		return clientele.Passkey{}, fmt.Errorf("%w: %s", ErrVerify, notVerified)
	}
	credential, err := lib.CreateCredential(registering(user), session, parsed)
	if err != nil {
		return clientele.Passkey{}, fmt.Errorf("%w: %v", ErrVerify, describe(err))
	}
	return passkeyOf(credential, user.ID), nil
}
