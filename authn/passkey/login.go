package passkey

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/go-webauthn/webauthn/protocol"
	"github.com/go-webauthn/webauthn/webauthn"

	"github.com/clientele/clientele"
)

// BeginLogin starts a discoverable sign-in at rp, before any user is
// known. It returns the JSON options for navigator.credentials.get (an
// object whose "publicKey" member holds the
// PublicKeyCredentialRequestOptions, with no allowed credentials and user
// verification required) and the
// opaque state to keep server side until [WebAuthn.FinishLogin]. An
// invalid rp gives an error wrapping clientele.ErrInvalidArgument.
func (w *WebAuthn) BeginLogin(ctx context.Context, rp RelyingParty) (options []byte, state []byte, err error) {
	lib, err := w.library(rp)
	if err != nil {
		return nil, nil, err
	}
	now := w.now()
	assertion, session, err := lib.BeginDiscoverableLogin()
	if err != nil {
		return nil, nil, fmt.Errorf("passkey: begin login: %w", err)
	}
	if options, err = json.Marshal(assertion); err != nil {
		return nil, nil, fmt.Errorf("passkey: encode options: %w", err)
	}
	if state, err = newState(kindLogin, rp, "", session, now.Add(w.timeout)); err != nil {
		return nil, nil, err
	}
	return options, state, nil
}

// FinishLogin verifies response, the JSON of the browser's
// PublicKeyCredential, against state at rp. After checking the state it
// parses response and calls lookup with the credential id and the user
// handle the authenticator returned, to get the stored passkey; the caller
// checks there that the credential belongs to the agency and that the user
// handle is its user's id (this package also refuses a user handle other
// than the passkey's UserID). It then verifies the signature with the
// stored public key, the challenge, the origin, the RP ID hash, user
// presence and user verification (the UV flag: the authenticator checked
// a PIN or biometrics, as a passwordless sign-in needs), and returns the stored passkey with its new SignCount and
// BackupState. The caller records them (authn's UsePasskey).
//
// A state made by another ceremony or for another relying party, a
// response that is malformed, does not verify or lacks user verification
// gives an error wrapping [ErrVerify]; a state past its expiry gives [ErrExpired]; a sign count
// that does not increase while the stored or the new one is non-zero gives
// [ErrCounter]; an error from lookup is returned wrapped, as is. The
// caller must not finish a state twice (see the package documentation).
func (w *WebAuthn) FinishLogin(ctx context.Context, rp RelyingParty, state, response []byte, lookup func(ctx context.Context, credentialID, userHandle []byte) (clientele.Passkey, error)) (clientele.Passkey, error) {
	lib, err := w.library(rp)
	if err != nil {
		return clientele.Passkey{}, err
	}
	session, err := openState(state, kindLogin, rp, "", w.now())
	if err != nil {
		return clientele.Passkey{}, err
	}
	parsed, err := protocol.ParseCredentialRequestResponseBytes(response)
	if err != nil {
		return clientele.Passkey{}, fmt.Errorf("%w: %v", ErrVerify, describe(err))
	}
	// go-webauthn checks the flag too (openState requires it in the
	// session data); this check does not depend on that.
	if !parsed.Response.AuthenticatorData.Flags.HasUserVerified() {
		return clientele.Passkey{}, fmt.Errorf("%w: %s", ErrVerify, notVerified)
	}

	var (
		stored    clientele.Passkey
		lookupErr error
	)
	owner := func(credentialID, userHandle []byte) (webauthn.User, error) {
		stored, lookupErr = lookup(ctx, credentialID, userHandle)
		if lookupErr != nil {
			return nil, lookupErr
		}
		return signingIn(stored), nil
	}
	_, credential, err := lib.ValidatePasskeyLogin(owner, session, parsed)
	if lookupErr != nil {
		return clientele.Passkey{}, fmt.Errorf("passkey: look up credential: %w", lookupErr)
	}
	if err != nil {
		return clientele.Passkey{}, fmt.Errorf("%w: %v", ErrVerify, describe(err))
	}
	if credential.Authenticator.CloneWarning {
		return clientele.Passkey{}, fmt.Errorf("%w: stored %d, asserted %d", ErrCounter, stored.SignCount, parsed.Response.AuthenticatorData.Counter)
	}
	used := stored
	used.SignCount = credential.Authenticator.SignCount
	used.BackupState = credential.Flags.BackupState
	return used, nil
}
