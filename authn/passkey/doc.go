// Package passkey is the WebAuthn protocol layer of authn: it begins and
// finishes passkey registration and sign-in ceremonies for one agency's
// portal at a time, over github.com/go-webauthn/webauthn, whose types it
// never exports.
//
// Each agency's portal is its own relying party ([For]): its RP ID is the
// portal's host name and its only accepted origin is the portal's origin, so
// a passkey registered at one agency cannot sign in at another.
//
// A ceremony has two steps. Begin returns the JSON options for the browser
// and an opaque state; the caller keeps the state server side (authn keeps
// it in its CeremonyStore) and hands it back to Finish together with the
// browser's response. The state records the relying party, the user being
// registered, the challenge and the expiry; Finish refuses a state made for
// another relying party or user, or past its expiry on the injected clock.
//
// This package does not make a state single-use: the caller must delete the
// state before finishing with it (authn's TakeCeremony does), so that one
// challenge can never be answered twice. An assertion replayed against a
// fresh state carries a stale challenge and fails with [ErrVerify].
// Credential ids are not kept unique here either: that is the store's job.
//
// Registrations ask for a discoverable credential (resident key required);
// sign-ins are discoverable (no user is named before the authenticator
// answers with its user handle), so the passkey is the only factor. Both
// ceremonies therefore require user verification: the options say
// userVerification "required", and Finish refuses a response whose
// authenticator data lacks the UV flag (a touch without PIN or biometrics)
// with [ErrVerify], whatever the state recorded.
package passkey
